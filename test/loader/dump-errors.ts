// Prints what the loader reports for each case under test/loader/bad/, in expected.yaml's shape.
// Why: a helper for writing a new case's expected.yaml (check every position by eye before saving).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadCase } from './load-case.ts';

const root = new URL('./bad/', import.meta.url).pathname;
const only = process.argv.slice(2);
for (const name of readdirSync(root).sort()) {
  if (only.length && !only.includes(name)) continue;
  const dir = join(root, name);
  if (!existsSync(join(dir, 'site.yml'))) continue;
  const errors = await loadCase(dir);
  process.stdout.write(
    `### ${name}\n${stringify({ errors: errors.map((e) => ({ code: e.code, file: e.pos ? relative(dir, resolve(e.pos.file)) : undefined, line: e.pos?.line, col: e.pos?.col, message: e.message, hint: e.hint })) })}`,
  );
}
