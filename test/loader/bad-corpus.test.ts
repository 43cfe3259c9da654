// One data-driven test over test/loader/bad/<case>/: each case holds a playbook (site.yml, plus
// roles/task files/inventory.ini) and expected.yaml listing every error the loader must report
// (code, file, line, col, and the "did you mean" hint where there is one), in order.
import test from 'ava';
import { join, relative, resolve } from 'node:path';
import { caseEntries, readCaseFile, requireKeys } from '../helpers/cases.ts';
import { loadCase } from './load-case.ts';

interface Expected {
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly hint?: string;
}

const root = new URL('./bad/', import.meta.url).pathname;
const cases = caseEntries(root, { needs: ['site.yml', 'expected.yaml'], min: 40 });
// every expected.yaml parses and lists at least one error with its code, checked while the file loads
const expectations = new Map(
  cases.map((name) => {
    const file = join(root, name, 'expected.yaml');
    const errors = readCaseFile<{ errors?: Expected[] }>(file).errors;
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
