// One generic test over test/probes/cases/*.json: each file holds a real output captured from
// the lab (stdout, stderr, rc, the tool's version, how it was captured) and the typed value a
// human checked against it. Recapture with `node test/probes/capture.ts test/probes/capture-spec.json`.
import test from 'ava';
import { join } from 'node:path';
import { PARSERS } from '../../engine/probes/index.ts';
import { caseEntries, readCaseFile, requireKeys } from '../helpers/cases.ts';

interface Case {
  probe: string;
  units?: string[];
  captured: string;
  toolVersion: string;
  rc: number;
  stdout: string;
  stderr: string;
  expected: unknown;
}

const dir = join(import.meta.dirname, 'cases');
const files = caseEntries(dir, { suffix: '.json' });
// every file parses and holds its expected value, checked while the test file loads
const cases = new Map(
  files.map((f) => {
    const c = readCaseFile<Case>(join(dir, f));
    requireKeys(c, join(dir, f), ['probe', 'rc', 'stdout', 'expected']);
    return [f, c] as const;
  }),
);

test('every probe named in engine/probes/index.ts has at least one captured case', (t) => {
  const covered = new Set([...cases.values()].map((c) => c.probe));
  t.deepEqual(Object.keys(PARSERS).filter((p) => !covered.has(p)), []);
});

for (const f of files) {
  test(`probe case ${f}`, (t) => {
    const c = cases.get(f)!;
    t.truthy(c.toolVersion, 'a case records the tool version');
    t.truthy(c.captured, 'a case records how it was captured');
    const parser = PARSERS[c.probe];
    if (!parser) return t.fail(`unknown probe ${c.probe}`);
    const value = parser({ units: c.units })({ rc: c.rc, stdout: c.stdout, stderr: c.stderr });
    t.deepEqual(JSON.parse(JSON.stringify(value)), c.expected);
  });
}
