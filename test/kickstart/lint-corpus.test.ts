// One generic runner for the lint corpus: each lint-corpus/*.ks names its OS target (`#! os:`) and the
// exact set of finding codes the lint must report (`#! expect:`, `-` for a clean file); the lint's
// verdict is also held against the one pykickstart gave for the same file.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { Finding } from '../../engine/kickstart/lint/finding.ts';
import { lintKickstart } from '../../engine/kickstart/lint/lint-kickstart.ts';
import { parseOsTarget } from '../../engine/kickstart/os-target.ts';
import { caseEntries, caseList, readCaseFile } from '../helpers/cases.ts';

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

// What pykickstart 3.74 said of each corpus file (data/pykickstart-oracle.json, recorded by
// data/capture-pykickstart-oracle.py: pykickstart is not packaged for Debian 12, so it is not run here).
interface Verdict {
  file: string;
  version: string;
  error: string | null;
  warnings: string[];
}
const oracleFile = new URL('./data/pykickstart-oracle.json', import.meta.url);
const verdicts = caseList<Verdict>(readCaseFile<{ corpus?: unknown }>(oracleFile).corpus, `${oracleFile.pathname} corpus`, ['file', 'version', 'error', 'warnings']);

test('every corpus file has a recorded pykickstart verdict for its OS target', (t) => {
  t.deepEqual(verdicts.map((v) => v.file).sort(), files);
  for (const v of verdicts) {
    const os = /^#! os: (\S+)$/m.exec(readFileSync(dir + v.file, 'utf8'))?.[1] ?? '';
    t.is(v.version, os.startsWith('rhel') ? `RHEL${os.slice(4)}` : `F${os.slice(6)}`, v.file);
  }
});

const lintFindings = (file: string): Finding[] => {
  const text = readFileSync(dir + file, 'utf8');
  const os = parseOsTarget(/^#! os: (\S+)$/m.exec(text)?.[1] ?? '');
  if ('error' in os) throw new Error(`${file}: ${os.error}`);
  return lintKickstart(text, os, { file });
};
const lintErrors = (file: string): Finding[] => lintFindings(file).filter((x) => x.severity === 'error');
const silent = (v: Verdict): boolean => v.error === null && v.warnings.length === 0;

// pykickstart checks less than the lint (addresses, groups, team JSON), so on the files it took
// only one way holds: a file the lint passes is one pykickstart accepts.
test('every file the lint passes, pykickstart accepted', (t) => {
  const passed = files.filter((f) => lintErrors(f).length === 0);
  t.true(passed.length >= 4);
  t.deepEqual(
    passed.filter((f) => !verdicts.some((v) => v.file === f && v.error === null)),
    [],
  );
});

// an error is what the installer refuses; what pykickstart only warns about may be a lint warning
for (const v of verdicts.filter((x) => !silent(x))) {
  test(`the lint refuses what pykickstart refused, and reports what it warned about: ${v.file}`, (t) => {
    const text = readFileSync(dir + v.file, 'utf8');
    const errors = v.error === null ? lintFindings(v.file) : lintErrors(v.file);
    const said = `pykickstart: ${v.error ?? 'accepted'} ${v.warnings.join(' ')}`;
    t.true(errors.length > 0, `the lint passes a file ${said}`);
    const line = Number(/on line (\d+)/.exec(v.error ?? v.warnings.join(' '))?.[1] ?? 0);
    if (!line) return;
    const unclosed = /Section (%\w+) does not end with %end/.exec(v.error ?? '');
    // pykickstart names the line where it noticed the unclosed section; the lint names its opening line
    const want = unclosed
      ? text
          .split('\n')
          .slice(0, line)
          .findLastIndex((l) => l.startsWith(unclosed[1]!)) + 1
      : line;
    t.true(
      errors.some((x) => x.pos?.line === want),
      `${said}; the lint said ${errors.map((x) => `${x.pos?.line}: ${x.code}`).join(', ')}`,
    );
  });
}
