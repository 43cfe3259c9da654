// Ansible prints results with Python's json.dumps (sort_keys=True) and loop items with str()/repr()
// (pyStr, from template/py-values.ts, which templates use for the same Python semantics).
// Matching those byte for byte is what lets users diff tsplay output against ansible-playbook's.

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeysDeep(v);
    }
    return out;
  }
  return value;
}

function oneLine(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`);
    return `{${entries.join(', ')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/**
 * pyJson renders a value like Python's `json.dumps(v, sort_keys=True, ensure_ascii=False)`:
 * `", "` and `": "` separators on one line, or `indent` spaces per level (as Ansible's
 * verbose results and debug output are shown).
 */
export function pyJson(value: unknown, indent?: number): string {
  const sorted = sortKeysDeep(value);
  if (indent === undefined) return oneLine(sorted);
  return JSON.stringify(sorted, null, indent) ?? 'null';
}
