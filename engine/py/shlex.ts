// A port of Python's shlex in POSIX mode (Lib/shlex.py, 3.11). Ansible's INI plugin and
// pykickstart cut lines with `shlex.split(line, comments=True)`, the command module and the ssh
// plugin's extra args with `shlex.split(text)`. Its quirks matter: `#` starts a comment even in the
// middle of a word (`a=b#c` is `a=b`), a comment runs to the end of its line only, inside double
// quotes a backslash escapes only `"` and `\`, and vertical tab/form feed are not whitespace.

/** ShlexError says why text could not be split (Python's ValueError), with the 0-based offset where it went wrong. */
export class ShlexError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** ShlexToken is one word of split text and the 0-based offset where it starts. */
export interface ShlexToken {
  readonly text: string;
  readonly offset: number;
}

/** ShlexOptions are the shlex attributes callers set (defaults are shlex.split's). */
export interface ShlexOptions {
  /** `#` starts a comment (shlex.split's comments=True) */
  readonly comments?: boolean;
  /** split only on whitespace (shlex.split sets it); false splits at non-word characters too */
  readonly whitespaceSplit?: boolean;
  /** punctuation_chars: true for `();<>|&`, or the characters themselves */
  readonly punctuationChars?: boolean | string;
}

const WHITESPACE = ' \t\r\n';
const QUOTES = `'"`;
const BASE_WORDCHARS =
  'abcdfeghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_' +
  'ßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ';

/** shlexTokens splits text as Python's shlex (posix=True) does, keeping where each word starts. */
export function shlexTokens(text: string, opts: ShlexOptions = {}): ShlexToken[] {
  const whitespaceSplit = opts.whitespaceSplit ?? true;
  const commenters = opts.comments ? '#' : '';
  const punct = opts.punctuationChars === true ? '();<>|&' : opts.punctuationChars || '';
  let wordchars = BASE_WORDCHARS;
  if (punct) wordchars = [...`${wordchars}~-./*?=`].filter((c) => !punct.includes(c)).join('');
  const isIn = (c: string, set: string): boolean => c !== '' && set.includes(c);

  const out: ShlexToken[] = [];
  let pos = 0;
  // characters pushed back carry their offsets so token starts stay right
  const pushback: number[] = [];
  let state: string | null = ' ';
  const next = (): { c: string; at: number } => {
    const at = pushback.length > 0 ? (pushback.pop() as number) : pos++;
    return { c: at < text.length ? (text[at] as string) : '', at };
  };
  const skipLine = (): void => {
    const nl = text.indexOf('\n', pos);
    pos = nl < 0 ? text.length : nl + 1;
  };

  while (state !== null) {
    let token = '';
    let quoted = false;
    let escapedState = ' ';
    let start = -1;
    let quoteStart = 0;
    for (;;) {
      const { c, at } = next();
      if (state === null) break;
      if (state === ' ') {
        if (c === '') {
          state = null;
          break;
        } else if (isIn(c, WHITESPACE)) {
          if (token || quoted) break;
        } else if (isIn(c, commenters)) {
          skipLine();
        } else if (c === '\\') {
          start = at;
          escapedState = 'a';
          state = c;
        } else if (isIn(c, wordchars)) {
          start = at;
          token = c;
          state = 'a';
        } else if (isIn(c, punct)) {
          start = at;
          token = c;
          state = 'c';
        } else if (isIn(c, QUOTES)) {
          start = at;
          quoteStart = at;
          state = c;
        } else if (whitespaceSplit) {
          start = at;
          token = c;
          state = 'a';
        } else {
          start = at;
          token = c;
          break;
        }
      } else if (isIn(state, QUOTES)) {
        quoted = true;
        if (c === '') throw new ShlexError('No closing quotation', quoteStart);
        if (c === state) state = 'a';
        else if (c === '\\' && state === '"') {
          escapedState = state;
          state = c;
        } else token += c;
      } else if (state === '\\') {
        if (c === '') throw new ShlexError('No escaped character', at - 1);
        // within quotes only the quote itself or the escape character may be escaped
        if (isIn(escapedState, QUOTES) && c !== state && c !== escapedState) token += state;
        token += c;
        state = escapedState;
      } else {
        // state 'a' (a word) or 'c' (a run of punctuation)
        if (c === '') {
          state = null;
          break;
        } else if (isIn(c, WHITESPACE)) {
          state = ' ';
          if (token || quoted) break;
        } else if (isIn(c, commenters)) {
          skipLine();
          state = ' ';
          if (token || quoted) break;
        } else if (state === 'c') {
          if (isIn(c, punct)) token += c;
          else {
            if (!isIn(c, WHITESPACE)) pushback.push(at);
            state = ' ';
            break;
          }
        } else if (isIn(c, QUOTES)) {
          quoteStart = at;
          state = c;
        } else if (c === '\\') {
          escapedState = 'a';
          state = c;
        } else if (isIn(c, wordchars) || isIn(c, QUOTES) || (whitespaceSplit && !isIn(c, punct))) {
          token += c;
        } else {
          pushback.push(at);
          state = ' ';
          if (token || quoted) break;
        }
      }
    }
    if (token !== '' || quoted) out.push({ text: token, offset: start });
  }
  return out;
}

/** shlexSplit is Python's `shlex.split(text, comments=...)` (POSIX mode): the words of `text`. */
export function shlexSplit(text: string, opts: ShlexOptions = {}): string[] {
  return shlexTokens(text, opts).map((t) => t.text);
}
