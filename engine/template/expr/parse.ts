import type { SourcePos } from '../../errors/index.ts';
import { TsplayError } from '../../errors/index.ts';
import type { BinOp, ExprNode } from './ast.ts';
import { offsetPos, tokenize, type Token } from './tokenize.ts';

// Binding powers follow Jinja's grammar: or < and < not < comparisons < ~ < + - < * / // % < unary < ** < | . [] ()
const BP = { cond: 5, or: 10, and: 20, not: 30, cmp: 40, concat: 50, add: 60, mul: 70, unary: 80, pow: 90, postfix: 110 } as const;
const CMP_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);
const LITERAL_NAMES: Record<string, unknown> = { true: true, True: true, false: false, False: false, none: null, None: null, null: null };

/**
 * parseExpr turns a Jinja-style expression into an ExprNode; any syntax error is E_WHEN_SYNTAX
 * at the file position of the offending token (base is where the expression text starts).
 */
export function parseExpr(text: string, base: SourcePos): ExprNode {
  const p = new Parser(text, base);
  const root = p.expr(0);
  const end = p.peek();
  if (end.kind !== 'eof') p.fail(end, `unexpected ${p.describe(end)}`);
  return root;
}

/** Infix is what one step of the Pratt loop did: extended `left`, or stopped at a lower binding power. */
type Infix = ExprNode | 'stop';

/** Parser is a Pratt parser over the token list: one method per prefix form and per operator family. */
class Parser {
  private readonly toks: Token[];
  private k = 0;
  private readonly text: string;
  private readonly base: SourcePos;

  constructor(text: string, base: SourcePos) {
    this.text = text;
    this.base = base;
    this.toks = tokenize(text, base);
  }

  peek(n = 0): Token {
    return this.toks[Math.min(this.k + n, this.toks.length - 1)]!;
  }

  private next(): Token {
    return this.toks[this.k++]!;
  }

  fail(tok: Token, message: string): never {
    throw new TsplayError({ code: 'E_WHEN_SYNTAX', message, pos: offsetPos(this.base, this.text, tok.start) });
  }

  describe(tok: Token): string {
    return tok.kind === 'eof' ? 'end of expression' : `"${this.text.slice(tok.start, tok.end)}"`;
  }

  private expectOp(v: string): Token {
    const tok = this.next();
    if (!isOp(tok, v)) this.fail(tok, `expected "${v}" but found ${this.describe(tok)}`);
    return tok;
  }

  private args(close: string): ExprNode[] {
    const out: ExprNode[] = [];
    if (isOp(this.peek(), close)) {
      this.next();
      return out;
    }
    for (;;) {
      out.push(this.expr(0));
      const tok = this.next();
      if (isOp(tok, close)) return out;
      if (!isOp(tok, ',')) this.fail(tok, `expected "," or "${close}" but found ${this.describe(tok)}`);
      if (isOp(this.peek(), close)) {
        this.next();
        return out;
      }
    }
  }

  private prefix(): ExprNode {
    const tok = this.next();
    switch (tok.kind) {
      case 'num':
      case 'str':
        return { t: 'lit', v: tok.value, at: tok.start };
      case 'name': {
        const name = tok.value as string;
        if (name in LITERAL_NAMES) return { t: 'lit', v: LITERAL_NAMES[name], at: tok.start };
        if (name === 'not') return { t: 'unary', op: 'not', arg: this.expr(BP.not), at: tok.start };
        if (['and', 'or', 'in', 'is', 'if', 'else'].includes(name)) this.fail(tok, `unexpected keyword "${name}"`);
        return { t: 'name', name, at: tok.start };
      }
      case 'op':
        if (tok.value === '(') {
          const inner = this.expr(0);
          this.expectOp(')');
          return inner;
        }
        if (tok.value === '[') return { t: 'list', items: this.args(']'), at: tok.start };
        if (tok.value === '{') return this.dict(tok);
        if (tok.value === '-' || tok.value === '+') return { t: 'unary', op: tok.value, arg: this.expr(BP.unary), at: tok.start };
        return this.fail(tok, `unexpected ${this.describe(tok)}`);
      default:
        return this.fail(tok, `unexpected ${this.describe(tok)}`);
    }
  }

  private dict(open: Token): ExprNode {
    const entries: [ExprNode, ExprNode][] = [];
    if (isOp(this.peek(), '}')) this.next();
    else
      for (;;) {
        const key = this.expr(0);
        this.expectOp(':');
        entries.push([key, this.expr(0)]);
        const sep = this.next();
        if (isOp(sep, '}')) break;
        if (!isOp(sep, ',')) this.fail(sep, `expected "," or "}" but found ${this.describe(sep)}`);
      }
    return { t: 'dict', entries, at: open.start };
  }

  // Filter and test names may be dotted FQCNs (ansible.builtin.bool); only the last part matters.
  private dottedName(what: string): { name: string; tok: Token } {
    const tok = this.next();
    if (tok.kind !== 'name') this.fail(tok, `expected a ${what} name but found ${this.describe(tok)}`);
    let name = tok.value as string;
    while (isOp(this.peek(), '.') && this.peek(1).kind === 'name') {
      this.next();
      name = this.next().value as string;
    }
    return { name, tok };
  }

