// Live check against the real oracle: a few corpus cases are run through the installed
// ansible-inventory right now and compared with tsplay's output, so a recording that drifted
// from what Ansible says (or a different Ansible) shows up here, not only in record.sh.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inventoryOutput } from '../../engine/cli/commands/inventory.ts';
import { caseSources } from './case-args.ts';

const corpus = fileURLToPath(new URL('./corpus/', import.meta.url));
const CASES: [string, string][] = [
  ['ini-types', '--graph --vars'],
  ['yaml-types', '--list'],
  ['playbook-dir', '--host h1'],
];

test('tsplay inventory prints what the installed ansible-inventory prints, live', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'tsplay-oracle-'));
  try {
    const version = execFileSync('ansible-inventory', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    t.is(version, readFileSync(join(corpus, 'ANSIBLE_VERSION'), 'utf8').split('\n')[0], 'the corpus was recorded with this Ansible');
    for (const [name, flags] of CASES) {
      const dir = join(corpus, name);
      const args = [...caseSources(dir, readFileSync(join(dir, 'args'), 'utf8').split('\n')[0] ?? ''), ...flags.split(' ')];
      const ansible = execFileSync('ansible-inventory', args, {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { PATH: '/usr/bin:/bin', HOME: work, LANG: 'C.UTF-8', ANSIBLE_LOCALHOST_WARNING: 'False', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False' },
      });
      const ours = await inventoryOutput(args, dir);
      if (ours === 'exit-ok') return t.fail();
      t.is(`${ours.text}\n`, ansible, `${name} ${flags}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
