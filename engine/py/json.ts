// Python's json.dumps as Ansible calls it: ansible-inventory prints
// `json.dumps(v, indent=4, sort_keys=True)` through an encoder that shows unsafe strings as
// `{"__ansible_unsafe": ...}`; result callbacks print `sort_keys=True` on one line or indented.
// Matching it byte for byte is what lets users diff tsplay output against Ansible's.
import { compareCodePoints } from './compare.ts';
import { isFloatAt, isUnsafeAt } from './marks.ts';
import { pyFloatRepr, pyIntStr } from './repr.ts';

/** PyJsonOptions are the json.dumps arguments that vary between Ansible's callers. */
export interface PyJsonOptions {
  /** spaces per level; undefined is json.dumps' single line with `, ` and `: ` separators */
  readonly indent?: number | undefined;
  /** sort_keys=True (by code point, as Python compares str) */
  readonly sortKeys?: boolean;
  /** ensure_ascii=True: everything outside printable ASCII as \uXXXX */
  readonly ensureAscii?: boolean;
  /** show strings marked unsafe as `{"__ansible_unsafe": ...}`, as ansible-inventory's encoder does */
  readonly unsafeMarkers?: boolean;
}

const SHORT: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** pyJsonString encodes a string as json's encoder does (py_encode_basestring / _ascii). */
export function pyJsonString(s: string, ensureAscii = false): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const short = SHORT[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function floatJson(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pyFloatRepr(x);
}

/** pyJson renders a value as Python's json.dumps with the given options would. */
export function pyJson(v: unknown, opts: PyJsonOptions = {}): string {
  return pyJsonAt({ v }, 'v', opts);
}

/** pyJsonAt renders `container[key]` as json.dumps would, honouring the float and unsafe marks on it. */
export function pyJsonAt(container: object, key: string | number, opts: PyJsonOptions = {}): string {
  const indentUnit = opts.indent === undefined ? undefined : ' '.repeat(opts.indent);
  const at = (container: object, key: string | number, indent: string): string => {
    const x = (container as Record<string | number, unknown>)[key];
    if (typeof x === 'number' && isFloatAt(container, key)) return floatJson(x);
    if (opts.unsafeMarkers && isUnsafeAt(container, key)) {
      return one({ __ansible_unsafe: x }, indent);
    }
    return one(x, indent);
  };
  const one = (x: unknown, indent: string): string => {
    if (x === null || x === undefined) return 'null';
    if (x === true) return 'true';
    if (x === false) return 'false';
    if (typeof x === 'bigint') return x.toString();
    if (typeof x === 'number') return Number.isInteger(x) ? pyIntStr(x) : floatJson(x);
    if (typeof x === 'string') return pyJsonString(x, opts.ensureAscii);
    if (x instanceof Date) return pyJsonString(x.toISOString(), opts.ensureAscii);
    const inner = indentUnit === undefined ? '' : indent + indentUnit;
    const open = indentUnit === undefined ? '' : `\n${inner}`;
    const sep = indentUnit === undefined ? ', ' : `,\n${inner}`;
    const close = indentUnit === undefined ? '' : `\n${indent}`;
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return `[${open}${x.map((_, i) => at(x, i, inner)).join(sep)}${close}]`;
    }
    if (typeof x === 'object') {
      const o = x as Record<string, unknown>;
      // a key holding undefined does not exist for Python: leave it out as JSON.stringify does
      const keys = Object.keys(o).filter((k) => o[k] !== undefined);
      if (opts.sortKeys) keys.sort(compareCodePoints);
      if (keys.length === 0) return '{}';
      return `{${open}${keys.map((k) => `${pyJsonString(k, opts.ensureAscii)}: ${at(o, k, inner)}`).join(sep)}${close}}`;
    }
    return pyJsonString(String(x), opts.ensureAscii);
  };
  return at(container, key, '');
}

// JSON.rawJSON (Node 21+) is not in the es2024 lib typings
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;
const bigintAsDigits = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? rawJSON(v.toString()) : v);

/**
 * jsonStringify is JSON.stringify for data that may hold Python ints beyond 2^53 (bigints, see
 * int.ts): they print as their exact digits where JSON.stringify would throw.
 */
export function jsonStringify(value: unknown, indent?: number): string {
  // without a replacer first: JSON.stringify is about 3× faster without one (every --output json
  // event of every host goes through here), and the output is the same when no bigint is in the
  // value; a bigint makes it throw a TypeError, and then the replacer writes its digits
  try {
    return JSON.stringify(value, undefined, indent);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(value, bigintAsDigits, indent);
  }
}
