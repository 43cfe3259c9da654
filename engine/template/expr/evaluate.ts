import type { SourcePos } from '../../errors/index.ts';
import { TsplayError } from '../../errors/index.ts';
import type { Vars } from '../../inventory/types.ts';
import { pyRepr, pyStr } from '../../py/repr.ts';
import { pyInt } from '../../py/int.ts';
import { isMapping, pyEqual, truthy, typeName } from '../../py/values.ts';
import type { ExprNode } from './ast.ts';
import { FILTERS, TESTS } from './filters.ts';
import { offsetPos } from './tokenize.ts';
import { isUndef, Undef } from './undefined.ts';
import { templateVars } from '../render.ts';
import { plainOf } from '../lazy-vars.ts';

/** EvalSite locates an expression for error messages: its text, where the text starts, and the task. */
export interface EvalSite {
  readonly text: string;
  readonly pos: SourcePos;
  readonly task?: string | undefined;
  readonly host?: string | undefined;
}

const STRING_METHODS: Record<string, (s: string, args: readonly unknown[]) => unknown> = {
  startswith: (s, [p]) => s.startsWith(pyStr(p)),
  endswith: (s, [p]) => s.endsWith(pyStr(p)),
  strip: (s) => s.trim(),
  lstrip: (s) => s.trimStart(),
  rstrip: (s) => s.trimEnd(),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  split: (s, [sep]) => (sep === undefined || sep === null ? s.trim().split(/\s+/).filter(Boolean) : s.split(pyStr(sep))),
  splitlines: (s) => s.split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== ''),
  replace: (s, [a, b]) => s.split(pyStr(a)).join(pyStr(b)),
  find: (s, [p]) => s.indexOf(pyStr(p)),
  count: (s, [p]) => s.split(pyStr(p)).length - 1,
  isdigit: (s) => /^\d+$/.test(s),
};

const asBig = (v: unknown): bigint | undefined =>
  typeof v === 'bigint' ? v : typeof v === 'boolean' ? BigInt(v) : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined;

/** bigArith does integer arithmetic exactly when an operand is an int beyond 2^53 (a bigint), as Python's unbounded ints do. */
function bigArith(op: string, a: unknown, b: unknown): unknown {
  const x = asBig(a);
  const y = asBig(b);
  // with a float on the other side Python computes in floats: the plain number path does that
  if (x === undefined || y === undefined) return undefined;
  switch (op) {
    case '+':
      return pyInt(x + y);
    case '-':
      return pyInt(x - y);
    case '*':
      return pyInt(x * y);
    case '//':
      if (y === 0n) return undefined;
      return pyInt(x / y - ((x % y !== 0n && (x < 0n) !== (y < 0n)) ? 1n : 0n));
    case '%':
      if (y === 0n) return undefined;
      return pyInt(((x % y) + y) % y);
    case '/':
      return y === 0n ? undefined : Number(x) / Number(y);
  }
  return undefined;
}

