// The connect timeout: ansible_ssh_timeout (host var) beats -T/--timeout, which beats
// ConnectTimeout in the ssh options. Real sshd frozen with SIGSTOP: the kernel still accepts
// the TCP connection, but no banner ever comes, so only the timeout ends the wait.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
test.before(async () => {
  hs = await createTestHosts(1);
  hs.freeze('h1');
});
test.after.always(async () => {
  await hs?.teardown();
});

const base = (): ConnectOptions => ({ hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 });

async function timeOpen(vars: Record<string, string>, opts: ConnectOptions): Promise<{ err: TsplayError; ms: number }> {
  const start = Date.now();
  try {
    await openConnection('h1', vars, opts, new SshPool());
  } catch (e) {
    if (!(e instanceof TsplayError)) throw e;
    return { err: e, ms: Date.now() - start };
  }
  throw new Error('connected to a frozen sshd');
}

test('ansible_ssh_timeout bounds the wait for a host that never sends its banner, and beats -T and ConnectTimeout', async (t) => {
  const h = hs.byName.get('h1')!;
  const vars = { ...h.vars, ansible_ssh_timeout: '2', ansible_ssh_common_args: '-o ConnectTimeout=25' };
  const { err, ms } = await timeOpen(vars, { ...base(), connectTimeoutMs: 20_000 });
  t.is(err.code, 'E_UNREACHABLE');
  t.is(err.host, 'h1');
  t.regex(err.message, /h1 .*no SSH handshake within 2 s \(ansible_ssh_timeout\)/);
  t.true(ms >= 1800 && ms < 6000, `took ${ms} ms`);
});

test('-T (run-wide) beats ConnectTimeout in the ssh options', async (t) => {
  const h = hs.byName.get('h1')!;
  const { err, ms } = await timeOpen({ ...h.vars, ansible_ssh_common_args: '-o ConnectTimeout=25' }, { ...base(), connectTimeoutMs: 1000 });
  t.is(err.code, 'E_UNREACHABLE');
  t.regex(err.message, /within 1 s \(-T\/--timeout\)/);
  t.true(ms >= 800 && ms < 5000, `took ${ms} ms`);
});

test('ConnectTimeout applies when neither ansible_ssh_timeout nor -T is given', async (t) => {
  const h = hs.byName.get('h1')!;
  const { err, ms } = await timeOpen({ ...h.vars, ansible_ssh_common_args: '-o ConnectTimeout=1' }, base());
  t.regex(err.message, /within 1 s \(ConnectTimeout\)/);
  t.true(ms < 5000, `took ${ms} ms`);
});

test('a bad ansible_ssh_timeout is an error naming the host, not a silent default', async (t) => {
  const h = hs.byName.get('h1')!;
  const e = await t.throwsAsync(openConnection('h1', { ...h.vars, ansible_ssh_timeout: 'soon' }, base(), new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_UNREACHABLE');
  t.regex(e?.message ?? '', /ansible_ssh_timeout "soon"/);
});

test('tsplay -T 2 gives up on a frozen host after about 2 s: exit 4, the host named', async (t) => {
  const work = join(hs.dir, 'cli');
  const home = join(work, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(hs.knownHostsFile));
  writeFileSync(join(work, 'inv.ini'), hs.inventoryIni('all'));
  writeFileSync(join(work, 'pb.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: "true"\n');
  const bin = join(import.meta.dirname, '../../bin/tsplay.js');
  const start = Date.now();
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, 'pb.yml', '-i', 'inv.ini', '-T', '2', '--output', 'plain'], { cwd: work, env: { ...process.env, HOME: home } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
  const ms = Date.now() - start;
  t.is(r.code, 4, r.out);
  t.regex(r.out, /h1.*no SSH handshake within 2 s \(-T\/--timeout\)/);
  t.true(ms < 12_000, `took ${ms} ms`);
});
