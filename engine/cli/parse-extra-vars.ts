import { loadYamlValue, parseYamlText, yamlFileValue } from '../files/yaml-file.ts';
import { Diagnostics, TsplayError, TsplayErrors } from '../errors/index.ts';

/** splitKeyValues splits `a=1 b='x y'` on unquoted whitespace, as Ansible's parse_kv does for -e. */
export function splitKeyValues(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && i + 1 < text.length && text[i + 1] === quote) {
        cur += quote;
        i++;
      } else if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (/\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (quote) throw new TsplayError({ code: 'E_OPTION', message: `--extra-vars: unterminated ${quote} quote in "${text}"` });
  if (cur) out.push(cur);
  return out;
}

/**
 * parseExtraVars reads one `-e` value the way ansible-playbook does: `@file` (YAML/JSON),
 * inline JSON/YAML mapping, or `k=v` pairs whose values stay strings.
 */
export function parseExtraVars(value: string): Record<string, unknown> {
  const bad = (why: string): TsplayError => new TsplayError({ code: 'E_OPTION', message: `--extra-vars ${JSON.stringify(value)}: ${why}` });
  if (value.startsWith('@')) {
    const file = value.slice(1);
    let data: unknown;
    try {
      data = loadYamlValue(file);
    } catch (e) {
      // a file that cannot be read is a bad option, as before; a file that can is checked as YAML, with positions
      const first = e instanceof TsplayErrors ? e.errors[0] : undefined;
      if (first && (first.code === 'E_FILE_NOT_FOUND' || first.code === 'E_FILE_READ')) throw bad(first.message);
      throw e;
    }
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) throw bad(`${file} is not a mapping`);
    return data as Record<string, unknown>;
  }
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const diags = new Diagnostics();
    const f = parseYamlText(trimmed, '--extra-vars', diags);
    const first = diags.items[0];
    if (first?.code === 'E_YAML_LIMIT') throw new TsplayError({ ...first, message: `--extra-vars: ${first.message}`, pos: undefined });
    if (!f || first) throw bad(`not valid JSON/YAML: ${first?.message ?? 'does not parse'}`);
    const data = yamlFileValue(f);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('must be a mapping');
    return data as Record<string, unknown>;
  }
  const out: Record<string, unknown> = {};
  for (const word of splitKeyValues(value)) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw bad(`"${word}" is not key=value`);
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}
