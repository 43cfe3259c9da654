// Modules over a real sshd (test/helpers/ssh-hosts.ts): each read costs exactly ONE call on the
// connection (one round trip), a first run changes, a second run plans nothing, and --check
// on an unconverged host writes nothing.
import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { Connection } from '../../engine/connection/types.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { runModule, snapshot } from './support/drive.ts';

let hs: TestHosts;
let conn: Connection;
let pool: SshPool;
const calls: string[] = [];

// Counts every call a module makes on the connection; a batch is one call, one round trip.
function counting(c: Connection): Connection {
  return new Proxy(c, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function') return v;
      if (['run', 'shell', 'batch', 'put', 'get'].includes(String(prop))) {
        return (...a: unknown[]) => {
          calls.push(String(prop));
          return (v as (...x: unknown[]) => unknown).apply(target, a);
        };
      }
      return (v as (...x: unknown[]) => unknown).bind(target);
    },
  });
}

test.before(async () => {
  hs = await createTestHosts(1);
  pool = new SshPool();
  const h = hs.hosts[0]!;
  conn = counting(await openConnection(h.name, h.vars, { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 }, pool));
});

test.after.always(async () => {
  await conn?.close();
  await hs?.teardown();
});

test.serial('every read is one round trip; converged second runs make no other call', async (t) => {
  const root = join(hs.hosts[0]!.root, 'rt');
  mkdirSync(root, { recursive: true });
  const tdir = join(root, 'templates');
  mkdirSync(tdir);
  writeFileSync(join(tdir, 't.hbs'), 'host {{ inventory_hostname }}\n');
  writeFileSync(join(root, 'cfg'), 'a=1\n');
  const tasks: [string, Record<string, unknown>][] = [
    ['copy', { content: 'x\n', dest: join(root, 'c'), mode: '0640' }],
    ['template', { src: 't.hbs', dest: join(root, 't') }],
    ['file', { path: join(root, 'd'), state: 'directory', mode: '0755' }],
    ['lineinfile', { path: join(root, 'cfg'), regexp: '^a=', line: 'a=2' }],
    ['blockinfile', { path: join(root, 'cfg'), block: 'b=3' }],
    ['command', { cmd: `touch ${join(root, 'm')}`, creates: join(root, 'm') }],
    ['stat', { path: join(root, 'c') }],
    ['slurp', { src: join(root, 'cfg') }],
    ['package', { name: ['dpkg'] }],
  ];
  const opts = { templates: [tdir], vars: { inventory_hostname: 'h1' } };
  for (const [m, a] of tasks) {
    const before = snapshot(root);
    calls.length = 0;
    const dry = await runModule(conn, m, a, { ...opts, check: true });
    t.deepEqual(calls, [calls[0]!], `${m}: read in one call, got ${calls.join(',')}`);
    t.deepEqual(snapshot(root), before, `${m}: --check wrote nothing`);
    const first = await runModule(conn, m, a, opts);
    t.not(first.status, 'failed', `${m}: ${first.applied?.msg ?? first.plan.msg ?? ''}`);
    calls.length = 0;
    const second = await runModule(conn, m, a, opts);
    t.is(second.status, 'ok', `${m} second run: ${JSON.stringify(second.plan.changes)}`);
    t.is(calls.length, 1, `${m}: a converged run is one round trip`);
    t.true(['ok', 'changed'].includes(dry.status));
  }
  t.is(readFileSync(join(root, 'cfg'), 'utf8'), 'a=2\n# BEGIN ANSIBLE MANAGED BLOCK\nb=3\n# END ANSIBLE MANAGED BLOCK\n');
  t.is(readFileSync(join(root, 't'), 'utf8'), 'host h1\n');
});

test.serial('a converged task over ssh costs about one round trip of time', async (t) => {
  const root = join(hs.hosts[0]!.root, 'timing');
  mkdirSync(root, { recursive: true });
  const a = { content: 'y\n', dest: join(root, 'f') };
  await runModule(conn, 'copy', a);
  const n = 50;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await runModule(conn, 'copy', a);
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / n;
  t.log(`converged copy over ssh: ${ms.toFixed(2)} ms per task (${n} runs)`);
  t.true(ms < 100, `${ms} ms per converged copy`);
});
