// Host patterns: each patterns/<case>/expected.txt line holds a pattern and the hosts that
// `ansible PATTERN -i inventory --list-hosts` listed, in order (recorded by record.sh);
// errors.txt holds patterns ansible-playbook refuses with an error (a broken ~regex, an
// out-of-range subscript), where ad-hoc `ansible --list-hosts` only prints 0 hosts, and patterns
// tsplay refuses where Ansible 2.14 selects every host (`~[`, an empty pattern): see the README.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsplayError } from '../../engine/errors/index.ts';
import { loadInventory } from '../../engine/inventory/index.ts';
import { caseEntries } from '../helpers/cases.ts';

const root = fileURLToPath(new URL('./patterns/', import.meta.url));

function table(file: string): [string, string][] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const tab = l.indexOf('\t');
      return [l.slice(0, tab), l.slice(tab + 1)];
    });
}

for (const name of caseEntries(root, { needs: ['inventory', 'expected.txt'] })) {
  const dir = join(root, name);
  test(`host patterns as ansible --list-hosts: ${name}`, (t) => {
    const inv = loadInventory([join(dir, 'inventory')], { baseDir: dir });
    const cases = table(join(dir, 'expected.txt'));
    t.true(cases.length > 0);
    for (const [pattern, hosts] of cases) {
      t.deepEqual(inv.match(pattern), hosts.split(' ').filter(Boolean), `pattern ${pattern}`);
    }
    for (const [pattern, code] of table(join(dir, 'errors.txt'))) {
      const err = t.throws(() => inv.match(pattern), { instanceOf: TsplayError }, `pattern ${pattern}`);
      t.is(err?.code as string | undefined, code, `pattern ${pattern}`);
    }
  });
}
