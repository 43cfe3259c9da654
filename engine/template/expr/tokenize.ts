import type { SourcePos } from '../../errors/index.ts';
import { TsplayError } from '../../errors/index.ts';
import { parsePyInt } from '../../py/int.ts';

/** TokenKind is the lexical class of an expression token. */
export type TokenKind = 'num' | 'str' | 'name' | 'op' | 'eof';

/** Token is one lexeme with its offsets into the expression text. */
export interface Token {
  readonly kind: TokenKind;
  /** the decoded value: number for `num`, unescaped text for `str`, the spelling otherwise */
  readonly value: string | number | bigint;
  readonly start: number;
  readonly end: number;
}

// Longest operators first so `//` wins over `/` and `**` over `*`.
const OPERATORS = ['**', '//', '==', '!=', '<=', '>=', '(', ')', '[', ']', '{', '}', ',', '.', ':', '|', '+', '-', '*', '/', '%', '~', '<', '>'];
const NAME_START = /[A-Za-z_]/;
const NAME_REST = /[A-Za-z0-9_]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

/** offsetPos maps an offset in an expression to a file position, given where the expression text starts. */
export function offsetPos(base: SourcePos, text: string, offset: number): SourcePos {
  let line = base.line;
  let col = base.col;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { file: base.file, line, col };
}

/** tokenize splits a Jinja-style expression; a character that starts no token is E_WHEN_SYNTAX at its column. */
export function tokenize(text: string, base: SourcePos): Token[] {
  const out: Token[] = [];
  const fail = (offset: number, message: string): never => {
    throw new TsplayError({ code: 'E_WHEN_SYNTAX', message, pos: offsetPos(base, text, offset) });
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      i += m[0].length;
      out.push({ kind: 'num', value: /^[0-9]+$/.test(m[0]) ? parsePyInt(m[0]) : Number(m[0]), start, end: i });
      continue;
    }
    if (ch === "'" || ch === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) fail(start, `unterminated string starting here`);
        const c = text[i]!;
        if (c === ch) {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < text.length) {
          const n = text[i + 1]!;
          s += ESCAPES[n] ?? `\\${n}`;
          i += 2;
          continue;
        }
        s += c;
        i++;
      }
      out.push({ kind: 'str', value: s, start, end: i });
      continue;
    }
    if (NAME_START.test(ch)) {
      while (i < text.length && NAME_REST.test(text[i]!)) i++;
      out.push({ kind: 'name', value: text.slice(start, i), start, end: i });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) fail(i, `unexpected character ${JSON.stringify(ch)}`);
    i += op!.length;
    out.push({ kind: 'op', value: op!, start, end: i });
  }
  out.push({ kind: 'eof', value: '', start: text.length, end: text.length });
  return out;
}
