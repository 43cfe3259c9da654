// Loop read-ahead (engine/executor/read-ahead.ts) on a REAL sshd: after an item that changed
// nothing, the next items' reads go out at once; an item plans against an early read only when
// nothing was applied since it was sent. The oracle is the sequential order Ansible runs items in.
import test from 'ava';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { Connection } from '../../engine/connection/types.ts';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { runPlaybook } from './helpers/run-playbook.ts';

let hosts: TestHosts;
let work: string;

test.before(async () => {
  hosts = await createTestHosts(1);
  work = mkdtempSync(join(tmpdir(), 'tsplay-readahead-'));
});

test.after.always(async () => {
  await hosts?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

function inventory(): string {
  const h = hosts.hosts[0]!;
  return `${h.name} ${Object.entries(h.vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}\n`;
}

/** run runs `tasks` on h1, counting the batches sent and noting, per item-result, how many had been sent by then. */
async function run(tasks: string, check = false): Promise<{ code: number; items: { status: string; sentBefore: number }[]; changed: number | undefined; text: string }> {
  const pool = new SshPool();
  let sent = 0;
  const items: { status: string; sentBefore: number }[] = [];
  const files = { 'site.yml': `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks}`, 'inventory.ini': inventory() };
  const out = await runPlaybook(
    files,
    { check },
    {
      dir: work,
      open: async (host, vars): Promise<Connection> => {
        const c = await openConnection(host, vars, { hostKeyChecking: 'yes', knownHostsFile: hosts.knownHostsFile, verbosity: 0 }, pool);
        return {
          host: c.host,
          run: (...a) => c.run(...a),
          shell: (...a) => c.shell(...a),
          batch: (...a) => {
            sent++;
            return c.batch(...a);
          },
          put: (...a) => c.put(...a),
          get: (...a) => c.get(...a),
          close: () => c.close(),
        };
      },
      onEvent: (e: ExecEvent) => {
        if (e.type === 'item-result') items.push({ status: e.status, sentBefore: sent });
      },
    },
  );
  return { code: out.code, items, changed: out.stats['h1']?.changed, text: out.text };
}

test.serial("a converged file loop sends the later items' reads together, and a second run and --check change nothing", async (t) => {
  const root = hosts.hosts[0]!.root;
  const tasks = `  - file:\n      path: "${root}/ra-{{ item }}"\n      state: directory\n    loop: [a, b, c, d, e]\n`;
  const first = await run(tasks);
  t.is(first.code, 0, first.text);
  t.is(first.changed, 1);
  t.deepEqual(
    first.items.map((i) => i.status),
    ['changed', 'changed', 'changed', 'changed', 'changed'],
  );
  // first run: every item changes, so nothing is read early (a read and a mkdir per item, in turn)
  t.deepEqual(
    first.items.map((i) => i.sentBefore),
    [2, 4, 6, 8, 10],
  );
  for (const check of [false, true]) {
    const again = await run(tasks, check);
    t.is(again.code, 0, again.text);
    t.is(again.changed, 0, again.text);
    // item a reads in its turn; b..e's reads were all sent when a's result came
    t.deepEqual(
      again.items.map((i) => i.sentBefore),
      [1, 5, 5, 5, 5],
    );
  }
});

test.serial('an early read is not used once an earlier item wrote: items [x, y, x] on a file holding x', async (t) => {
  const file = join(hosts.hosts[0]!.root, 'ra-same.txt');
  const tasks = `  - copy:\n      dest: ${file}\n      content: "{{ item }}"\n    loop: [x, y, x]\n`;
  const seed = await run(`  - copy:\n      dest: ${file}\n      content: x\n`);
  t.is(seed.code, 0, seed.text);
  const r = await run(tasks);
  t.is(r.code, 0, r.text);
  // as in turn: x is there (ok), y is written (changed), x is written back (changed)
  t.deepEqual(
    r.items.map((i) => i.status),
    ['ok', 'changed', 'changed'],
  );
  t.is(readFileSync(file, 'utf8'), 'x');
  // the third item's early read (made before y was written) was dropped and made again
  t.is(r.items[2]?.sentBefore, 4);
});
