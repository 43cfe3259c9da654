import { ShlexError, shlexSplit as pyShlexSplit } from '../py/shlex.ts';

const COMMENTS = { comments: true } as const;

/** ShlexResult is a line split into words, or the reason Python's shlex would refuse it. */
export type ShlexResult =
  | { ok: true; words: string[] /** 1-based column of a `#` that cut a word short (it still starts a comment) */; midWordHash?: number }
  | { ok: false; error: string; col: number };

/**
 * shlexSplit splits one kickstart line exactly as pykickstart does (`shlex.split(line, comments=True)`,
 * POSIX mode) — the same tokenizer Ansible's INI inventory uses — and
 * also says where a `#` cut a word short (`--pass=a#b` is `--pass=a`), which lint reports.
 */
export function shlexSplit(line: string): ShlexResult {
  let words: string[];
  try {
    words = pyShlexSplit(line, COMMENTS);
  } catch (e) {
    if (e instanceof ShlexError) return { ok: false, error: e.message, col: e.offset + 1 };
    throw e;
  }
  const hash = commentStart(line);
  return hash !== undefined && endsInWord(line.slice(0, hash)) ? { ok: true, words, midWordHash: hash + 1 } : { ok: true, words };
}

/**
 * commentStart is the 0-based offset of the `#` where shlex stopped, if any. Why the prefix test: a
 * `#` inside quotes or after `\` leaves its prefix with an open quote or a dangling escape, so the
 * first `#` whose prefix splits cleanly is the one that starts the comment.
 */
function commentStart(line: string): number | undefined {
  for (let at = line.indexOf('#'); at >= 0; at = line.indexOf('#', at + 1)) {
    try {
      pyShlexSplit(line.slice(0, at), COMMENTS);
      return at;
    } catch (e) {
      if (!(e instanceof ShlexError)) throw e;
    }
  }
  return undefined;
}

/** endsInWord: a letter appended to `prefix` would join its last word rather than start a new one. */
function endsInWord(prefix: string): boolean {
  return pyShlexSplit(`${prefix}x`, COMMENTS).length === pyShlexSplit(prefix, COMMENTS).length;
}
