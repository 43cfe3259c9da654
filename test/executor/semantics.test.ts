// Runs each playbook of semantics/ through tsplay (real loader, inventory, executor) and compares
// exit code, PLAY RECAP and the per-task status records with what ansible-playbook 2.14 printed
// for the same playbook (semantics/expected/, made by capture.sh with local connections).
// Every case runs twice: with local connections, as Ansible did, and over ssh to real sshd hosts
// (test/helpers/ssh-hosts.ts) standing in for h1..h3 — the outcome must not depend on the transport.
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePlaybookArgs } from '../../engine/cli/commands/playbook.ts';
import { normalizeRun, recapLines } from './helpers/normalize.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { runPlaybook } from './helpers/run-playbook.ts';

let ssh: TestHosts | undefined;
test.before(async () => {
  ssh = await createTestHosts(3);
});
test.after.always(async () => {
  await ssh?.teardown();
});

/** sshInventory rewrites the local inventory so h1..h3 are reached over ssh. */
function sshInventory(text: string): string {
  return text.replace(/^(h\d) ansible_connection=local/gm, (_m, name: string) => {
    const h = ssh!.byName.get(name)!;
    return `${name} ${Object.entries(h.vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`;
  });
}

const dir = join(import.meta.dirname, 'semantics');
const cases = readFileSync(join(dir, 'cases.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => l.split('|').map((x) => x.trim()) as [string, string, string, string?]);

for (const [name, playbook, args, inv] of cases)
  for (const transport of ['local', 'ssh'] as const) {
    // the inventory column: -i sources (default inventory.ini), "-" for none (implicit localhost only)
    const inventories = (inv || 'inventory.ini').split(/\s+/).filter((i) => i !== '-');
    // without inventory.ini there are no h1..h3 to reach over ssh: one run says it all
    if (transport === 'ssh' && !inventories.includes('inventory.ini')) continue;
    test(`${name} (${transport}): same outcome as ansible-playbook`, async (t) => {
      const work = mkdtempSync(join(tmpdir(), `tsplay-sem-${name}-`));
      cpSync(dir, work, { recursive: true });
      try {
        const parsed = parsePlaybookArgs([join(work, playbook), ...inventories.flatMap((i) => ['-i', join(work, i)]), ...(args ? args.split(' ') : [])]);
        if (parsed === 'exit-ok') return t.fail();
        // the playbook runs where it lies: group_vars/, host_vars/ and roles/ beside it count
        const files: Record<string, string> = {};
        if (transport === 'ssh') files['inventory.ini'] = sshInventory(readFileSync(join(work, 'inventory.ini'), 'utf8'));
        const r = await runPlaybook(files, { ...parsed, playbooks: [] }, { dir: work, playbook, inventories, connect: { knownHostsFile: ssh!.knownHostsFile } });
        const expected = readFileSync(join(dir, 'expected', `${name}.txt`), 'utf8');
        const rc = Number(readFileSync(join(dir, 'expected', `${name}.rc`), 'utf8').trim());
        const flat = name === 'free';
        t.deepEqual(normalizeRun(r.text, flat), normalizeRun(expected, flat), 'status records per task');
        t.deepEqual(recapLines(r.text), recapLines(expected), 'PLAY RECAP');
        t.is(r.code, rc, 'exit code');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
