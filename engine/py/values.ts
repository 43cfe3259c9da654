// Python's truth value, equality and type names on JSON-like data, which Ansible users rely on in
// conditions (empty list is false, `1 == 1.0`, `True == 1`) and see in error messages.

/** isMapping tells a plain object (a YAML mapping, a Python dict) from lists, null and scalars. */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** truthy is Python's truth value: empty strings, lists, mappings, 0 and None are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isMapping(v)) return Object.keys(v).length > 0;
  return true;
}

/** pyEqual is Python's `==` on JSON-like data: deep for lists and mappings, True == 1, exact between int and float. */
export function pyEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'boolean') a = a ? 1 : 0;
  if (typeof b === 'boolean') b = b ? 1 : 0;
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  // loose equality between a bigint and a number compares the exact values, as Python does
  // biome-ignore lint/suspicious/noDoubleEquals: == is the one JS operator that compares a bigint with a number exactly (Python's int == float)
  if ((typeof a === 'bigint' && typeof b === 'number') || (typeof a === 'number' && typeof b === 'bigint')) return a == b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  if (isMapping(a) && isMapping(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && pyEqual(a[k], b[k]));
  }
  return false;
}

/** typeName names a value's type the way Python error messages do. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}
