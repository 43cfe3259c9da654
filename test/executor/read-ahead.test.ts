// Read-ahead (engine/executor/read-ahead.ts) on a REAL sshd, for a loop and for the next task: after an item (a task) that changed
// nothing, the next items' reads go out at once; an item plans against an early read only when
// nothing was applied since it was sent. The oracle is the sequential order Ansible runs items in.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/** Seen is an item's or a task's result as it came, with how many batches had been sent by then. */
interface Seen {
  status: string;
  sentBefore: number;
}

/** run runs `tasks` on h1, counting the batches sent and noting, per item-result, host-result and task-start, how many had been sent by then. */
async function run(tasks: string, check = false): Promise<{ code: number; items: Seen[]; results: Seen[]; starts: number[]; sent: number; changed: number | undefined; text: string }> {
  const pool = new SshPool();
  let sent = 0;
  const items: Seen[] = [];
  const results: Seen[] = [];
  const starts: number[] = [];
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
        if (e.type === 'host-result') results.push({ status: e.status, sentBefore: sent });
        if (e.type === 'task-start') starts.push(sent);
      },
    },
  );
  return { code: out.code, items, results, starts, sent, changed: out.stats['h1']?.changed, text: out.text };
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

test.serial("a converged task list sends each task's read while the task before runs; a first run sends one early read, dropped", async (t) => {
  const root = hosts.hosts[0]!.root;
  const tasks = ['p', 'q', 'r', 's'].map((d) => `  - file:\n      path: "${root}/rt-${d}"\n      state: directory\n`).join('');
  const first = await run(tasks);
  t.is(first.code, 0, first.text);
  t.deepEqual(
    first.results.map((r) => r.status),
    ['changed', 'changed', 'changed', 'changed'],
  );
  // p: its read, q's early read, the mkdir; q planned against a read made before p's mkdir, so it
  // reads again; after a change no task reads ahead (a read and a mkdir each, in turn)
  t.deepEqual(
    first.results.map((r) => r.sentBefore),
    [3, 5, 7, 9],
  );
  for (const check of [false, true]) {
    const again = await run(tasks, check);
    t.is(again.code, 0, again.text);
    t.is(again.changed, 0, again.text);
    // (counted as each task starts: when its result comes depends on the host's speed)
    // q's read went out while p ran, r's while q ran, s's while r ran; none was made twice
    t.deepEqual(again.starts, [0, 2, 3, 4]);
    t.is(again.sent, 4);
  }
});

test.serial("the next task's early read is not used when that task's call differs in its turn (a register it templates changed)", async (t) => {
  const root = hosts.hosts[0]!.root;
  const seed = await run(`  - file:\n      path: "${root}/rv-a"\n      state: directory\n      mode: "0755"\n  - file:\n      path: "${root}/rv-b"\n      state: directory\n      mode: "0700"\n`);
  t.is(seed.code, 0, seed.text);
  // the third task's path comes from `st`: the first stat's (rv-a, 0755 already) while the second
  // runs, the second stat's (rv-b, 0700) in its turn
  const tasks = [
    `  - stat:\n      path: "${root}/rv-a"\n    register: st\n`,
    `  - stat:\n      path: "${root}/rv-b"\n    register: st\n`,
    `  - file:\n      path: "{{ st.stat.path }}"\n      state: directory\n      mode: "0755"\n`,
  ].join('');
  const r = await run(tasks);
  t.is(r.code, 0, r.text);
  t.deepEqual(
    r.results.map((x) => x.status),
    ['ok', 'ok', 'changed'],
  );
  t.is(statSync(join(root, 'rv-b')).mode & 0o777, 0o755);
  // the second stat's read went out while the first ran, the third task's (of rv-a) while the
  // second ran; in its turn the third read rv-b and changed its mode: 5 in all
  t.deepEqual(r.starts, [0, 2, 3]);
  t.is(r.sent, 5);
});
