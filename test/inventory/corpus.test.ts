// Every inventory in corpus/ goes through `tsplay inventory` and must print byte for byte what
// ansible-inventory printed for it (recorded by record.sh; version in corpus/ANSIBLE_VERSION).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inventoryOutput } from '../../engine/cli/commands/inventory.ts';
import { caseEntries } from '../helpers/cases.ts';
import { caseSources } from './case-args.ts';

const corpus = fileURLToPath(new URL('./corpus/', import.meta.url));

const slug = (flags: string): string => flags.replace(/--/g, '').replace(/ /g, '-');

for (const name of caseEntries(corpus, { needs: ['args', 'expected.list.json', 'expected.graph.txt'] })) {
  const dir = join(corpus, name);
  test(`ansible-inventory corpus: ${name}`, async (t) => {
    const lines = readFileSync(join(dir, 'args'), 'utf8').split('\n');
    const sources = caseSources(dir, lines[0] ?? '');
    const runs = ['--list', '--graph', ...lines.slice(1).filter((l) => l.trim() !== '')];
    for (const flags of runs) {
      const ext = flags.startsWith('--list') || flags.startsWith('--host') ? 'json' : 'txt';
      const expected = readFileSync(join(dir, `expected.${slug(flags)}.${ext}`), 'utf8');
      const out = await inventoryOutput([...sources, ...flags.split(' ')], dir);
      if (out === 'exit-ok') return t.fail('unexpected exit-ok');
      t.is(`${out.text}\n`, expected, `${name}: tsplay inventory ${flags}`);
    }
  });
}
