// Python's repr() and str() of the objects Ansible holds (None, bools, int, float, str, list,
// tuple, dict), as messages, loop labels, `{{ [1, 'a'] }}` and ansible-inventory print them.
import { isFloatAt, isTuple } from './marks.ts';

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

/** pyIntStr renders an integral number or bigint as Python's str(int) does (all digits, no exponent). */
export function pyIntStr(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  return Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n === 0 ? 0 : n);
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

/** pyReprAt renders `container[key]` as repr(), honouring a float mark on it. */
export function pyReprAt(container: object, key: string | number): string {
  const v = (container as Record<string | number, unknown>)[key];
  if (typeof v === 'number' && isFloatAt(container, key)) return pyFloatRepr(v);
  return pyRepr(v);
}

/**
 * pyRepr renders a value as Python's repr() of the equivalent Python object: an unmarked
 * integral number is an int, a marked array a tuple, a bigint an int too large for a double.
 */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? pyIntStr(v) : pyFloatRepr(v);
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) {
    const items = v.map((_, i) => pyReprAt(v, i));
    if (isTuple(v)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    return `[${items.join(', ')}]`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .map((k) => `${pyStrRepr(k)}: ${pyReprAt(o, k)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** pyStr is Python's str(): strings bare, everything else as repr(). */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** pyStrAt renders `container[key]` as Python's str() would, honouring a float mark on it. */
export function pyStrAt(container: object, key: string | number): string {
  const v = (container as Record<string | number, unknown>)[key];
  return typeof v === 'string' ? v : pyReprAt(container, key);
}
