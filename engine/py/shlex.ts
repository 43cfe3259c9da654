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
const BASE_WORDCHARS = 'abcdfeghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_' + 'ßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ';

/** shlexTokens splits text as Python's shlex (posix=True) does, keeping where each word starts. */
export function shlexTokens(text: string, opts: ShlexOptions = {}): ShlexToken[] {
  const lexer = new Lexer(text, opts);
  const out: ShlexToken[] = [];
  for (let t = lexer.readToken(); t !== null; t = lexer.readToken()) out.push(t);
  return out;
}

/** Step tells read_token's loop whether the current token is complete. */
type Step = 'more' | 'done';

/**
 * Lexer is shlex's `read_token` state machine: `state` is ' ' (between words), 'a' (in a word),
 * 'c' (in a punctuation run), a quote character, '\\' (after an escape) or null (end of input).
 * One method per state keeps each of Python's branches recognisable.
 */
class Lexer {
  private readonly text: string;
  private readonly whitespaceSplit: boolean;
  private readonly commenters: string;
  private readonly punct: string;
  private readonly wordchars: string;
  private pos = 0;
  // characters pushed back carry their offsets so token starts stay right
  private readonly pushback: number[] = [];
  private state: string | null = ' ';
  private token = '';
  private quoted = false;
  private escapedState = ' ';
  private start = -1;
  private quoteStart = 0;

  constructor(text: string, opts: ShlexOptions) {
    this.text = text;
    this.whitespaceSplit = opts.whitespaceSplit ?? true;
    this.commenters = opts.comments ? '#' : '';
    this.punct = opts.punctuationChars === true ? '();<>|&' : opts.punctuationChars || '';
    const punct = this.punct;
    this.wordchars = punct ? [...`${BASE_WORDCHARS}~-./*?=`].filter((c) => !punct.includes(c)).join('') : BASE_WORDCHARS;
  }

  /** readToken returns the next word, or null at the end of the text. */
  readToken(): ShlexToken | null {
    while (this.state !== null) {
      this.token = '';
      this.quoted = false;
      this.escapedState = ' ';
      this.start = -1;
      this.quoteStart = 0;
      for (;;) {
        const { c, at } = this.next();
        if (this.state === null || this.step(c, at) === 'done') break;
      }
      if (this.token !== '' || this.quoted) return { text: this.token, offset: this.start };
    }
    return null;
  }

  private next(): { c: string; at: number } {
    const at = this.pushback.length > 0 ? (this.pushback.pop() as number) : this.pos++;
    return { c: at < this.text.length ? (this.text[at] as string) : '', at };
  }

  private skipLine(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl + 1;
  }

  private step(c: string, at: number): Step {
    const state = this.state as string;
    if (state === ' ') return this.between(c, at);
    if (isIn(state, QUOTES)) return this.inQuotes(c, state);
    if (state === '\\') return this.escaped(c, at);
    return this.inWord(c, at, state);
  }

  private between(c: string, at: number): Step {
    if (c === '') {
      this.state = null;
      return 'done';
    }
    if (isIn(c, WHITESPACE)) return this.token || this.quoted ? 'done' : 'more';
    if (isIn(c, this.commenters)) {
      this.skipLine();
      return 'more';
    }
    this.start = at;
    if (c === '\\') {
      this.escapedState = 'a';
      this.state = c;
    } else if (isIn(c, this.wordchars)) {
      this.token = c;
      this.state = 'a';
    } else if (isIn(c, this.punct)) {
      this.token = c;
      this.state = 'c';
    } else if (isIn(c, QUOTES)) {
      this.quoteStart = at;
      this.state = c;
    } else if (this.whitespaceSplit) {
      this.token = c;
      this.state = 'a';
    } else {
      this.token = c;
      return 'done';
    }
    return 'more';
  }

  private inQuotes(c: string, quote: string): Step {
    this.quoted = true;
    if (c === '') throw new ShlexError('No closing quotation', this.quoteStart);
    if (c === quote) this.state = 'a';
    else if (c === '\\' && quote === '"') {
      this.escapedState = quote;
      this.state = c;
    } else this.token += c;
    return 'more';
  }

  private escaped(c: string, at: number): Step {
    if (c === '') throw new ShlexError('No escaped character', at - 1);
    // within quotes only the quote itself or the escape character may be escaped
    if (isIn(this.escapedState, QUOTES) && c !== '\\' && c !== this.escapedState) this.token += '\\';
    this.token += c;
    this.state = this.escapedState;
    return 'more';
  }

  // state 'a' (a word) or 'c' (a run of punctuation)
  private inWord(c: string, at: number, state: string): Step {
    const ended = (): Step => {
      this.state = ' ';
      return this.token || this.quoted ? 'done' : 'more';
    };
    if (c === '') {
      this.state = null;
      return 'done';
    }
    if (isIn(c, WHITESPACE)) return ended();
    if (isIn(c, this.commenters)) {
      this.skipLine();
      return ended();
    }
    if (state === 'c') {
      if (isIn(c, this.punct)) {
        this.token += c;
        return 'more';
      }
      if (!isIn(c, WHITESPACE)) this.pushback.push(at);
      this.state = ' ';
      return 'done';
    }
    if (isIn(c, QUOTES)) {
      this.quoteStart = at;
      this.state = c;
    } else if (c === '\\') {
      this.escapedState = 'a';
      this.state = c;
    } else if (isIn(c, this.wordchars) || (this.whitespaceSplit && !isIn(c, this.punct))) {
      this.token += c;
    } else {
      this.pushback.push(at);
      return ended();
    }
    return 'more';
  }
}

function isIn(c: string, set: string): boolean {
  return c !== '' && set.includes(c);
}

/** shlexSplit is Python's `shlex.split(text, comments=...)` (POSIX mode): the words of `text`. */
export function shlexSplit(text: string, opts: ShlexOptions = {}): string[] {
  return shlexTokens(text, opts).map((t) => t.text);
}
