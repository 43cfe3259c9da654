import { boundedCall, warmBounded } from '../../py/bounded.ts';
import { linearPattern, pyRegex } from '../../py/regex.ts';

/** BlockEditArgs are blockinfile's arguments that decide the new content. */
export interface BlockEditArgs {
  readonly state?: 'present' | 'absent';
  readonly block?: string;
  readonly marker?: string;
  readonly marker_begin?: string;
  readonly marker_end?: string;
  readonly insertafter?: string;
  readonly insertbefore?: string;
}

/** splitKeepEnds splits like Python's bytes.splitlines(True): \n, \r\n and \r end lines and are kept. */
export function splitKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** warmBlockEdit has the bounded worker load this file ahead, when blockinfile's raw `args` carry a pattern editBlock would run there. */
export function warmBlockEdit(args: Readonly<Record<string, unknown>>): void {
  if ([args.insertafter, args.insertbefore].some((p) => p !== undefined && p !== 'BOF' && p !== 'EOF' && !(typeof p === 'string' && linearPattern(p)))) warmBounded(import.meta.url);
}

/**
 * editBlock is blockinfile's content edit (editBlockInline); an insertafter/insertbefore regexp
 * runs on the bounded worker so a catastrophic pattern fails the task, not the controller.
 */
export function editBlock(text: string | undefined, a: BlockEditArgs): { content: string; changed: boolean; msg: string } {
  const pattern = a.insertafter !== undefined && a.insertafter !== 'EOF' ? a.insertafter : a.insertbefore !== undefined && a.insertbefore !== 'BOF' ? a.insertbefore : undefined;
  // a pattern that cannot backtrack (py/regex.ts linearPattern) needs no bound
  if (pattern === undefined || linearPattern(pattern)) return editBlockInline(text, a);
  const { state, block, marker, marker_begin, marker_end, insertafter, insertbefore } = a;
  return boundedCall(
    import.meta.url,
    'editBlockInline',
    [text, { state, block, marker, marker_begin, marker_end, insertafter, insertbefore }],
    `blockinfile regular expression ${JSON.stringify(pattern)}`,
  );
}

/**
 * editBlockInline is blockinfile's content edit, ported from ansible-core 2.14: the block sits
 * between `marker` lines with {mark} replaced by marker_begin/marker_end; it replaces an
 * existing marked block or is inserted after/before the LAST line matching the regexp.
 * `text` undefined means the file does not exist yet.
 */
export function editBlockInline(text: string | undefined, a: BlockEditArgs): { content: string; changed: boolean; msg: string } {
  const lines = splitKeepEnds(text ?? '');
  const present = (a.state ?? 'present') === 'present';
  const marker = a.marker ?? '# {mark} ANSIBLE MANAGED BLOCK';
  let insertafter = a.insertafter;
  const insertbefore = a.insertbefore;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  let insertre: RegExp | undefined;
  if (insertafter !== undefined && insertafter !== 'EOF') insertre = pyRegex(insertafter);
  else if (insertbefore !== undefined && insertbefore !== 'BOF') insertre = pyRegex(insertbefore);

  const marker0 = `${marker.replaceAll('{mark}', a.marker_begin ?? 'BEGIN')}\n`;
  const marker1 = `${marker.replaceAll('{mark}', a.marker_end ?? 'END')}\n`;
  let block = a.block ?? '';
  let blocklines: string[] = [];
  if (present && block !== '') {
    if (!block.endsWith('\n')) block += '\n';
    blocklines = [marker0, ...splitKeepEnds(block), marker1];
  }

  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((l, i) => {
    if (l === marker0) n0 = i;
    if (l === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertre) {
      if (insertre.flags.includes('m')) {
        const original = text ?? '';
        const m = insertre.exec(original);
        if (m) {
          const upto = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = (original.slice(0, upto).match(/\n/g) ?? []).length;
        }
      } else {
        lines.forEach((l, i) => {
          // Python searches the line with its newline; `$` there matches before it.
          if (insertre!.test(l.replace(/\n$/, ''))) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) n0 = 0;
    else n0 = lines.length;
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1]!.endsWith('\n')) lines[n0 - 1] += '\n';
  lines.splice(n0, 0, ...blocklines);
  const result = lines.join('');
  if (text === result) return { content: result, changed: false, msg: '' };
  if (text === undefined) return { content: result, changed: true, msg: 'File created' };
  return { content: result, changed: true, msg: blocklines.length === 0 ? 'Block removed' : 'Block inserted' };
}
