// Playbooks written for Ansible carry Python `re` patterns and `re.sub` templates; modules
// (lineinfile, blockinfile, wait_for) and template filters/helpers all read them through here.
import { boundedCall } from './bounded.ts';

/**
 * pyRegex compiles a Python `re` pattern into a JavaScript RegExp with `flags` added: named
 * groups `(?P<n>...)`, `(?P=n)`, `\A`, `\Z` and leading inline flags `(?i)`/`(?s)`/`(?m)`/`(?x)`
 * are translated; the rest of the syntax is shared.
 */
export function pyRegex(source: string, flags = ''): RegExp {
  let src = source;
  const lead = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (lead) {
    for (const f of lead[1]!) {
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
      if (f === 'x') throw new Error('verbose regular expressions (?x) are not supported');
    }
    src = src.slice(lead[0].length);
  }
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const n = src[i + 1];
      if (n === 'A') out += '^';
      else if (n === 'Z') out += '$(?![\\s\\S])';
      else out += c + (n ?? '');
      i++;
    } else if (src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (src.startsWith('(?P=', i)) {
      const end = src.indexOf(')', i);
      out += `\\k<${src.slice(i + 4, end)}>`;
      i = end;
    } else out += c;
  }
  return new RegExp(out, flags);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07', b: '\b', '\\': '\\' };

/**
 * pyExpand fills a Python `match.expand` template: `\1`, `\g<1>`, `\g<name>` and the usual
 * character escapes; an unmatched group gives '' (Python 3.5+), other escapes stay as written.
 */
export function pyExpand(template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '\\' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    const n = template[i + 1]!;
    const digits = /^\d{1,2}/.exec(template.slice(i + 1));
    const named = /^g<([^>]+)>/.exec(template.slice(i + 1));
    if (digits && n !== '0') {
      const g = Number(digits[0]);
      if (g >= m.length) throw new Error(`invalid group reference ${g}`);
      out += m[g] ?? '';
      i += digits[0].length;
    } else if (named) {
      const key = named[1]!;
      const v = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
      if (/^\d+$/.test(key) ? Number(key) >= m.length : !(m.groups && key in m.groups)) throw new Error(`unknown group name ${key}`);
      out += v ?? '';
      i += named[0].length;
    } else if (n in ESCAPES) {
      out += ESCAPES[n];
      i++;
    } else {
      out += c + n;
      i++;
    }
  }
  return out;
}

/** pySub is Python's `re.sub(pattern, repl, text)` for a global RegExp: `repl` is a match.expand template. */
export function pySub(re: RegExp, repl: string, text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    out += text.slice(last, m.index) + pyExpand(repl, m);
    last = m.index + m[0].length;
  }
  return out + text.slice(last);
}

/**
 * linearPattern tells whether a Python pattern cannot backtrack: no repetition (`* + ? {`), no
 * alternation, no backreference and no `(?...)` group, so matching costs at most the pattern's
 * length per starting position. Such a pattern runs on this thread (no bounded worker to start:
 * about 0.1 s of CPU on a one-shot run); `^net.core.somaxconn` is one. A `{{ }}` template is not.
 */
export function linearPattern(source: string): boolean {
  return !/[*+?{|]|\\[0-9gk]|\(\?/.test(source);
}

/** RegexOp is a user pattern applied to text: Python's re.search truth, first match, re.sub, re.findall. */
export type RegexOp = 'test' | 'search' | 'sub' | 'findall';

/**
 * regexOpInline applies `pattern` (Python syntax, with `flags`) to `text` on this thread; only
 * for patterns and texts the run's author controls, and for the bounded worker itself.
 */
export function regexOpInline(op: RegexOp, pattern: string, flags: string, text: string, repl = ''): unknown {
  switch (op) {
    case 'test':
      return pyRegex(pattern, flags).test(text);
    case 'search':
      return pyRegex(pattern, flags).exec(text)?.[0] ?? null;
    case 'sub':
      return pySub(pyRegex(pattern, `g${flags}`), repl, text);
    case 'findall':
      return [...text.matchAll(pyRegex(pattern, `g${flags}`))].map((m) => (m.length > 1 ? m[1] : m[0]));
  }
}

/**
 * regexOp is regexOpInline on the bounded worker (py/bounded.ts): a pattern that backtracks
 * catastrophically fails the caller with E_TIMEOUT instead of freezing the controller.
 */
export function regexOp(op: RegexOp, pattern: string, flags: string, text: string, repl = ''): unknown {
  if (linearPattern(pattern)) return regexOpInline(op, pattern, flags, text, repl);
  return boundedCall(import.meta.url, 'regexOpInline', [op, pattern, flags, text, repl], `regular expression ${JSON.stringify(pattern)}`);
}