/** evaluate runs a parsed expression against variables; errors name the variable and position. */
export function evaluate(node: ExprNode, rawVars: Vars, site: EvalSite): unknown {
  // names are looked up through the lazy view: a variable holding `{{ }}` is rendered when read
  const vars = templateVars(rawVars, { pos: site.pos, task: site.task, host: site.host });
  const where = (at: number): SourcePos => offsetPos(site.pos, site.text, at);
  const undefinedError = (u: Undef, _at: number): never => {
    throw new TsplayError({
      code: 'E_UNDEFINED_VAR',
      message: u.detail !== undefined ? `'${u.missing}' is undefined: ${u.detail}` : u.rootMissing ? `'${u.missing}' is undefined` : `'${u.name}' is undefined: no attribute or item '${u.missing}'`,
      pos: where(u.at),
      task: site.task,
      host: site.host,
      hint: `define it, or guard with "${u.name} is defined" or "|default(...)"`,
    });
  };
  const evalFail = (at: number, message: string): never => {
    throw new TsplayError({ code: 'E_EXPR_EVAL', message, pos: where(at), task: site.task, host: site.host });
  };
  /** need returns a defined value or raises E_UNDEFINED_VAR for the variable it came from */
  const need = (n: ExprNode): unknown => {
    const v = ev(n);
    if (isUndef(v)) undefinedError(v, n.at);
    return v;
  };
  const num = (v: unknown, at: number, op: string): number => {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return Number(v);
    return evalFail(at, `unsupported operand type for ${op}: '${typeName(v)}'`);
  };
  const order = (a: unknown, b: unknown, at: number, op: string): number => {
    if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) - Number(b);
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const x = typeof a === 'boolean' ? Number(a) : a;
      const y = typeof b === 'boolean' ? Number(b) : b;
      // relational operators compare a bigint and a number exactly, as Python compares int and float
      if ((typeof x === 'bigint' || typeof x === 'number') && (typeof y === 'bigint' || typeof y === 'number')) return x < y ? -1 : x > y ? 1 : 0;
    }
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    return evalFail(at, `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  };
  const member = (obj: unknown, key: unknown, label: string, at: number): unknown => {
    const missing = new Undef(label, at, pyStr(key), false);
    if (Array.isArray(obj) || typeof obj === 'string') {
      if (typeof key !== 'number' || !Number.isInteger(key)) return missing;
      const v = obj.at(key);
      return v === undefined ? missing : v;
    }
    if (isMapping(obj)) {
      const k = pyStr(key);
      return Object.hasOwn(obj, k) ? obj[k] : missing;
    }
    return missing;
  };
  const nameOf = (n: ExprNode): string =>
    n.t === 'name' ? n.name : n.t === 'attr' ? `${nameOf(n.obj)}.${n.name}` : n.t === 'index' ? `${nameOf(n.obj)}[${n.index.t === 'lit' ? pyRepr(n.index.v) : '...'}]` : '(expression)';

  const ev = (n: ExprNode): unknown => {
    switch (n.t) {
      case 'lit':
        return n.v;
      case 'name': {
        if (!Object.hasOwn(vars, n.name)) return new Undef(n.name, n.at, n.name, true);
        try {
          return vars[n.name];
        } catch (e) {
          // as in Ansible, a variable whose value uses an undefined one is itself undefined (`is defined`, `default`)
          if (e instanceof TsplayError && e.code === 'E_UNDEFINED_VAR') return new Undef(n.name, n.at, n.name, true, e.message);
          throw e;
        }
      }
      case 'attr': {
        const obj = ev(n.obj);
        return isUndef(obj) ? new Undef(nameOf(n), obj.at, obj.missing, obj.rootMissing, obj.detail) : member(obj, n.name, nameOf(n), n.at);
      }
      case 'index': {
        const obj = ev(n.obj);
        const key = need(n.index);
        return isUndef(obj) ? new Undef(nameOf(n), obj.at, obj.missing, obj.rootMissing, obj.detail) : member(obj, key, nameOf(n), n.index.at);
      }
      case 'list':
        return n.items.map(need);
      case 'dict':
        return Object.fromEntries(n.entries.map(([k, v]) => [pyStr(need(k)), need(v)]));
      case 'unary': {
        const v = need(n.arg);
        if (n.op === 'not') return !truthy(v);
        const x = num(v, n.at, `unary ${n.op}`);
        return n.op === '-' ? -x : x;
      }
      case 'cond':
        return truthy(need(n.test)) ? need(n.then) : n.else ? need(n.else) : '';
      case 'bin':
        return binary(n.op, n.l, n.r, n.at);
      case 'filter': {
        const f = FILTERS[n.name];
        if (!f) return evalFail(n.at, `no filter named '${n.name}'`);
        const v = n.name === 'default' || n.name === 'd' || n.name === 'mandatory' ? ev(n.arg) : need(n.arg);
        const args = n.args.map(need);
        try {
          return f(v, args);
        } catch (e) {
          return evalFail(n.at, `filter ${n.name}: ${(e as Error).message}`);
        }
      }
      case 'test': {
        const v = ev(n.arg);
        let r: boolean;
        if (n.name === 'defined' || n.name === 'undefined') r = isUndef(v) === (n.name === 'undefined');
        else {
          const t = TESTS[n.name];
          if (!t) return evalFail(n.at, `no test named '${n.name}'`);
          if (isUndef(v)) undefinedError(v, n.arg.at);
          const args = n.args.map(need);
          try {
            r = t(v, args);
          } catch (e) {
            return evalFail(n.at, `test ${n.name}: ${(e as Error).message}`);
          }
        }
        return n.negate ? !r : r;
      }
      case 'call': {
        const obj = need(n.obj);
        const m = STRING_METHODS[n.method];
        if (typeof obj !== 'string' || !m) return evalFail(n.at, `'${typeName(obj)}' object has no callable method '${n.method}' here`);
        return m(obj, n.args.map(need));
      }
    }
  };

  const binary = (op: string, l: ExprNode, r: ExprNode, at: number): unknown => {
    if (op === 'and') {
      const a = need(l);
      return truthy(a) ? need(r) : a;
    }
    if (op === 'or') {
      const a = need(l);
      return truthy(a) ? a : need(r);
    }
    const a = need(l);
    const b = need(r);
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const big = bigArith(op, a, b);
      if (big !== undefined) return big;
    }
    switch (op) {
      case '==':
        return pyEqual(a, b);
      case '!=':
        return !pyEqual(a, b);
      case '<':
        return order(a, b, at, op) < 0;
      case '>':
        return order(a, b, at, op) > 0;
      case '<=':
        return order(a, b, at, op) <= 0;
      case '>=':
        return order(a, b, at, op) >= 0;
      case 'in':
      case 'not in': {
        let found: boolean;
        if (typeof b === 'string') {
          if (typeof a !== 'string') return evalFail(at, `'in <string>' requires string as left operand, not ${typeName(a)}`);
          found = b.includes(a);
        } else if (Array.isArray(b)) found = b.some((x) => pyEqual(a, x));
        else if (isMapping(b)) found = Object.hasOwn(b, pyStr(a));
        else return evalFail(at, `argument of type '${typeName(b)}' is not iterable`);
        return op === 'in' ? found : !found;
      }
      case '~':
        return pyStr(a) + pyStr(b);
      case '+':
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
        return num(a, at, op) + num(b, at, op);
      case '*':
        if (typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, b));
        return num(a, at, op) * num(b, at, op);
      case '-':
        return num(a, at, op) - num(b, at, op);
      case '/': {
        const d = num(b, at, op);
        if (d === 0) return evalFail(at, 'division by zero');
        return num(a, at, op) / d;
      }
      case '//': {
        const d = num(b, at, op);
        if (d === 0) return evalFail(at, 'integer division by zero');
        return Math.floor(num(a, at, op) / d);
      }
      case '%': {
        const d = num(b, at, op);
        if (d === 0) return evalFail(at, 'modulo by zero');
        const x = num(a, at, op);
        return ((x % d) + d) % d;
      }
      case '**':
        return num(a, at, op) ** num(b, at, op);
    }
    return evalFail(at, `unknown operator ${op}`);
  };

  const out = ev(node);
  if (isUndef(out)) undefinedError(out, node.at);
  return plainOf(out);
}
