import { stringify as yamlStringify } from 'yaml';
import { shQuote } from '../../py/quote.ts';
import { regexOp } from '../../py/regex.ts';
import { pyStr } from '../../py/repr.ts';
import { isMapping, pyEqual, truthy, typeName } from '../../py/values.ts';
import { toBool } from '../to-bool.ts';
import { isUndef } from './undefined.ts';
import { jsonStringify } from '../../py/json.ts';

/** FilterFn applies a filter to a value; it throws a plain Error whose message becomes E_EXPR_EVAL. */
export type FilterFn = (value: unknown, args: readonly unknown[]) => unknown;

const needString = (name: string, v: unknown): string => {
  if (typeof v !== 'string') throw new Error(`filter ${name} needs a string, got ${typeName(v)}`);
  return v;
};
const needList = (name: string, v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isMapping(v)) return Object.keys(v);
  throw new Error(`filter ${name} needs a list, got ${typeName(v)}`);
};
const toInt = (v: unknown, dflt = 0): number => {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v)) return Math.trunc(Number(v));
  return dflt;
};
const cmp = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return pyStr(a) < pyStr(b) ? -1 : pyStr(a) > pyStr(b) ? 1 : 0;
};

/**
 * FILTERS are the `|name` filters of the expression language: the Jinja/Ansible ones that
 * conditions actually use. Only `default`/`d`/`mandatory` accept an undefined value.
 */
export const FILTERS: Readonly<Record<string, FilterFn>> = {
  default: (v, [d = '', boolean = false]) => (isUndef(v) || (boolean && !truthy(v)) ? d : v),
  mandatory: (v, [msg]) => {
    if (isUndef(v)) throw new Error(typeof msg === 'string' ? msg : `mandatory variable '${v.name}' not defined`);
    return v;
  },
  length: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isMapping(v)) return Object.keys(v).length;
    throw new Error(`object of type '${typeName(v)}' has no len()`);
  },
  bool: (v) => toBool(v),
  int: (v, [d = 0]) => toInt(v, d as number),
  float: (v, [d = 0]) => {
    const n = typeof v === 'boolean' ? Number(v) : Number(v);
    return typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(n)) || typeof v === 'boolean' ? n : d;
  },
  string: (v) => pyStr(v),
  lower: (v) => pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v).toUpperCase(),
  capitalize: (v) => {
    const s = pyStr(v);
    return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
  },
  trim: (v) => pyStr(v).trim(),
  first: (v) => needList('first', v)[0],
  last: (v) => needList('last', v).at(-1),
  list: (v) => needList('list', v),
  reverse: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...needList('reverse', v)].reverse()),
  sort: (v) => [...needList('sort', v)].sort(cmp),
  unique: (v) => needList('unique', v).filter((x, i, all) => all.findIndex((y) => pyEqual(x, y)) === i),
  min: (v) => [...needList('min', v)].sort(cmp)[0],
  max: (v) => [...needList('max', v)].sort(cmp).at(-1),
  sum: (v) => needList('sum', v).reduce((a: number, b) => a + Number(b), 0),
  abs: (v) => Math.abs(Number(v)),
  round: (v, [digits = 0]) => {
    const f = 10 ** Number(digits);
    return Math.round(Number(v) * f) / f;
  },
  join: (v, [sep = '']) => needList('join', v).map(pyStr).join(pyStr(sep)),
  split: (v, [sep]) => (sep === undefined ? needString('split', v).trim().split(/\s+/).filter(Boolean) : needString('split', v).split(pyStr(sep))),
  replace: (v, [from, to]) => pyStr(v).split(pyStr(from)).join(pyStr(to)),
  // user patterns over data that may come from hosts: bounded (py/bounded.ts)
  regex_replace: (v, [pattern, repl = '']) => regexOp('sub', pyStr(pattern), 'm', pyStr(v), pyStr(repl)),
  regex_search: (v, [pattern]) => regexOp('search', pyStr(pattern), 'm', pyStr(v)),
  regex_findall: (v, [pattern]) => regexOp('findall', pyStr(pattern), 'm', pyStr(v)),
  quote: (v) => shQuote(pyStr(v)),
  to_json: (v) => jsonStringify(v),
  to_nice_json: (v) => jsonStringify(v, 4),
  from_json: (v) => JSON.parse(needString('from_json', v)) as unknown,
  to_yaml: (v) => yamlStringify(v),
  keys: (v) => (isMapping(v) ? Object.keys(v) : needList('keys', v)),
  values: (v) => (isMapping(v) ? Object.values(v) : needList('values', v)),
  dict2items: (v) => {
    if (!isMapping(v)) throw new Error(`dict2items needs a mapping, got ${typeName(v)}`);
    return Object.entries(v).map(([key, value]) => ({ key, value }));
  },
  items2dict: (v) => Object.fromEntries(needList('items2dict', v).map((e) => [pyStr((e as Record<string, unknown>)['key']), (e as Record<string, unknown>)['value']])),
  combine: (v, others) => Object.assign({}, v, ...others),
  basename: (v) => pyStr(v).replace(/\/+$/, '').split('/').at(-1) ?? '',
  dirname: (v) => pyStr(v).replace(/\/[^/]*$/, ''),
  ternary: (v, [yes, no]) => (truthy(v) ? yes : no),
  b64encode: (v) => Buffer.from(pyStr(v), 'utf8').toString('base64'),
  b64decode: (v) => Buffer.from(pyStr(v), 'base64').toString('utf8'),
  map: (v, [what, ...rest]) =>
    needList('map', v).map((x) => {
      if (what === 'attribute') return isMapping(x) ? x[pyStr(rest[0])] : undefined;
      const f = FILTERS[pyStr(what)];
      if (!f) throw new Error(`map: no filter named ${pyStr(what)}`);
      return f(x, rest);
    }),
};
(FILTERS as Record<string, FilterFn>)['d'] = FILTERS['default']!;
(FILTERS as Record<string, FilterFn>)['count'] = FILTERS['length']!;

