// One generic runner for the lint corpus: each lint-corpus/*.ks names its OS target (`#! os:`) and the
// exact set of finding codes the lint must report (`#! expect:`, `-` for a clean file).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { lintKickstart } from '../../engine/kickstart/lint/lint-kickstart.ts';
import { parseOsTarget } from '../../engine/kickstart/os-target.ts';
import { caseEntries } from '../helpers/cases.ts';

const dir = fileURLToPath(new URL('./lint-corpus/', import.meta.url));
const files = caseEntries(dir, { suffix: '.ks', min: 29 });
for (const f of files) {
  if (!/^#! os: \S+$/m.test(readFileSync(dir + f, 'utf8')) || !/^#! expect: \S/m.test(readFileSync(dir + f, 'utf8'))) throw new Error(`${dir}${f}: no #! os: or #! expect: line`);
}

test('the corpus has at least 25 cases, good and bad', (t) => {
  t.true(files.length >= 25);
  const clean = files.filter((f) => /^#! expect: -$/m.test(readFileSync(dir + f, 'utf8')));
  t.true(clean.length >= 4 && files.length - clean.length >= 25);
});

for (const f of files) {
  test(`lint ${f}`, (t) => {
    const text = readFileSync(dir + f, 'utf8');
    const os = parseOsTarget(/^#! os: (\S+)$/m.exec(text)?.[1] ?? '');
    if ('error' in os) return t.fail(os.error);
    const expect = (/^#! expect: (.*)$/m.exec(text)?.[1] ?? '').trim();
    const want = expect === '-' ? [] : expect.split(/\s+/).sort();
    const findings = lintKickstart(text, os, { file: f });
    t.deepEqual([...new Set(findings.map((x) => x.code))].sort(), want, findings.map((x) => `${x.pos?.line}: ${x.code} ${x.message}`).join('\n'));
    for (const x of findings) {
      t.is(x.pos?.file, f);
      t.true((x.pos?.line ?? 0) >= 1 && (x.pos?.line ?? 0) <= text.split('\n').length);
    }
  });
}
