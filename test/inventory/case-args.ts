import { join } from 'node:path';

/** caseSources reads line 1 of a case's `args` (-i and --playbook-dir) into arguments, paths made absolute like record.sh does. */
export function caseSources(caseDir: string, line: string): string[] {
  const words = line.split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const flag = words[k] ?? '';
    if (flag !== '-i' && flag !== '--playbook-dir') continue;
    const v = words[++k] ?? '';
    out.push(flag, v.includes(',') ? v : join(caseDir, v));
  }
  return out;
}
