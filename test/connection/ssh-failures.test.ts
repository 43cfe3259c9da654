// Real sshd hosts: host keys (unknown, accept-new, changed), bad credentials, dead and frozen hosts.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { shQuote } from '../../engine/connection/quote.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { waitFor } from '../helpers/wait-for.ts';

let hs: TestHosts;
test.before(async () => {
  hs = await createTestHosts(4);
});
test.after.always(async () => {
  await hs?.teardown();
});

const base = (knownHostsFile: string): ConnectOptions => ({ hostKeyChecking: 'yes', knownHostsFile, verbosity: 0 });

function fp(pubLine: string): string {
  const f = join(hs.dir, `fp-${Math.random()}.pub`);
  writeFileSync(f, `${pubLine}\n`);
  return (execFileSync('ssh-keygen', ['-l', '-f', f], { encoding: 'utf8' }).split(' ')[1] ?? '').trim();
}

test.serial('an unknown host key is refused with its fingerprint; accept-new records it; a changed key is refused even then', async (t) => {
  const h = hs.byName.get('h1')!;
  const kh = join(hs.dir, 'kh-accept');
  writeFileSync(kh, '');
  const pool = new SshPool();
  const e1 = await t.throwsAsync(openConnection(h.name, h.vars, base(kh), pool), { instanceOf: TsplayError });
  t.is((e1 as TsplayError).code, 'E_HOST_KEY');
  t.is((e1 as TsplayError).host, 'h1');
  t.true(e1?.message.includes(fp(h.hostKeyPub)), e1?.message);
  t.is(readFileSync(kh, 'utf8'), '', 'refusal wrote nothing');

  const c = await openConnection(h.name, h.vars, { ...base(kh), hostKeyChecking: 'accept-new' }, pool);
  t.is((await c.run(['echo', 'ok'])).stdout, 'ok\n');
  await c.close();
  t.is(readFileSync(kh, 'utf8'), `[127.0.0.1]:${h.port} ${h.hostKeyPub}\n`);
  // and ssh-keygen itself finds the line we wrote
  t.regex(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${h.port}`, '-f', kh], { encoding: 'utf8' }), /found: line 1/);

  const c2 = await openConnection(h.name, h.vars, base(kh), pool);
  await c2.close();

  await hs.swapHostKey('h1');
  for (const mode of ['yes', 'accept-new'] as const) {
    const e2 = await t.throwsAsync(openConnection(h.name, h.vars, { ...base(kh), hostKeyChecking: mode }, pool), { instanceOf: TsplayError });
    t.is((e2 as TsplayError).code, 'E_HOST_KEY');
    t.regex(e2?.message ?? '', /CHANGED/);
    t.true(e2?.message.includes(fp(h.hostKeyPub)), 'names the new fingerprint');
  }
  t.is(readFileSync(kh, 'utf8').split('\n').filter(Boolean).length, 1, 'the changed key was not recorded');
});

test.serial('a wrong client key is E_AUTH naming the host', async (t) => {
  const h = hs.byName.get('h2')!;
  const other = join(hs.dir, 'other_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  const e = await t.throwsAsync(openConnection(h.name, { ...h.vars, ansible_ssh_private_key_file: other }, base(hs.knownHostsFile), new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_AUTH');
  t.is((e as TsplayError).host, 'h2');
});

// How fast each failure is seen is measured by bench/failure-latency.ts, not asserted here.
test.serial('a closed port is E_UNREACHABLE', async (t) => {
  const h = hs.byName.get('h2')!;
  const e = await t.throwsAsync(openConnection('nowhere', { ...h.vars, ansible_port: '1' }, base(hs.knownHostsFile), new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_UNREACHABLE');
  t.is((e as TsplayError).host, 'nowhere');
});

test.serial('a killed sshd fails that host while another host goes on', async (t) => {
  const pool = new SshPool();
  const h3 = hs.byName.get('h3')!;
  const h2 = hs.byName.get('h2')!;
  const c3 = await openConnection(h3.name, h3.vars, base(hs.knownHostsFile), pool);
  const c2 = await openConnection(h2.name, h2.vars, base(hs.knownHostsFile), pool);
  // the command says when it runs, so the kill lands during it (a test host's files live under its root)
  const started = join(h3.root, 'started');
  const running = c3.run(['sh', '-c', `touch ${shQuote(started)}; exec sleep 20`]);
  await waitFor(() => existsSync(started), 'the remote sleep to start');
  hs.kill('h3');
  const e = await t.throwsAsync(running, { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_UNREACHABLE');
  t.is((e as TsplayError).host, 'h3');
  const again = await t.throwsAsync(c3.run(['true']), { instanceOf: TsplayError });
  t.is((again as TsplayError).code, 'E_UNREACHABLE');
  t.is((await c2.run(['echo', 'still here'])).stdout, 'still here\n');
  await c2.close();
  await c3.close();
});

test.serial('a host that stops answering is E_UNREACHABLE (keepalives)', async (t) => {
  const h = hs.byName.get('h4')!;
  const c = await openConnection(h.name, h.vars, base(hs.knownHostsFile), new SshPool());
  t.is((await c.run(['echo', 'up'])).stdout, 'up\n');
  hs.freeze('h4');
  const start = Date.now();
  try {
    const e = await t.throwsAsync(c.run(['true']), { instanceOf: TsplayError });
    const took = Date.now() - start;
    t.is((e as TsplayError).code, 'E_UNREACHABLE');
    t.log(`frozen host detected after ${took} ms`);
  } finally {
    hs.thaw('h4');
    await c.close();
  }
});

test.serial('the known_hosts file defaults to ~/.ssh/known_hosts', async (t) => {
  // no knownHostsFile: our test host is not in root's known_hosts, so it must be refused
  const h = hs.byName.get('h2')!;
  const e = await t.throwsAsync(openConnection(h.name, h.vars, { hostKeyChecking: 'yes', verbosity: 0 }, new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_HOST_KEY');
  t.regex(e?.message ?? '', /\.ssh\/known_hosts/);
});
