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

const asBig = (v: unknown): bigint | undefined => (typeof v === 'bigint' ? v : typeof v === 'boolean' ? BigInt(v) : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined);

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
      return pyInt(x / y - (x % y !== 0n && x < 0n !== y < 0n ? 1n : 0n));
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
  const ev = new Evaluator(templateVars(rawVars, { pos: site.pos, task: site.task, host: site.host }), site);
  const out = ev.ev(node);
  if (isUndef(out)) ev.undefinedError(out);
  return plainOf(out);
}

/** member is obj[key] as Jinja2 reads it: an Undef naming `label` when there is no such item. */
function member(obj: unknown, key: unknown, label: string, at: number): unknown {
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
}

/** nameOf spells a variable reference (`a.b[0]`) for messages. */
function nameOf(n: ExprNode): string {
  return n.t === 'name' ? n.name : n.t === 'attr' ? `${nameOf(n.obj)}.${n.name}` : n.t === 'index' ? `${nameOf(n.obj)}[${n.index.t === 'lit' ? pyRepr(n.index.v) : '...'}]` : '(expression)';
}

type Node<T extends ExprNode['t']> = Extract<ExprNode, { t: T }>;

/** Evaluator evaluates the nodes of one expression against one set of variables. */
class Evaluator {
  private readonly vars: Vars;
  private readonly site: EvalSite;

  constructor(vars: Vars, site: EvalSite) {
    this.vars = vars;
    this.site = site;
  }

  private where(at: number): SourcePos {
    return offsetPos(this.site.pos, this.site.text, at);
  }

  /** undefinedError raises E_UNDEFINED_VAR for the variable an Undef came from. */
  undefinedError(u: Undef): never {
    throw new TsplayError({
      code: 'E_UNDEFINED_VAR',
      message: u.detail !== undefined ? `'${u.missing}' is undefined: ${u.detail}` : u.rootMissing ? `'${u.missing}' is undefined` : `'${u.name}' is undefined: no attribute or item '${u.missing}'`,
      pos: this.where(u.at),
      task: this.site.task,
      host: this.site.host,
      hint: `define it, or guard with "${u.name} is defined" or "|default(...)"`,
    });
  }

  private evalFail(at: number, message: string): never {
    throw new TsplayError({ code: 'E_EXPR_EVAL', message, pos: this.where(at), task: this.site.task, host: this.site.host });
  }

  /** need returns a defined value or raises E_UNDEFINED_VAR for the variable it came from */
  private need(n: ExprNode): unknown {
    const v = this.ev(n);
    if (isUndef(v)) this.undefinedError(v);
    return v;
  }

