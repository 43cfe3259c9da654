// Broken inventories: each broken/<case>/ must fail to load with exactly the codes and
// file:line:col listed in its `expected` file (`CODE path:line:col`, or `CODE -` without a place).
// ansible-says.txt (recorded by record.sh) keeps what ansible-inventory 2.14 says about the same input.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { loadInventory } from '../../engine/inventory/index.ts';
import { caseEntries } from '../helpers/cases.ts';
import { caseSources } from './case-args.ts';

const root = fileURLToPath(new URL('./broken/', import.meta.url));

for (const name of caseEntries(root, { needs: ['args', 'expected'] })) {
  const dir = join(root, name);
  test(`broken inventory is reported with its position: ${name}`, (t) => {
    const args = caseSources(dir, readFileSync(join(dir, 'args'), 'utf8').split('\n')[0] ?? '');
    const sources = args.filter((_, i) => i % 2 === 1 && args[i - 1] === '-i');
    const expected = readFileSync(join(dir, 'expected'), 'utf8').split('\n').filter(Boolean);
    const err = t.throws(() => loadInventory(sources, { baseDir: dir }), { instanceOf: TsplayErrors });
    const got = (err?.errors ?? []).map((e) => `${e.code} ${e.pos ? `${relative(dir, e.pos.file)}:${e.pos.line}:${e.pos.col}` : '-'}`);
    t.deepEqual(got, expected);
    for (const e of err?.errors ?? []) t.true(e.message.length > 10, `a readable message for ${e.code}`);
  });
}
