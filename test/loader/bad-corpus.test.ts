// One data-driven test over test/loader/bad/<case>/: each case holds a playbook (site.yml, plus
// roles/task files/inventory.ini) and expected.yaml listing every error the loader must report
// (code, file, line, col, and the "did you mean" hint where there is one), in order.
// ansible-says.txt (recorded by record-ansible.sh) holds what ansible-playbook --syntax-check said; where
// it names a place, tsplay must report an error there or inside the task or play Ansible names, unless
// expected.yaml's `ansible:` says why they differ.
import test from 'ava';
import { join, relative, resolve } from 'node:path';
import { caseEntries, readCaseFile, requireKeys } from '../helpers/cases.ts';
import { ansiblePlace, within } from './ansible-place.ts';
import { loadCase } from './load-case.ts';

interface Expected {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly hint?: string;
}
interface ExpectedFile {
  errors?: Expected[];
  /** ansible: why tsplay's place differs from the one ansible-playbook names (checked still to differ). */
  ansible?: string;
}

const root = new URL('./bad/', import.meta.url).pathname;
const cases = caseEntries(root, { needs: ['site.yml', 'expected.yaml'], min: 40 });
// every expected.yaml parses and lists at least one error with its code, checked while the file loads
const expectations = new Map(
  cases.map((name) => {
    const file = join(root, name, 'expected.yaml');
    const errors = readCaseFile<ExpectedFile>(file).errors;
    if (!errors?.length) throw new Error(`${file}: no expected error`);
    errors.forEach((e, i) => requireKeys(e, `${file}: error ${i + 1}`, ['code']));
    return [name, errors] as const;
  }),
);

test('the bad-input corpus has at least 40 cases', (t) => {
  t.true(cases.length >= 40, `only ${cases.length} cases`);
});

for (const name of cases) {
  test(`bad/${name}`, async (t) => {
    const dir = join(root, name);
    const expected = expectations.get(name)!;
    const errors = await loadCase(dir);
    const actual = errors.map((e) => {
      const o: Record<string, unknown> = { code: e.code, file: e.pos ? relative(dir, resolve(e.pos.file)) : undefined, line: e.pos?.line, col: e.pos?.col };
      if (e.hint?.startsWith('did you mean')) o['hint'] = e.hint;
      return o;
    });
    t.deepEqual(actual, expected as unknown as Record<string, unknown>[], errors.map((e) => `${e.code} ${e.message}`).join('\n'));
  });
}

const placed = cases.filter((name) => ansiblePlace(join(root, name)));

test('ansible-playbook names a place for at least 20 cases, so the comparison below runs', (t) => {
  t.true(placed.length >= 20, `${placed.length}`);
});

for (const name of placed) {
  test(`bad/${name}: tsplay reports an error where ansible-playbook --syntax-check points`, (t) => {
    const dir = join(root, name);
    const ansible = ansiblePlace(dir)!;
    const differs = readCaseFile<ExpectedFile>(join(dir, 'expected.yaml')).ansible;
    const agrees = expectations.get(name)!.some((e) => within(dir, ansible, { file: e.file, line: e.line, col: e.col }));
    const where = `ansible-playbook: ${ansible.file}:${ansible.line}:${ansible.col}`;
    if (differs) t.false(agrees, `expected.yaml says tsplay differs (${differs}), but it agrees with ${where}`);
    else t.true(agrees, where);
  });
}
