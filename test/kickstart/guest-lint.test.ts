// One generic runner for guest-data cases: each guest-cases/*.yml is an inventory whose header names
// the problems it must produce as CODE@mark, where `#@mark` ends the YAML line the problem must point at.
// E_KS_LINT findings are identified by their lint code, schema problems by E_KS_DATA. Each optional
// `# message: TEXT` header line must appear in one of the errors' messages.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { generateTree } from '../../engine/kickstart/generate.ts';
import { caseEntries } from '../helpers/cases.ts';

const dir = fileURLToPath(new URL('./guest-cases/', import.meta.url));

for (const f of caseEntries(dir, { suffix: '.yml' })) {
  if (!/^# expect: \S/m.test(readFileSync(dir + f, 'utf8'))) throw new Error(`${dir}${f}: no # expect: line`);
  test(`guest data ${f}`, async (t) => {
    const text = readFileSync(dir + f, 'utf8');
    const lines = text.split('\n');
    const want = (/^# expect: (.*)$/m.exec(text)?.[1] ?? '')
      .split(/\s+/)
      .map((e) => {
        const [code, mark] = e.split('@');
        const line = lines.findIndex((l) => l.endsWith(`#@${mark}`)) + 1;
        return `${code}@${line}`;
      })
      .sort();
    const err = await t.throwsAsync(generateTree({ inventories: [dir + f], cwd: dir }), { instanceOf: TsplayErrors });
    const got = (err as TsplayErrors).errors.map((e) => `${e.code === 'E_KS_LINT' ? e.message.split(':')[0] : e.code}@${e.pos?.line ?? 0}`).sort();
    t.deepEqual(got, want, (err as TsplayErrors).errors.map((e) => `${e.pos?.file}:${e.pos?.line} ${e.code} ${e.message}`).join('\n'));
    for (const m of text.matchAll(/^# message: (.*)$/gm)) {
      t.true(
        (err as TsplayErrors).errors.some((e) => e.message.includes(m[1]!)),
        `no error says "${m[1]}"`,
      );
    }
    for (const e of (err as TsplayErrors).errors) {
      t.is(e.pos?.file, dir + f);
      t.truthy(e.host);
    }
  });
}
