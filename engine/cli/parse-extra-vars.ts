import { parse as parseYaml } from 'yaml';
import { ANSIBLE_YAML } from '../files/yaml-file.ts';
import { readUtf8File } from '../files/utf8.ts';
import { TsplayError } from '../errors/index.ts';

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
  const bad = (why: string): TsplayError =>
    new TsplayError({ code: 'E_OPTION', message: `--extra-vars ${JSON.stringify(value)}: ${why}` });
  if (value.startsWith('@')) {
    const file = value.slice(1);
    let text: string;
    try {
      text = readUtf8File(file, 'extra-vars file');
    } catch (e) {
      throw bad(`cannot read ${file}: ${(e as Error).message}`);
    }
    const data: unknown = parseYaml(text, ANSIBLE_YAML);
    if (data === null || data === undefined) return {};
    if (typeof data !== 'object' || Array.isArray(data)) throw bad(`${file} is not a mapping`);
    return data as Record<string, unknown>;
  }
  const trimmed = value.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = parseYaml(trimmed, ANSIBLE_YAML);
    } catch (e) {
      throw bad(`not valid JSON/YAML: ${(e as Error).message.split('\n')[0]}`);
    }
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
