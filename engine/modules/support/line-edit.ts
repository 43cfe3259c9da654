import { boundedCall, warmBounded } from '../../py/bounded.ts';
import { linearPattern, pyExpand, pyRegex } from '../../py/regex.ts';

/** LineEditArgs are lineinfile's arguments that decide the new content. */
export interface LineEditArgs {
  readonly state?: 'present' | 'absent';
  readonly line?: string;
  readonly regexp?: string;
  readonly search_string?: string;
  readonly insertafter?: string;
  readonly insertbefore?: string;
  readonly backrefs?: boolean;
  readonly firstmatch?: boolean;
}

/** LineEditResult is the new content and Ansible's message for it. */
export interface LineEditResult {
  readonly content: string;
  readonly changed: boolean;
  readonly msg: string;
  /** state=absent: how many lines were removed */
  readonly found?: number;
}

/** splitLines splits like Python's readlines(): every line keeps its '\n', the last may lack one. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl + 1;
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

const rstripNl = (s: string): string => s.replace(/[\r\n]+$/, '');
// Why search without the '\n': Python's `$` matches before a final newline, JS's only at the end.
const body = (s: string): string => (s.endsWith('\n') ? s.slice(0, -1) : s);

/** warmLineEdit has the bounded worker load this file ahead, when lineinfile's raw `args` carry a pattern editLines would run there. */
export function warmLineEdit(args: Readonly<Record<string, unknown>>): void {
  const bounded = (p: unknown): boolean => p !== undefined && !(typeof p === 'string' && linearPattern(p));
  if (bounded(args.regexp) || [args.insertafter, args.insertbefore].some((p) => p !== 'BOF' && p !== 'EOF' && bounded(p))) warmBounded(import.meta.url);
}

/**
 * editLines is lineinfile's content edit (editLinesInline). With a user regexp that could
 * backtrack it runs on the bounded worker, the whole file in one call: a catastrophic pattern fails this host's task
 * with E_TIMEOUT instead of freezing the controller.
 */
export function editLines(text: string | undefined, a: LineEditArgs): LineEditResult {
  const patterns = [a.regexp, ...[a.insertafter, a.insertbefore].filter((p) => p !== 'BOF' && p !== 'EOF')].filter((p) => p !== undefined);
  // patterns that cannot backtrack (py/regex.ts linearPattern) need no bound
  if (patterns.every(linearPattern)) return editLinesInline(text, a);
  const { state, line, regexp, search_string, insertafter, insertbefore, backrefs, firstmatch } = a;
  const plain = { state, line, regexp, search_string, insertafter, insertbefore, backrefs, firstmatch };
  return boundedCall(import.meta.url, 'editLinesInline', [text, plain], `lineinfile regular expression ${patterns.map((p) => JSON.stringify(p)).join(', ')}`);
}

/**
 * editLinesInline is lineinfile's content edit, a line-for-line port of ansible-core 2.14's
 * present()/absent() so the same playbook gives the same file. `text` undefined means the
 * file does not exist (the caller decides about `create`).
 */
export function editLinesInline(text: string | undefined, a: LineEditArgs): LineEditResult {
  const lines = splitLines(text ?? '');
  if ((a.state ?? 'present') === 'absent') return absent(lines, a);
  const line = a.line ?? '';
  const insertbefore = a.insertbefore;
  const insertafter = a.insertafter ?? (insertbefore === undefined ? 'EOF' : undefined);
  const reM = a.regexp !== undefined ? pyRegex(a.regexp) : undefined;
  let reIns: RegExp | undefined;
  if (insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF') reIns = pyRegex(insertafter);
  else if (insertbefore !== undefined && insertbefore !== 'BOF') reIns = pyRegex(insertbefore);

  const { index, match, exact } = findLine(lines, a, { line, reM, reIns, insertafter, insertbefore });

  let msg = '';
  let changed = false;
  const add = (at: number): void => {
    lines.splice(at, 0, `${line}\n`);
    msg = 'line added';
    changed = true;
  };
  const [i0, i1] = index as [number, number];
  if (i0 !== -1) {
    let newLine = a.backrefs && match && typeof match !== 'boolean' ? pyExpand(line, match) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (a.regexp === undefined && a.search_string === undefined && !match && !exact) {
      // unreachable in practice (i0 is only set by a match or an exact line); kept as Ansible has it
    } else if (lines[i0] !== newLine) {
      lines[i0] = newLine;
      msg = 'line replaced';
      changed = true;
    }
  } else if (a.backrefs) {
    // not safe to build the line without the regexp's groups: change nothing, as Ansible
  } else if (insertbefore === 'BOF' || insertafter === 'BOF') {
    add(0);
  } else if (insertafter === 'EOF' || i1 === -1) {
    if (lines.length > 0 && !/[\n\r]$/.test(lines[lines.length - 1]!)) lines.push('\n');
    add(lines.length);
  } else if (insertafter && i1 !== -1) {
    if (lines.length === i1) {
      if (rstripNl(lines[i1 - 1]!) !== line) add(lines.length);
    } else if (line !== rstripNl(lines[i1]!)) add(i1);
  } else {
    add(i1);
  }
  return { content: lines.join(''), changed, msg };
}

/** Found is where present() found the line: [matched line, insertion point], and what matched. */
interface Found {
  readonly index: number[];
  readonly match: RegExpExecArray | boolean | null;
  readonly exact: boolean;
}

/** findLine is present()'s search: the last (or first) regexp / search_string match, else the line itself or the insert anchor. */
function findLine(
  lines: readonly string[],
  a: LineEditArgs,
  w: { line: string; reM: RegExp | undefined; reIns: RegExp | undefined; insertafter: string | undefined; insertbefore: string | undefined },
): Found {
  const { line, reM, reIns, insertafter, insertbefore } = w;
  const index = [-1, -1];
  let match: RegExpExecArray | boolean | null = null;
  let exact = false;
  if (reM) {
    for (let i = 0; i < lines.length; i++) {
      const m = reM.exec(body(lines[i]!));
      if (m) {
        index[0] = i;
        match = m;
        if (a.firstmatch) break;
      }
    }
  }
  if (a.search_string !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.includes(a.search_string)) {
        index[0] = i;
        match = true;
        if (a.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (let i = 0; i < lines.length; i++) {
      const cur = lines[i]!;
      if (line === rstripNl(cur)) {
        index[0] = i;
        exact = true;
      } else if (reIns?.test(body(cur))) {
        if (insertafter) {
          index[1] = i + 1;
          if (a.firstmatch) break;
        }
        if (insertbefore) {
          index[1] = i;
          if (a.firstmatch) break;
        }
      }
    }
  }
  return { index, match, exact };
}

function absent(lines: string[], a: LineEditArgs): LineEditResult {
  const re = a.regexp !== undefined ? pyRegex(a.regexp) : undefined;
  const kept: string[] = [];
  let found = 0;
  for (const cur of lines) {
    const hit = re ? re.test(body(cur)) : a.search_string !== undefined ? cur.includes(a.search_string) : (a.line ?? '') === rstripNl(cur);
    if (hit) found++;
    else kept.push(cur);
  }
  return { content: kept.join(''), changed: found > 0, msg: found > 0 ? `${found} line(s) removed` : '', found };
}
