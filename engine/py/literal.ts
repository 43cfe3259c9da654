// A port of the part of Python's ast.literal_eval that INI inventory values go through.
// Ansible types `x=42` as an int and `x=[1, 2]` as a list this way; anything literal_eval
// refuses (names, operators, syntax errors) stays the raw string, so every failure here
// simply means "keep the text". Python ints are unbounded: one beyond 2^53 becomes a bigint.
import { markFloat, markTuple } from './marks.ts';
import { pyInt } from './int.ts';

class NotLiteral extends Error {}

interface Tok {
  readonly kind: 'num' | 'str' | 'bytes' | 'name' | 'op';
  readonly text: string;
  readonly value?: string | number | bigint;
  readonly float?: boolean;
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };

function unescapeBody(body: string, raw: boolean, bytes: boolean): string {
  if (raw) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[i + 1];
    if (n === undefined) throw new NotLiteral();
    i++;
    if (n in ESCAPES) out += ESCAPES[n];
    else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i)) ?? [''];
      out += String.fromCodePoint(parseInt(m[0], 8));
      i += m[0].length - 1;
    } else if (n === 'x') {
      const h = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new NotLiteral();
      out += String.fromCodePoint(parseInt(h, 16));
      i += 2;
    } else if (!bytes && (n === 'u' || n === 'U')) {
      const len = n === 'u' ? 4 : 8;
      const h = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw new NotLiteral();
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff) throw new NotLiteral();
      out += String.fromCodePoint(cp);
      i += len;
    } else if (!bytes && n === 'N')
      throw new NotLiteral(); // \N{NAME}: no name table here
    else out += `\\${n}`; // unknown escapes stay as written, as in Python
  }
  return out;
}

