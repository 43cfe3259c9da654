// Python has floats that look like integers (`1.0`), tuples and Ansible's unsafe strings;
// JavaScript has none of them. Rather than boxing values (which every consumer would then have to
// unbox), the few containers holding such values are marked in weak side tables, so the data the
// rest of tsplay sees stays plain JSON-like values and only the printers look the marks up.

const floatKeys = new WeakMap<object, Set<string | number>>();
const tuples = new WeakSet<unknown[]>();
const unsafeKeys = new WeakMap<object, Set<string | number>>();

/** markUnsafe records that the string at `container[key]` came from a `!unsafe` YAML tag. */
export function markUnsafe(container: object, key: string | number): void {
  let keys = unsafeKeys.get(container);
  if (!keys) {
    keys = new Set();
    unsafeKeys.set(container, keys);
  }
  keys.add(key);
}

/** isUnsafeAt tells whether the string at `container[key]` is an Ansible unsafe string. */
export function isUnsafeAt(container: object, key: string | number): boolean {
  return typeof (container as Record<string | number, unknown>)[key] === 'string' && (unsafeKeys.get(container)?.has(key) ?? false);
}

/** markFloat records that `container[key]` is a Python float even when its value is integral. */
export function markFloat(container: object, key: string | number): void {
  let keys = floatKeys.get(container);
  if (!keys) {
    keys = new Set();
    floatKeys.set(container, keys);
  }
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

/** isTuple tells whether an array came from a Python tuple. */
export function isTuple(arr: unknown[]): boolean {
  return tuples.has(arr);
}

/** copyMarks carries the float and unsafe marks of `from[fromKey]` over to `to[toKey]`. */
export function copyMarks(to: object, toKey: string | number, from: object, fromKey: string | number): void {
  if (isFloatAt(from, fromKey)) markFloat(to, toKey);
  if (isUnsafeAt(from, fromKey)) markUnsafe(to, toKey);
}
