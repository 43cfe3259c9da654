// Broken guest data: each guest-data/<case>/ is an inventory (`inventory.yml`, `inventory.ini` or
// an `inventory/` directory, with host_vars/ and group_vars/ beside it) whose `expected` file lists
// every error the playbook path's guest data check must report, in order, one a line:
// `CODE file:line:col text`, the place relative to the case folder and the text part of the message.
// An empty `expected` is a clean inventory: nothing may be reported.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../engine/inventory/index.ts';
import { checkGuestData } from '../../engine/loader/guest-data/index.ts';
import { caseEntries } from '../helpers/cases.ts';

const root = fileURLToPath(new URL('./guest-data/', import.meta.url));

for (const name of caseEntries(root, { needs: ['expected'] })) {
  const dir = join(root, name);
  const source = readdirSync(dir).find((f) => /^inventory(\.ya?ml|\.ini)?$/.test(f));
  if (!source) throw new Error(`${dir}: no inventory, inventory.yml or inventory.ini`);
  const expected = readFileSync(join(dir, 'expected'), 'utf8').split('\n').filter(Boolean);
  test(`guest data: ${name}`, (t) => {
    const errors = checkGuestData(loadInventory([join(dir, source)], { baseDir: dir }));
    const got = errors.map((e) => `${e.code} ${e.pos ? `${relative(dir, e.pos.file)}:${e.pos.line}:${e.pos.col}` : '-'}`);
    t.deepEqual(
      got,
      expected.map((l) => l.split(' ').slice(0, 2).join(' ')),
      errors.map((e) => `${e.code} ${e.pos?.line}:${e.pos?.col} ${e.message}`).join('\n'),
    );
    expected.forEach((l, i) => {
      const text = l.split(' ').slice(2).join(' ');
      t.true(errors[i]?.message.includes(text) ?? false, `error ${i + 1} says "${text}": ${errors[i]?.message}`);
      t.truthy(errors[i]?.host, 'names its host');
    });
  });
}
