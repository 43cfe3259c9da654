// Plan cases name the real tool output they stand on instead of copying it: `{ capture: NAME.json }`
// is the stdout of a captured probe case (test/probes/cases, with the tool's version), optionally with
// marked `replace: [[from, to]]` edits; `{ repoFile: PATH }` is a file of this repository.
import { readFileSync } from 'node:fs';

const casesDir = new URL('../probes/cases/', import.meta.url);

/** resolveCaptures replaces every `{ capture }` and `{ repoFile }` object inside `v` with the text it names. */
export function resolveCaptures(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolveCaptures);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o['repoFile'] === 'string') return readFileSync(new URL(`../../${o['repoFile']}`, import.meta.url), 'utf8');
  if (typeof o['capture'] === 'string') {
    let text = (JSON.parse(readFileSync(new URL(o['capture'], casesDir), 'utf8')) as { stdout: string }).stdout;
    for (const [from, to] of (o['replace'] as [string, string][] | undefined) ?? []) {
      if (!text.includes(from)) throw new Error(`replace: ${JSON.stringify(from)} is not in ${o['capture']}`);
      text = text.replace(from, to);
    }
    return text;
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolveCaptures(x)]));
}
