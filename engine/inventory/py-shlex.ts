// A port of Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible's INI plugin
// uses to cut host lines. Its quirks matter for compatibility: `#` starts a comment even in the
// middle of a word (`a=b#c` is `a=b`), and quotes are removed before values are typed.

/** ShlexError says why a line could not be split, with the 0-based offset where it went wrong. */
export class ShlexError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** ShlexToken is one word of a split line and the 0-based offset where it starts. */
export interface ShlexToken {
  readonly text: string;
  readonly offset: number;
}

const WHITESPACE = ' \t\r\n';

/** shlexSplit splits a line as Python's shlex.split(line, comments=True) does. */
export function shlexSplit(line: string): ShlexToken[] {
  const out: ShlexToken[] = [];
  let state: string = ' ';
  let token = '';
  let quoted = false;
  let escapedState = ' ';
  let start = 0;
  let quoteStart = 0;
  const emit = (): void => {
    if (token !== '' || quoted) out.push({ text: token, offset: start });
    token = '';
    quoted = false;
  };
  for (let i = 0; i <= line.length; i++) {
    const c = i < line.length ? (line[i] ?? '') : '';
    if (state === ' ') {
      if (c === '') break;
      if (WHITESPACE.includes(c)) continue;
      if (c === '#') break;
      start = i;
      if (c === '\\') {
        escapedState = 'a';
        state = '\\';
      } else if (c === '"' || c === "'") {
        quoteStart = i;
        state = c;
      } else {
        token = c;
        state = 'a';
      }
    } else if (state === '"' || state === "'") {
      quoted = true;
      if (c === '') throw new ShlexError('No closing quotation', quoteStart);
      if (c === state) state = 'a';
      else if (c === '\\' && state === '"') {
        escapedState = state;
        state = '\\';
      } else token += c;
    } else if (state === '\\') {
      if (c === '') throw new ShlexError('No escaped character', i - 1);
      // inside double quotes a backslash only escapes `"` and `\`
      if ((escapedState === '"' || escapedState === "'") && c !== escapedState && c !== '\\') token += '\\';
      token += c;
      state = escapedState;
    } else {
      // state 'a': inside a word
      if (c === '') {
        emit();
        break;
      }
      if (WHITESPACE.includes(c)) {
        emit();
        state = ' ';
      } else if (c === '#') {
        emit();
        state = ' ';
        break;
      } else if (c === '"' || c === "'") {
        quoteStart = i;
        state = c;
      } else if (c === '\\') {
        escapedState = 'a';
        state = '\\';
      } else token += c;
    }
  }
  return out;
}
