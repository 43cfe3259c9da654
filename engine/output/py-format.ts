// Ansible prints results with Python's json.dumps (sort_keys=True) and loop items with str()/repr().
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

function reprString(s: string): string {
  // Python's repr prefers single quotes and switches to double when the text holds a single quote only
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = '';
  for (const ch of s) {
    if (ch === '\\') body += '\\\\';
    else if (ch === quote) body += `\\${ch}`;
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else body += ch;
  }
  return `${quote}${body}${quote}`;
}

/** pyRepr renders a value as Python's repr() would for the YAML-loaded equivalent. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return reprString(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** pyStr renders a value as Python's str(): strings bare, containers as repr. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