  private num(v: unknown, at: number, op: string): number {
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'bigint') return Number(v);
    return this.evalFail(at, `unsupported operand type for ${op}: '${typeName(v)}'`);
  }

  private order(a: unknown, b: unknown, at: number, op: string): number {
    if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return Number(a) - Number(b);
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const x = typeof a === 'boolean' ? Number(a) : a;
      const y = typeof b === 'boolean' ? Number(b) : b;
      // relational operators compare a bigint and a number exactly, as Python compares int and float
      if ((typeof x === 'bigint' || typeof x === 'number') && (typeof y === 'bigint' || typeof y === 'number')) return x < y ? -1 : x > y ? 1 : 0;
    }
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    return this.evalFail(at, `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  }

  /** ev evaluates a node; an undefined variable comes back as an Undef, for `is defined` and `default`. */
  ev(n: ExprNode): unknown {
    switch (n.t) {
      case 'lit':
        return n.v;
      case 'name':
        return this.name(n);
      case 'attr': {
        const obj = this.ev(n.obj);
        return isUndef(obj) ? new Undef(nameOf(n), obj.at, obj.missing, obj.rootMissing, obj.detail) : member(obj, n.name, nameOf(n), n.at);
      }
      case 'index': {
        const obj = this.ev(n.obj);
        const key = this.need(n.index);
        return isUndef(obj) ? new Undef(nameOf(n), obj.at, obj.missing, obj.rootMissing, obj.detail) : member(obj, key, nameOf(n), n.index.at);
      }
      case 'list':
        return n.items.map((x) => this.need(x));
      case 'dict':
        return Object.fromEntries(n.entries.map(([k, v]) => [pyStr(this.need(k)), this.need(v)]));
      case 'unary': {
        const v = this.need(n.arg);
        if (n.op === 'not') return !truthy(v);
        const x = this.num(v, n.at, `unary ${n.op}`);
        return n.op === '-' ? -x : x;
      }
      case 'cond':
        return truthy(this.need(n.test)) ? this.need(n.then) : n.else ? this.need(n.else) : '';
      case 'bin':
        return this.binary(n.op, n.l, n.r, n.at);
      case 'filter':
        return this.filter(n);
      case 'test':
        return this.test(n);
      case 'call': {
        const obj = this.need(n.obj);
        const m = STRING_METHODS[n.method];
        if (typeof obj !== 'string' || !m) return this.evalFail(n.at, `'${typeName(obj)}' object has no callable method '${n.method}' here`);
        return m(
          obj,
          n.args.map((x) => this.need(x)),
        );
      }
    }
  }

  private name(n: Node<'name'>): unknown {
    if (!Object.hasOwn(this.vars, n.name)) return new Undef(n.name, n.at, n.name, true);
    try {
      return this.vars[n.name];
    } catch (e) {
      // as in Ansible, a variable whose value uses an undefined one is itself undefined (`is defined`, `default`)
      if (e instanceof TsplayError && e.code === 'E_UNDEFINED_VAR') return new Undef(n.name, n.at, n.name, true, e.message);
      throw e;
    }
  }

  private filter(n: Node<'filter'>): unknown {
    const f = FILTERS[n.name];
    if (!f) return this.evalFail(n.at, `no filter named '${n.name}'`);
    const v = n.name === 'default' || n.name === 'd' || n.name === 'mandatory' ? this.ev(n.arg) : this.need(n.arg);
    const args = n.args.map((x) => this.need(x));
    try {
      return f(v, args);
    } catch (e) {
      return this.evalFail(n.at, `filter ${n.name}: ${(e as Error).message}`);
    }
  }

  private test(n: Node<'test'>): boolean {
    const v = this.ev(n.arg);
    let r: boolean;
    if (n.name === 'defined' || n.name === 'undefined') r = isUndef(v) === (n.name === 'undefined');
    else {
      const t = TESTS[n.name];
      if (!t) return this.evalFail(n.at, `no test named '${n.name}'`);
      if (isUndef(v)) this.undefinedError(v);
      const args = n.args.map((x) => this.need(x));
      try {
        r = t(v, args);
      } catch (e) {
        return this.evalFail(n.at, `test ${n.name}: ${(e as Error).message}`);
      }
    }
    return n.negate ? !r : r;
  }

  private binary(op: string, l: ExprNode, r: ExprNode, at: number): unknown {
    if (op === 'and') {
      const a = this.need(l);
      return truthy(a) ? this.need(r) : a;
    }
    if (op === 'or') {
      const a = this.need(l);
      return truthy(a) ? a : this.need(r);
    }
    const a = this.need(l);
    const b = this.need(r);
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
        return this.order(a, b, at, op) < 0;
      case '>':
        return this.order(a, b, at, op) > 0;
      case '<=':
        return this.order(a, b, at, op) <= 0;
      case '>=':
        return this.order(a, b, at, op) >= 0;
      case 'in':
      case 'not in': {
        const found = this.contains(b, a, at);
        return op === 'in' ? found : !found;
      }
      case '~':
        return pyStr(a) + pyStr(b);
    }
    return this.arithmetic(op, a, b, at);
  }

  /** contains is Python's `a in b` for strings, lists and mappings. */
  private contains(b: unknown, a: unknown, at: number): boolean {
    if (typeof b === 'string') {
      if (typeof a !== 'string') return this.evalFail(at, `'in <string>' requires string as left operand, not ${typeName(a)}`);
      return b.includes(a);
    }
    if (Array.isArray(b)) return b.some((x) => pyEqual(a, x));
    if (isMapping(b)) return Object.hasOwn(b, pyStr(a));
    return this.evalFail(at, `argument of type '${typeName(b)}' is not iterable`);
  }

  private arithmetic(op: string, a: unknown, b: unknown, at: number): unknown {
    switch (op) {
      case '+':
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
        return this.num(a, at, op) + this.num(b, at, op);
      case '*':
        if (typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, b));
        return this.num(a, at, op) * this.num(b, at, op);
      case '-':
        return this.num(a, at, op) - this.num(b, at, op);
      case '/': {
        const d = this.num(b, at, op);
        if (d === 0) return this.evalFail(at, 'division by zero');
        return this.num(a, at, op) / d;
      }
      case '//': {
        const d = this.num(b, at, op);
        if (d === 0) return this.evalFail(at, 'integer division by zero');
        return Math.floor(this.num(a, at, op) / d);
      }
      case '%': {
        const d = this.num(b, at, op);
        if (d === 0) return this.evalFail(at, 'modulo by zero');
        const x = this.num(a, at, op);
        return ((x % d) + d) % d;
      }
      case '**':
        return this.num(a, at, op) ** this.num(b, at, op);
    }
    return this.evalFail(at, `unknown operator ${op}`);
  }
}
