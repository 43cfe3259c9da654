/** ShlexResult is a line split into words, or the reason Python's shlex would refuse it. */
export type ShlexResult =
  | { ok: true; words: string[]; /** 1-based column of a `#` that cut a word short (it still starts a comment) */ midWordHash?: number }
  | { ok: false; error: string; col: number };

const WHITESPACE = ' \t\r\n';

/**
 * shlexSplit splits one kickstart line exactly as pykickstart does (`shlex.split(line, comments=True)`,
 * POSIX mode): quotes group, `\` escapes outside quotes and only `"`/`\` inside double quotes, and a `#`
 * that is not inside quotes ends the line even in the middle of a word. Why a faithful copy of the
 * state machine: a kickstart's meaning is whatever this tokenizer makes of it, not what it looks like.
 */
export function shlexSplit(line: string): ShlexResult {
  const words: string[] = [];
  let state: string = ' ';
  let escapedState = 'a';
  let token = '';
  let quoted = false;
  let quoteStart = 0;
  const flush = (): void => {
    if (token !== '' || quoted) words.push(token);
    token = '';
    quoted = false;
  };
  for (let i = 0; i <= line.length; i++) {
    const ch = i < line.length ? line[i]! : '';
    if (state === ' ' || state === 'a') {
      if (ch === '') break;
      if (WHITESPACE.includes(ch)) {
        if (state === 'a') flush();
        state = ' ';
      } else if (ch === '#') {
        const midWord = state === 'a';
        flush();
        return midWord ? { ok: true, words, midWordHash: i + 1 } : { ok: true, words };
      } else if (ch === '\\') {
        escapedState = 'a';
        state = '\\';
      } else if (ch === '"' || ch === "'") {
        quoteStart = i;
        state = ch;
      } else {
        token += ch;
        state = 'a';
      }
    } else if (state === '"' || state === "'") {
      quoted = true;
      if (ch === '') return { ok: false, error: 'No closing quotation', col: quoteStart + 1 };
      if (ch === state) state = 'a';
      else if (ch === '\\' && state === '"') {
        escapedState = state;
        state = '\\';
      } else token += ch;
    } else {
      // escape state: inside double quotes only the quote and the backslash itself are escapable
      if (ch === '') return { ok: false, error: 'No escaped character', col: i };
      if (escapedState !== 'a' && ch !== escapedState && ch !== '\\') token += '\\';
      token += ch;
      state = escapedState;
    }
  }
  if (state === 'a' || quoted) flush();
  return { ok: true, words };
}
