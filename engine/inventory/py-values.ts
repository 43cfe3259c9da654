// Python's view of inventory values. Ansible keeps `1.0` a float and `(1, 2)` a tuple, and
// `ansible-inventory` prints them that way (`1.0`, `(1, 2)`); JavaScript has neither, so the few
// containers that hold such values are marked in weak side tables instead of boxing the values,
// which keeps the data the rest of tsplay sees plain JSON-like values.
import type { Vars } from './types.ts';

const floatKeys = new WeakMap<object, Set<string | number>>();
const tuples = new WeakSet<unknown[]>();
const unsafeKeys = new WeakMap<object, Set<string | number>>();

/** markUnsafe records that the string at `container[key]` came from a `!unsafe` YAML tag. */
export function markUnsafe(container: object, key: string | number): void {
  let keys = unsafeKeys.get(container);
  if (!keys) unsafeKeys.set(container, (keys = new Set()));
  keys.add(key);
}

/** isUnsafeAt tells whether the string at `container[key]` is an Ansible unsafe string. */
export function isUnsafeAt(container: object, key: string | number): boolean {
  return typeof (container as Record<string | number, unknown>)[key] === 'string' && (unsafeKeys.get(container)?.has(key) ?? false);
}

/** markFloat records that `container[key]` is a Python float even when its value is integral. */
export function markFloat(container: object, key: string | number): void {
  let keys = floatKeys.get(container);
  if (!keys) floatKeys.set(container, (keys = new Set()));
  keys.add(key);
}

/** isFloatAt tells whether the number at `container[key]` is a Python float. */
export function isFloatAt(container: object, key: string | number): boolean {
  const v = (container as Record<string | number, unknown>)[key];
  if (typeof v !== 'number') return false;
  if (!Number.isFinite(v) || !Number.isInteger(v)) return true;
  return floatKeys.get(container)?.has(key) ?? false;
}

/** markTuple records that an array came from a Python tuple. */
export function markTuple(arr: unknown[]): void {
  tuples.add(arr);
}

/** setVar assigns `target[key] = from[fromKey]`, carrying the float mark over. */
export function setVar(target: Vars, key: string, from: object, fromKey: string | number): void {
  target[key] = (from as Record<string | number, unknown>)[fromKey];
  if (isFloatAt(from, fromKey)) markFloat(target, key);
  if (isUnsafeAt(from, fromKey)) markUnsafe(target, key);
}

/**
 * combineVars is Ansible's combine_vars with the default hash_behaviour=replace: a shallow
 * update where b's keys win, keeping float marks.
 */
export function combineVars(a: Vars, b: Vars): Vars {
  const out: Vars = {};
  for (const k of Object.keys(a)) setVar(out, k, a, k);
  for (const k of Object.keys(b)) setVar(out, k, b, k);
  return out;
}

/** pyFloatRepr renders a float as Python's repr() does (`1.0`, `1e+16`, `1e-05`, `inf`). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest round-trip digits, as Python's repr does
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential());
  if (!m) return String(x);
  const [, sign, d0, rest = '', expS] = m;
  const digits = (d0 ?? '') + rest;
  const exp = Number(expS);
  if (exp >= -4 && exp < 16) {
    let s: string;
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
      const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
      s = `${intPart}.${frac}`;
    } else {
      s = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
    return sign + s;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : String(e)}`;
}

function intStr(n: number): string {
  return Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n);
}

// Python's str.isprintable(): everything but control, format, surrogate, private, unassigned
// and separators other than the ASCII space.
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** pyStrRepr renders a string as Python's repr() does, picking quotes and escapes like CPython. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

function reprAt(container: object, key: string | number): string {
  const v = (container as Record<string | number, unknown>)[key];
  if (typeof v === 'number' && isFloatAt(container, key)) return pyFloatRepr(v);
  return pyRepr(v);
}

/** pyRepr renders a value as Python's repr() of the equivalent Python object. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? intStr(v) : pyFloatRepr(v);
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) {
    const items = v.map((_, i) => reprAt(v, i));
    if (tuples.has(v)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .map((k) => `${pyStrRepr(k)}: ${reprAt(o, k)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** pyStrAt renders `container[key]` as Python's str() would: strings bare, the rest as repr(). */
export function pyStrAt(container: object, key: string | number): string {
  const v = (container as Record<string | number, unknown>)[key];
  return typeof v === 'string' ? v : reprAt(container, key);
}

/** compareCodePoints orders strings the way Python's sorted() does (by code point). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
}

function jsonAt(container: object, key: string | number, indent: string): string {
  const v = (container as Record<string | number, unknown>)[key];
  if (typeof v === 'number' && isFloatAt(container, key)) {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return pyFloatRepr(v);
  }
  // ansible-inventory's encoder (preprocess_unsafe=True) shows unsafe strings as a marker mapping
  if (isUnsafeAt(container, key)) return `{\n${indent}    "__ansible_unsafe": ${JSON.stringify(v)}\n${indent}}`;
  return pyJson(v, indent);
}

/**
 * pyJson renders a value as Python's `json.dumps(v, indent=4, sort_keys=True, ensure_ascii=False)`,
 * which is what ansible-inventory prints.
 */
export function pyJson(v: unknown, indent = ''): string {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return intStr(v);
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return pyFloatRepr(v);
  }
  // JSON.stringify escapes exactly the characters Python's json escapes with ensure_ascii=False
  if (typeof v === 'string') return JSON.stringify(v);
  const inner = `${indent}    `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((_, i) => inner + jsonAt(v, i, inner)).join(',\n')}\n${indent}]`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort(compareCodePoints);
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${jsonAt(o, k, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(String(v));
}