const NUMBER = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][-+]?[0-9](?:_?[0-9])*)?)/;

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') break;
    const strStart = /^([rRbBuUfF]{0,2})(['"])/.exec(src.slice(i));
    if (strStart && (strStart[1] === '' || /^(?:[rR]|[uU]|[bB]|[fF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/.test(strStart[1] ?? ''))) {
      const prefix = (strStart[1] ?? '').toLowerCase();
      if (prefix.includes('f')) throw new NotLiteral(); // f-strings are not literals
      const q = strStart[2] ?? "'";
      let j = i + (strStart[1] ?? '').length;
      const triple = src.startsWith(q.repeat(3), j);
      const delim = triple ? q.repeat(3) : q;
      j += delim.length;
      const bodyStart = j;
      for (;;) {
        if (j >= src.length) throw new NotLiteral();
        if (src[j] === '\\') {
          j += 2;
          continue;
        }
        if (src.startsWith(delim, j)) break;
        j++;
      }
      const body = src.slice(bodyStart, j);
      const bytes = prefix.includes('b');
      if (bytes && /[^\x00-\x7f]/.test(body)) throw new NotLiteral();
      toks.push({ kind: bytes ? 'bytes' : 'str', text: src.slice(i, j + delim.length), value: unescapeBody(body, prefix.includes('r'), bytes) });
      i = j + delim.length;
      continue;
    }
    if (/[0-9.]/.test(c) && /^\.?[0-9]/.test(src.slice(i))) {
      const m = NUMBER.exec(src.slice(i));
      if (!m) throw new NotLiteral();
      const text = m[0];
      const after = src[i + text.length] ?? '';
      if (/[\p{L}\p{N}_]/u.test(after)) throw new NotLiteral(); // 12abc, 1j (complex), 0777
      const clean = text.replace(/_/g, '');
      let value: number | bigint;
      let float = false;
      if (/^0[xXoObB]/.test(clean)) value = pyInt(BigInt(clean));
      else if (/[.eE]/.test(clean)) {
        value = Number(clean.startsWith('.') ? `0${clean}` : clean.endsWith('.') ? `${clean}0` : clean);
        float = true;
      } else {
        if (/^0+[1-9]/.test(clean)) throw new NotLiteral(); // leading zeros are a SyntaxError in Python 3
        value = pyInt(BigInt(clean));
      }
      toks.push({ kind: 'num', text, value, float });
      i += text.length;
      continue;
    }
    const name = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(i));
    if (name) {
      toks.push({ kind: 'name', text: name[0] });
      i += name[0].length;
      continue;
    }
    if ('()[]{},:+-'.includes(c)) {
      toks.push({ kind: 'op', text: c });
      i++;
      continue;
    }
    throw new NotLiteral();
  }
  return toks;
}

interface Parsed {
  readonly value: unknown;
  readonly float: boolean;
}

class Parser {
  private pos = 0;
  private readonly toks: Tok[];
  constructor(toks: Tok[]) {
    this.toks = toks;
  }

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.text === text;
  }
  private expectOp(text: string): void {
    if (!this.isOp(text)) throw new NotLiteral();
    this.pos++;
  }

  parseTop(): Parsed {
    const v = this.parseTupleOrExpr(true);
    if (this.pos !== this.toks.length) throw new NotLiteral();
    return v;
  }

  /** an expression list: `a` or `a, b` (a tuple) */
  private parseTupleOrExpr(top: boolean): Parsed {
    const first = this.parseExpr();
    if (!this.isOp(',')) return first;
    const items: Parsed[] = [first];
    while (this.isOp(',')) {
      this.pos++;
      if (this.peek() === undefined || (!top && this.isOp(')'))) break;
      items.push(this.parseExpr());
    }
    return { value: this.seq(items, true), float: false };
  }

  private seq(items: Parsed[], tuple: boolean): unknown[] {
    const arr = items.map((p) => p.value);
    items.forEach((p, i) => p.float && markFloat(arr, i));
    if (tuple) markTuple(arr);
    return arr;
  }

  private parseExpr(): Parsed {
    const t = this.peek();
    if (t === undefined) throw new NotLiteral();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.pos++;
      const operand = this.parseAtom();
      // literal_eval allows one sign directly on an int/float constant only
      const v = operand.value;
      if (typeof v === 'bigint') return { value: pyInt(t.text === '-' ? -v : v), float: false };
      if (typeof v !== 'number') throw new NotLiteral();
      return { value: t.text === '-' ? -v : v, float: operand.float };
    }
    const v = this.parseAtom();
    if (this.isOp('+') || this.isOp('-')) throw new NotLiteral(); // binary ops: only complex literals, unsupported
    return v;
  }

  private parseAtom(): Parsed {
    const t = this.peek();
    if (t === undefined) throw new NotLiteral();
    this.pos++;
    if (t.kind === 'num') return { value: t.value, float: t.float ?? false };
    if (t.kind === 'str' || t.kind === 'bytes') {
      let s = String(t.value);
      // adjacent string literals concatenate; str and bytes cannot mix
      while (this.peek()?.kind === t.kind) s += String(this.toks[this.pos++]?.value);
      if (this.peek()?.kind === 'str' || this.peek()?.kind === 'bytes') throw new NotLiteral();
      return { value: s, float: false };
    }
    if (t.kind === 'name') {
      if (t.text === 'True') return { value: true, float: false };
      if (t.text === 'False') return { value: false, float: false };
      if (t.text === 'None') return { value: null, float: false };
      throw new NotLiteral();
    }
    if (t.text === '(') {
      if (this.isOp(')')) {
        this.pos++;
        return { value: this.seq([], true), float: false };
      }
      const inner = this.parseTupleOrExpr(false);
      this.expectOp(')');
      return inner;
    }
    if (t.text === '[') {
      const items: Parsed[] = [];
      while (!this.isOp(']')) {
        items.push(this.parseExpr());
        if (!this.isOp(',')) break;
        this.pos++;
      }
      this.expectOp(']');
      return { value: this.seq(items, false), float: false };
    }
    if (t.text === '{') {
      const obj: Record<string, unknown> = {};
      if (this.isOp('}')) {
        this.pos++;
        return { value: obj, float: false };
      }
      while (!this.isOp('}')) {
        const k = this.parseExpr();
        if (!this.isOp(':')) throw new NotLiteral(); // a set: JSON cannot hold it either
        this.pos++;
        const v = this.parseExpr();
        if (k.value !== null && typeof k.value === 'object') throw new NotLiteral();
        const key = typeof k.value === 'string' ? k.value : k.value === true ? 'True' : k.value === false ? 'False' : k.value === null ? 'None' : String(k.value);
        obj[key] = v.value;
        if (v.float) markFloat(obj, key);
        if (!this.isOp(',')) break;
        this.pos++;
      }
      this.expectOp('}');
      return { value: obj, float: false };
    }
    throw new NotLiteral();
  }
}

/** PyLiteral is the outcome of literalEval: the value, and whether a number is a Python float. */
export interface PyLiteral {
  readonly value: unknown;
  readonly float: boolean;
}

/**
 * literalEval types a string as Python's ast.literal_eval does, falling back to the string
 * itself when Python would raise ValueError or SyntaxError (which is what Ansible's INI plugin does).
 */
export function literalEval(text: string): PyLiteral {
  try {
    const toks = tokenize(text.replace(/^[ \t]+/, ''));
    if (toks.length === 0) return { value: text, float: false };
    return new Parser(toks).parseTop();
  } catch (e) {
    // RangeError: nesting too deep for the recursive parser, where Python's parser gives up too
    if (e instanceof NotLiteral || e instanceof RangeError) return { value: text, float: false };
    throw e;
  }
}