/** TestFn is an `is name` test; `args` are the evaluated arguments. */
export type TestFn = (value: unknown, args: readonly unknown[]) => boolean;

const resultFlag = (name: string, v: unknown): Record<string, unknown> => {
  if (!isMapping(v)) throw new Error(`the "${name}" test expects a registered task result (a mapping), got ${typeName(v)}`);
  return v;
};
const failed = (v: unknown): boolean => truthy(resultFlag('failed', v)['failed']);

function versionCompare(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const d = !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return d;
  }
  return 0;
}

/** TESTS are the `is name` tests; `defined`/`undefined` are handled before the value is required. */
export const TESTS: Readonly<Record<string, TestFn>> = {
  none: (v) => v === null,
  succeeded: (v) => !failed(v),
  failed: (v) => failed(v),
  changed: (v) => truthy(resultFlag('changed', v)['changed']),
  skipped: (v) => truthy(resultFlag('skipped', v)['skipped']),
  match: (v, [re]) => regexOp('test', `^(?:${pyStr(re)})`, '', pyStr(v)) as boolean,
  search: (v, [re]) => regexOp('test', pyStr(re), '', pyStr(v)) as boolean,
  regex: (v, [re]) => regexOp('test', pyStr(re), '', pyStr(v)) as boolean,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  mapping: (v) => isMapping(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isMapping(v),
  true: (v) => v === true,
  false: (v) => v === false,
  truthy: (v) => truthy(v),
  falsy: (v) => !truthy(v),
  sameas: (v, [x]) => v === x,
  eq: (v, [x]) => pyEqual(v, x),
  ne: (v, [x]) => !pyEqual(v, x),
  lt: (v, [x]) => cmp(v, x) < 0,
  le: (v, [x]) => cmp(v, x) <= 0,
  gt: (v, [x]) => cmp(v, x) > 0,
  ge: (v, [x]) => cmp(v, x) >= 0,
  in: (v, [x]) => (Array.isArray(x) ? x.some((y) => pyEqual(v, y)) : typeof x === 'string' ? x.includes(pyStr(v)) : isMapping(x) && pyStr(v) in x),
  contains: (v, [x]) => (Array.isArray(v) ? v.some((y) => pyEqual(x, y)) : typeof v === 'string' && v.includes(pyStr(x))),
  even: (v) => Number(v) % 2 === 0,
  odd: (v) => Math.abs(Number(v) % 2) === 1,
  divisibleby: (v, [x]) => Number(v) % Number(x) === 0,
  lower: (v) => typeof v === 'string' && v === v.toLowerCase(),
  upper: (v) => typeof v === 'string' && v === v.toUpperCase(),
  version: (v, [other, op = '==']) => {
    const d = versionCompare(pyStr(v), pyStr(other));
    const ops: Record<string, boolean> = { '==': d === 0, eq: d === 0, '!=': d !== 0, ne: d !== 0, '<': d < 0, lt: d < 0, '<=': d <= 0, le: d <= 0, '>': d > 0, gt: d > 0, '>=': d >= 0, ge: d >= 0 };
    const r = ops[pyStr(op)];
    if (r === undefined) throw new Error(`version: unknown operator ${pyStr(op)}`);
    return r;
  },
};
for (const [alias, of] of [
  ['success', 'succeeded'],
  ['failure', 'failed'],
  ['change', 'changed'],
  ['skip', 'skipped'],
  ['equalto', 'eq'],
  ['version_compare', 'version'],
] as const) {
  (TESTS as Record<string, TestFn>)[alias] = TESTS[of]!;
}
