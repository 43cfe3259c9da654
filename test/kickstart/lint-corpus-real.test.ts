// The lint on real kickstarts (Anaconda's kickstart-tests, see lint-corpus-real/SOURCES): the share of
// files pykickstart accepts that the lint gives an error must stay under 1%; and on lines pykickstart
// refuses (data/lint-bad-lines.json) the lint must give an error for each of them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { lintKickstart } from '../../engine/kickstart/lint/lint-kickstart.ts';
import { parseOsTarget, type OsTarget } from '../../engine/kickstart/os-target.ts';
import { caseEntries, caseList, readCaseFile } from '../helpers/cases.ts';

const dir = fileURLToPath(new URL('./lint-corpus-real/', import.meta.url));
const files = caseEntries(dir, { suffix: '.ks', min: 250 });

interface Verdict {
  file: string;
  version: string;
  error: string | null;
  warnings: string[];
}
const oracleFile = new URL('./data/lint-corpus-real-oracle.json', import.meta.url);
const verdicts = caseList<Verdict>(readCaseFile<{ verdicts?: unknown }>(oracleFile).verdicts, oracleFile.pathname, ['file', 'version', 'error', 'warnings']);

const target = (spelled: string): OsTarget => {
  const os = parseOsTarget(spelled);
  if ('error' in os) throw new Error(os.error);
  return os;
};

test('every real kickstart has a source line and a pykickstart verdict for its OS', (t) => {
  t.deepEqual(verdicts.map((v) => v.file).sort(), files);
  for (const v of verdicts) {
    const text = readFileSync(dir + v.file, 'utf8');
    t.regex(text, /^#! source: rhinstaller\/kickstart-tests \S+\.ks\.in /m, v.file);
    const os = /^#! os: (\S+)$/m.exec(text)?.[1] ?? '';
    t.is(v.version, os.startsWith('rhel') ? `RHEL${os.slice(4)}` : `F${os.slice(6)}`, v.file);
  }
});

test('false errors on real kickstarts pykickstart accepts stay under 1%', (t) => {
  const valid = verdicts.filter((v) => v.error === null);
  t.true(valid.length >= 250);
  const falseErrors: string[] = [];
  for (const v of valid) {
    const text = readFileSync(dir + v.file, 'utf8');
    const errors = lintKickstart(text, target(/^#! os: (\S+)$/m.exec(text)?.[1] ?? ''), { file: v.file }).filter((x) => x.severity === 'error');
    if (errors.length > 0) falseErrors.push(`${v.file}: ${errors.map((e) => `${e.pos?.line} ${e.code}`).join(', ')}`);
  }
  const rate = falseErrors.length / valid.length;
  t.log(`false errors: ${falseErrors.length}/${valid.length} = ${(rate * 100).toFixed(2)}%${falseErrors.length ? `\n${falseErrors.join('\n')}` : ''}`);
  t.true(rate < 0.01, falseErrors.join('\n'));
});

interface BadLine {
  os: string;
  line: string;
  pykickstart: string | null;
}
const badFile = new URL('./data/lint-bad-lines.json', import.meta.url);
const badLines = caseList<BadLine>(readCaseFile<{ lines?: unknown }>(badFile).lines, badFile.pathname, ['os', 'line', 'pykickstart']);
// a complete kickstart around the line, so that only the line itself can draw an error
const around = (line: string): string =>
  line.startsWith('%')
    ? `url --url=http://mirror.example/os/\nrootpw --lock\nautopart\n${line}\n@core\n%end\n`
    : `url --url=http://mirror.example/os/\nrootpw --lock\nautopart\n%packages\n@core\n%end\n${line}\n`;

test('the lint misses none of the lines pykickstart refuses', (t) => {
  const refused = badLines.filter((b) => b.pykickstart !== null);
  t.true(refused.length >= 25);
  const missed: string[] = [];
  for (const b of refused) {
    const text = around(b.line);
    const where = text.split('\n').indexOf(b.line) + 1;
    const errors = lintKickstart(text, target(b.os), { file: 'bad.ks' }).filter((x) => x.severity === 'error');
    if (!errors.some((e) => e.pos?.line === where)) missed.push(`${b.os}: ${b.line} (pykickstart: ${b.pykickstart})`);
  }
  t.log(`missed: ${missed.length}/${refused.length} = ${((missed.length / refused.length) * 100).toFixed(2)}%`);
  t.deepEqual(missed, []);
});

test('the kickstart around the bad lines is clean on its own', (t) => {
  for (const os of ['rhel7', 'rhel9', 'rhel10', 'fedora40']) {
    t.deepEqual(lintKickstart(around('skipx'), target(os), { file: 'bad.ks' }), [], os);
  }
});
