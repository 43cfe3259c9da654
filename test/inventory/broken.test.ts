// Broken inventories: each broken/<case>/ must fail to load with exactly the codes and
// file:line:col listed in its `expected` file (`CODE path:line:col`, or `CODE -` without a place).
// ansible-says.txt (recorded by record.sh) keeps what ansible-inventory 2.14 says about the same input:
// Ansible must have complained too, and where the plugin for the file's format names a line (ini:
// `file:N:`, yaml: `'file': line N, column M`) tsplay must report an error there. Where tsplay is
// deliberately stricter, stricter-than-ansible.txt says why, and Ansible must still be silent.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { loadInventory } from '../../engine/inventory/index.ts';
import { caseEntries } from '../helpers/cases.ts';
import { caseSources } from './case-args.ts';

const root = fileURLToPath(new URL('./broken/', import.meta.url));

/** ansiblePlaces reads the `file:line[:col]` places Ansible's plugin for that file's format names in ansible-says.txt. */
function ansiblePlaces(says: string, file: string): string[] {
  const esc = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = file.endsWith('.yml') ? new RegExp(`with yaml plugin: .*'${esc}': line (\\d+), column (\\d+)`) : new RegExp(`with ini plugin: ${esc}:(\\d+):`);
  return says.split('\n').flatMap((l) => {
    const m = re.exec(l);
    return m ? [`${file}:${m[1]}${m[2] ? `:${m[2]}` : ''}`] : [];
  });
}

let placed = 0;
for (const name of caseEntries(root, { needs: ['args', 'expected', 'ansible-says.txt'] })) {
  const dir = join(root, name);
  const expected = readFileSync(join(dir, 'expected'), 'utf8').split('\n').filter(Boolean);
  const says = readFileSync(join(dir, 'ansible-says.txt'), 'utf8');
  const file = /^\S+ ([^:\s]+):/m.exec(expected.join('\n'))?.[1];
  const places = file ? ansiblePlaces(says, file) : [];
  if (places.length) placed++;
  test(`broken inventory is reported with its position: ${name}`, (t) => {
    const args = caseSources(dir, readFileSync(join(dir, 'args'), 'utf8').split('\n')[0] ?? '');
    const sources = args.filter((_, i) => i % 2 === 1 && args[i - 1] === '-i');
    const err = t.throws(() => loadInventory(sources, { baseDir: dir }), { instanceOf: TsplayErrors });
    const got = (err?.errors ?? []).map((e) => `${e.code} ${e.pos ? `${relative(dir, e.pos.file)}:${e.pos.line}:${e.pos.col}` : '-'}`);
    t.deepEqual(got, expected);
    for (const e of err?.errors ?? []) t.true(e.message.length > 10, `a readable message for ${e.code}`);
    const stricter = join(dir, 'stricter-than-ansible.txt');
    if (existsSync(stricter)) {
      t.true(readFileSync(stricter, 'utf8').trim().length > 20, 'the reason tsplay is stricter is written down');
      t.notRegex(says, /^(\[WARNING\]|ERROR!)/m, 'ansible-inventory still accepts it (else drop stricter-than-ansible.txt)');
    } else t.regex(says, /^(\[WARNING\]|ERROR!)/m, 'ansible-inventory complained about the same input');
    for (const place of places) {
      t.true(
        got.some((g) => `${g.split(' ')[1]}:`.startsWith(`${place}:`)),
        `ansible-inventory names ${place}; tsplay said ${got.join(', ')}`,
      );
    }
  });
}

test('ansible-inventory names a line for at least 10 broken inventories, so the comparison above runs', (t) => {
  t.true(placed >= 10, `${placed}`);
});
