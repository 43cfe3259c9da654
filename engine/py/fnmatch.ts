// A port of Python's fnmatch.translate (3.11), which Ansible uses for host patterns
// (`web*`, `db[0-9]`) and --start-at-task. Its quirks matter: `[!...]` negates, `[]...]` holds a
// `]`, a `[` without a closing `]` is literal, reversed ranges (`[z-a]`) are dropped and an empty
// set never matches, and `*`/`?` cross `/` and newlines (fnmatchcase: no case folding on POSIX).

// everything JavaScript's `u`-mode regex syntax may give meaning to, escaped outside a class
const SPECIAL = /[\\^$.*+?()[\]{}|/]/;

function escapeClassChar(c: string): string {
  return '\\]-[^'.includes(c) ? `\\${c}` : c;
}

function translateSet(chars: string[], i: number, j: number): string {
  const stuff = chars.slice(i, j);
  let chunks: string[][];
  if (!stuff.includes('-')) chunks = [stuff];
  else {
    chunks = [];
    let k = chars[i] === '!' ? i + 2 : i + 1;
    for (;;) {
      k = chars.indexOf('-', k);
      if (k < 0 || k >= j) break;
      chunks.push(chars.slice(i, k));
      i = k + 1;
      k += 3;
    }
    const last = chars.slice(i, j);
    if (last.length > 0) chunks.push(last);
    else (chunks[chunks.length - 1] as string[]).push('-');
    // remove empty ranges, which are invalid in a regular expression
    for (let m = chunks.length - 1; m > 0; m--) {
      const prev = chunks[m - 1] as string[];
      const cur = chunks[m] as string[];
      if ((prev[prev.length - 1]?.codePointAt(0) ?? 0) > (cur[0]?.codePointAt(0) ?? 0)) {
        chunks[m - 1] = [...prev.slice(0, -1), ...cur.slice(1)];
        chunks.splice(m, 1);
      }
    }
  }
  const raw = chunks.map((c) => c.join('')).join('-');
  if (raw === '') return '(?!)';
  if (raw === '!') return '.';
  const negate = raw[0] === '!';
  if (negate) (chunks[0] as string[]).shift();
  const body = chunks.map((c) => c.map(escapeClassChar).join('')).join('-');
  return `[${negate ? '^' : ''}${body}]`;
}

/** fnmatchRegExp translates a shell glob into an anchored RegExp as Python's fnmatch.translate does. */
export function fnmatchRegExp(pattern: string): RegExp {
  const chars = [...pattern];
  const n = chars.length;
  let re = '';
  let i = 0;
  let lastStar = false;
  while (i < n) {
    const c = chars[i++] as string;
    const star = c === '*';
    if (star) {
      if (!lastStar) re += '.*';
    } else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i;
      if (j < n && chars[j] === '!') j++;
      if (j < n && chars[j] === ']') j++;
      while (j < n && chars[j] !== ']') j++;
      if (j >= n) re += '\\[';
      else {
        re += translateSet(chars, i, j);
        i = j + 1;
      }
    } else re += SPECIAL.test(c) ? `\\${c}` : c;
    lastStar = star;
  }
  return new RegExp(`^(?:${re})$`, 'su');
}

/** fnmatch tells whether `name` matches the glob `pattern` (Python's fnmatch.fnmatchcase). */
export function fnmatch(name: string, pattern: string): boolean {
  return fnmatchRegExp(pattern).test(name);
}
