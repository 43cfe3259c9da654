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
  const toks = tokenize(text, base);
  let k = 0;
  const peek = (n = 0): Token => toks[Math.min(k + n, toks.length - 1)]!;
  const next = (): Token => toks[k++]!;
  const fail = (tok: Token, message: string): never => {
    throw new TsplayError({ code: 'E_WHEN_SYNTAX', message, pos: offsetPos(base, text, tok.start) });
  };
  const describe = (tok: Token): string => (tok.kind === 'eof' ? 'end of expression' : `"${text.slice(tok.start, tok.end)}"`);
  const isOp = (tok: Token, v: string): boolean => tok.kind === 'op' && tok.value === v;
  const isName = (tok: Token, v: string): boolean => tok.kind === 'name' && tok.value === v;
  const expectOp = (v: string): Token => {
    const tok = next();
    if (!isOp(tok, v)) fail(tok, `expected "${v}" but found ${describe(tok)}`);
    return tok;
  };

  const args = (close: string): ExprNode[] => {
    const out: ExprNode[] = [];
    if (isOp(peek(), close)) {
      next();
      return out;
    }
    for (;;) {
      out.push(expr(0));
      const tok = next();
      if (isOp(tok, close)) return out;
      if (!isOp(tok, ',')) fail(tok, `expected "," or "${close}" but found ${describe(tok)}`);
      if (isOp(peek(), close)) {
        next();
        return out;
      }
    }
  };

  const prefix = (): ExprNode => {
    const tok = next();
    switch (tok.kind) {
      case 'num':
        return { t: 'lit', v: tok.value, at: tok.start };
      case 'str':
        return { t: 'lit', v: tok.value, at: tok.start };
      case 'name': {
        const name = tok.value as string;
        if (name in LITERAL_NAMES) return { t: 'lit', v: LITERAL_NAMES[name], at: tok.start };
        if (name === 'not') return { t: 'unary', op: 'not', arg: expr(BP.not), at: tok.start };
        if (['and', 'or', 'in', 'is', 'if', 'else'].includes(name)) fail(tok, `unexpected keyword "${name}"`);
        return { t: 'name', name, at: tok.start };
      }
      case 'op':
        if (tok.value === '(') {
          const inner = expr(0);
          expectOp(')');
          return inner;
        }
        if (tok.value === '[') return { t: 'list', items: args(']'), at: tok.start };
        if (tok.value === '{') {
          const entries: [ExprNode, ExprNode][] = [];
          if (isOp(peek(), '}')) next();
          else
            for (;;) {
              const key = expr(0);
              expectOp(':');
              entries.push([key, expr(0)]);
              const sep = next();
              if (isOp(sep, '}')) break;
              if (!isOp(sep, ',')) fail(sep, `expected "," or "}" but found ${describe(sep)}`);
            }
          return { t: 'dict', entries, at: tok.start };
        }
        if (tok.value === '-' || tok.value === '+') return { t: 'unary', op: tok.value, arg: expr(BP.unary), at: tok.start };
        return fail(tok, `unexpected ${describe(tok)}`);
      default:
        return fail(tok, `unexpected ${describe(tok)}`);
    }
  };

  // Filter and test names may be dotted FQCNs (ansible.builtin.bool); only the last part matters.
  const dottedName = (what: string): { name: string; tok: Token } => {
    const tok = next();
    if (tok.kind !== 'name') fail(tok, `expected a ${what} name but found ${describe(tok)}`);
    let name = tok.value as string;
    while (isOp(peek(), '.') && peek(1).kind === 'name') {
      next();
      name = next().value as string;
    }
    return { name, tok };
  };

  const expr = (minBp: number): ExprNode => {
    let left = prefix();
    for (;;) {
      const tok = peek();
      if (tok.kind === 'eof') break;
      if (tok.kind === 'op') {
        const op = tok.value as string;
        if ((op === '.' || op === '[' || op === '(' || op === '|') && BP.postfix > minBp) {
          next();
          if (op === '.') {
            const nameTok = next();
            if (nameTok.kind === 'name') {
              const name = nameTok.value as string;
              if (isOp(peek(), '(')) {
                next();
                left = { t: 'call', obj: left, method: name, args: args(')'), at: nameTok.start };
              } else left = { t: 'attr', obj: left, name, at: nameTok.start };
            } else if (nameTok.kind === 'num' && Number.isInteger(nameTok.value)) {
              left = { t: 'index', obj: left, index: { t: 'lit', v: nameTok.value, at: nameTok.start }, at: nameTok.start };
            } else fail(nameTok, `expected an attribute name after "." but found ${describe(nameTok)}`);
          } else if (op === '[') {
            const index = expr(0);
            expectOp(']');
            left = { t: 'index', obj: left, index, at: tok.start };
          } else if (op === '|') {
            const { name, tok: nameTok } = dottedName('filter');
            let fargs: ExprNode[] = [];
            if (isOp(peek(), '(')) {
              next();
              fargs = args(')');
            }
            left = { t: 'filter', arg: left, name, args: fargs, at: nameTok.start };
          } else fail(tok, `unexpected "(": only filters, tests and string methods can be called`);
          continue;
        }
        if (op === '**' && BP.pow > minBp) {
          next();
          left = { t: 'bin', op: '**', l: left, r: expr(BP.pow - 1), at: tok.start };
          continue;
        }
        const bp = op === '*' || op === '/' || op === '//' || op === '%' ? BP.mul : op === '+' || op === '-' ? BP.add : op === '~' ? BP.concat : CMP_OPS.has(op) ? BP.cmp : 0;
        if (bp === 0) {
          if ([')', ']', '}', ',', ':'].includes(op)) break;
          fail(tok, `unexpected ${describe(tok)}`);
        }
        if (bp <= minBp) break;
        next();
        left = { t: 'bin', op: op as BinOp, l: left, r: expr(bp), at: tok.start };
        continue;
      }
      if (tok.kind === 'name') {
        const word = tok.value as string;
        if (word === 'or' || word === 'and') {
          const bp = word === 'or' ? BP.or : BP.and;
          if (bp <= minBp) break;
          next();
          left = { t: 'bin', op: word, l: left, r: expr(bp), at: tok.start };
          continue;
        }
        if (word === 'in' || (word === 'not' && isName(peek(1), 'in'))) {
          if (BP.cmp <= minBp) break;
          next();
          if (word === 'not') next();
          left = { t: 'bin', op: word === 'in' ? 'in' : 'not in', l: left, r: expr(BP.cmp), at: tok.start };
          continue;
        }
        if (word === 'is') {
          if (BP.cmp <= minBp) break;
          next();
          let negate = false;
          if (isName(peek(), 'not')) {
            next();
            negate = true;
          }
          const nt = peek();
          // `is none`, `is true` use literal words as test names
          if (nt.kind !== 'name') fail(nt, `expected a test name after "is" but found ${describe(nt)}`);
          const { name, tok: nameTok } = dottedName('test');
          let targs: ExprNode[] = [];
          if (isOp(peek(), '(')) {
            next();
            targs = args(')');
          } else if (peek().kind === 'num' || peek().kind === 'str') {
            const lit = next();
            targs = [{ t: 'lit', v: lit.value, at: lit.start }];
          }
          left = { t: 'test', arg: left, name, args: targs, negate, at: nameTok.start };
          continue;
        }
        if (word === 'if') {
          if (BP.cond <= minBp) break;
          next();
          const test = expr(BP.cond);
          let other: ExprNode | undefined;
          if (isName(peek(), 'else')) {
            next();
            other = expr(BP.cond - 1);
          }
          left = { t: 'cond', test, then: left, else: other, at: tok.start };
          continue;
        }
        if (word === 'else') break;
      }
      fail(tok, `unexpected ${describe(tok)} (missing operator?)`);
    }
    return left;
  };

  const root = expr(0);
  const end = peek();
  if (end.kind !== 'eof') fail(end, `unexpected ${describe(end)}`);
  return root;
}
