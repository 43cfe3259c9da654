import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { waitFor } from '../helpers/wait-for.ts';

let hs: TestHosts;

test.before(async () => {
  hs = await createTestHosts(1);
  // sshd at DEBUG1 logs each global request a client makes; SIGHUP makes it re-read its config
  const h = hs.hosts[0]!;
  const cfg = join(h.dir, 'sshd_config');
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^LogLevel .*$/m, 'LogLevel DEBUG1'));
  process.kill(h.pid, 'SIGHUP');
  await new Promise((r) => setTimeout(r, 300));
});

test.after.always(async () => {
  await hs?.teardown();
});

test('a connection does not ask the host to prove the host keys it announces (hostkeys-prove-00), and still works', async (t) => {
  const h = hs.hosts[0]!;
  const log = join(h.dir, 'sshd.log');
  const before = readFileSync(log, 'utf8').length;
  const opts: ConnectOptions = { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 };
  const pool = new SshPool();
  const conn = await openConnection(h.name, h.vars, opts, pool);
  try {
    const r = await conn.run(['sh', '-c', 'echo ok']);
    t.is(r.stdout, 'ok\n');
  } finally {
    await conn.close();
  }
  const seen = (): string => readFileSync(log, 'utf8').slice(before);
  // the session's own lines prove the log covers this connection (and that it is at DEBUG1)
  await waitFor(() => /Accepted publickey/.test(seen()) && /server_input_channel_req|session_input_channel_req/.test(seen()), 'this connection in the sshd log', 10_000);
  t.notRegex(seen(), /hostkeys-prove-00@openssh\.com/);
});