  /** expr parses operators binding tighter than `minBp`, left to right (the Pratt loop). */
  expr(minBp: number): ExprNode {
    let left = this.prefix();
    for (;;) {
      const tok = this.peek();
      if (tok.kind === 'eof') break;
      const step = tok.kind === 'op' ? this.opInfix(left, tok, minBp) : tok.kind === 'name' ? this.wordInfix(left, tok, minBp) : undefined;
      if (step === 'stop') break;
      if (step === undefined) this.fail(tok, `unexpected ${this.describe(tok)} (missing operator?)`);
      left = step;
    }
    return left;
  }

  private opInfix(left: ExprNode, tok: Token, minBp: number): Infix {
    const op = tok.value as string;
    if ((op === '.' || op === '[' || op === '(' || op === '|') && BP.postfix > minBp) {
      this.next();
      return this.postfix(left, tok, op);
    }
    if (op === '**' && BP.pow > minBp) {
      this.next();
      return { t: 'bin', op: '**', l: left, r: this.expr(BP.pow - 1), at: tok.start };
    }
    const bp = op === '*' || op === '/' || op === '//' || op === '%' ? BP.mul : op === '+' || op === '-' ? BP.add : op === '~' ? BP.concat : CMP_OPS.has(op) ? BP.cmp : 0;
    if (bp === 0) {
      if ([')', ']', '}', ',', ':'].includes(op)) return 'stop';
      this.fail(tok, `unexpected ${this.describe(tok)}`);
    }
    if (bp <= minBp) return 'stop';
    this.next();
    return { t: 'bin', op: op as BinOp, l: left, r: this.expr(bp), at: tok.start };
  }

  private postfix(left: ExprNode, tok: Token, op: string): ExprNode {
    if (op === '.') {
      const nameTok = this.next();
      if (nameTok.kind === 'name') {
        const name = nameTok.value as string;
        if (!isOp(this.peek(), '(')) return { t: 'attr', obj: left, name, at: nameTok.start };
        this.next();
        return { t: 'call', obj: left, method: name, args: this.args(')'), at: nameTok.start };
      }
      if (nameTok.kind === 'num' && Number.isInteger(nameTok.value)) {
        return { t: 'index', obj: left, index: { t: 'lit', v: nameTok.value, at: nameTok.start }, at: nameTok.start };
      }
      return this.fail(nameTok, `expected an attribute name after "." but found ${this.describe(nameTok)}`);
    }
    if (op === '[') {
      const index = this.expr(0);
      this.expectOp(']');
      return { t: 'index', obj: left, index, at: tok.start };
    }
    if (op === '|') {
      const { name, tok: nameTok } = this.dottedName('filter');
      let fargs: ExprNode[] = [];
      if (isOp(this.peek(), '(')) {
        this.next();
        fargs = this.args(')');
      }
      return { t: 'filter', arg: left, name, args: fargs, at: nameTok.start };
    }
    return this.fail(tok, `unexpected "(": only filters, tests and string methods can be called`);
  }

  private wordInfix(left: ExprNode, tok: Token, minBp: number): Infix | undefined {
    const word = tok.value as string;
    if (word === 'or' || word === 'and') {
      const bp = word === 'or' ? BP.or : BP.and;
      if (bp <= minBp) return 'stop';
      this.next();
      return { t: 'bin', op: word, l: left, r: this.expr(bp), at: tok.start };
    }
    if (word === 'in' || (word === 'not' && isName(this.peek(1), 'in'))) {
      if (BP.cmp <= minBp) return 'stop';
      this.next();
      if (word === 'not') this.next();
      return { t: 'bin', op: word === 'in' ? 'in' : 'not in', l: left, r: this.expr(BP.cmp), at: tok.start };
    }
    if (word === 'is') return BP.cmp <= minBp ? 'stop' : this.isTest(left);
    if (word === 'if') return BP.cond <= minBp ? 'stop' : this.conditional(left, tok);
    if (word === 'else') return 'stop';
    return undefined;
  }

  private isTest(left: ExprNode): ExprNode {
    this.next();
    let negate = false;
    if (isName(this.peek(), 'not')) {
      this.next();
      negate = true;
    }
    const nt = this.peek();
    // `is none`, `is true` use literal words as test names
    if (nt.kind !== 'name') this.fail(nt, `expected a test name after "is" but found ${this.describe(nt)}`);
    const { name, tok: nameTok } = this.dottedName('test');
    let targs: ExprNode[] = [];
    if (isOp(this.peek(), '(')) {
      this.next();
      targs = this.args(')');
    } else if (this.peek().kind === 'num' || this.peek().kind === 'str') {
      const lit = this.next();
      targs = [{ t: 'lit', v: lit.value, at: lit.start }];
    }
    return { t: 'test', arg: left, name, args: targs, negate, at: nameTok.start };
  }

  private conditional(left: ExprNode, tok: Token): ExprNode {
    this.next();
    const test = this.expr(BP.cond);
    let other: ExprNode | undefined;
    if (isName(this.peek(), 'else')) {
      this.next();
      other = this.expr(BP.cond - 1);
    }
    return { t: 'cond', test, then: left, else: other, at: tok.start };
  }
}

function isOp(tok: Token, v: string): boolean {
  return tok.kind === 'op' && tok.value === v;
}

function isName(tok: Token, v: string): boolean {
  return tok.kind === 'name' && tok.value === v;
}
