// Data test of the apt source parser the image build uses to pick debootstrap's mirror.
import test from 'ava';
import { join } from 'node:path';
import { parseAptSources } from '../../engine/lab/apt-mirror.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

interface Case {
  name: string;
  deb822: boolean;
  suite: string;
  text: string;
  expected: string[];
}
const file = join(import.meta.dirname, 'cases', 'apt-sources.json');
const cases = caseList<Case>(readCaseFile(file), file, ['name', 'text', 'expected']);

for (const c of cases) {
  test(`apt sources: ${c.name}`, (t) => {
    t.deepEqual(parseAptSources(c.text, c.deb822, c.suite), c.expected);
  });
}
