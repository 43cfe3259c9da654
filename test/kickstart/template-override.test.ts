// Users override templates file by file and may add partials of their own (--templates DIR here;
// the `templates/kickstart/` beside the inventory is exercised by cli.test.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { generateTree } from '../../engine/kickstart/generate.ts';
import { BUILTIN_TEMPLATES } from '../../engine/kickstart/render.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('an overriding base template can pull in a partial of the user’s own; the rest stays built in', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kst-'));
  const base = readFileSync(join(BUILTIN_TEMPLATES, 'kickstart.hbs'), 'utf8').replace('reboot\n', 'reboot\n{{> site-extras}}\n');
  writeFileSync(join(dir, 'kickstart.hbs'), base);
  writeFileSync(join(dir, 'site-extras.hbs'), '# site extras for {{host}} ({{mac_dashes guest.nics.0.mac}})\n');
  const tree = await generateTree({ inventories: ['inventories/pxe-example'], cwd: root, templates: dir, limit: 'el7-ab' });
  const ks = tree.files.find((f) => f.path === 'ks/el7-ab.ks')!.content;
  t.true(ks.includes('reboot\n# site extras for el7-ab (52-54-00-54-f4-75)\n'));
  t.true(ks.includes('--teamslaves="ens9\'{\\"prio\\": 100, \\"sticky\\": true}\''), 'built-in teaming partial still used');
  rmSync(dir, { recursive: true, force: true });
});

test('an undefined variable in a user template is an error naming that template and line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kst-'));
  writeFileSync(join(dir, 'tap-shaping.hbs'), '# shaping\n{{guest.no_such_var}}\n');
  const err = await t.throwsAsync(generateTree({ inventories: ['inventories/pxe-example'], cwd: root, templates: dir, limit: 'el8-rr' }));
  const e = err instanceof TsplayErrors ? err.errors[0] : (err as { code?: string; pos?: { file: string; line: number } });
  t.is(e?.code, 'E_UNDEFINED_VAR');
  t.is(e?.pos?.file, join(dir, 'tap-shaping.hbs'));
  t.is(e?.pos?.line, 2);
  rmSync(dir, { recursive: true, force: true });
});

test('a team line that parses fine but means something else than the data is KS_TEAM_MISMATCH', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kst-'));
  // well-formed, validators accept it, but the ports lost their prio/sticky and the order is swapped
  const teaming = readFileSync(join(BUILTIN_TEMPLATES, 'teaming.hbs'), 'utf8').replace('--teamslaves={{net.teamslaves}}', '--teamslaves=eth0,ens9');
  writeFileSync(join(dir, 'teaming.hbs'), teaming);
  const err = await t.throwsAsync(generateTree({ inventories: ['inventories/pxe-example'], cwd: root, templates: dir, limit: 'el7-ab' }), { instanceOf: TsplayErrors });
  const msgs = (err as TsplayErrors).errors.map((e) => `${e.pos?.file}:${e.pos?.line} ${e.message}`);
  t.deepEqual(msgs, [
    `${join(dir, 'teaming.hbs')}:${teaming.split('\n').findIndex((l) => l.includes('eth0,ens9')) + 1} KS_TEAM_MISMATCH: --teamslaves parses back into ports ["eth0","ens9"], the data has ["ens9","eth0"]`,
  ]);
  rmSync(dir, { recursive: true, force: true });
});
