// ProxyCommand from ansible_ssh_common_args or a -F config, run for real (netcat-openbsd's nc)
// against real sshds. The destination name does not resolve, so only the proxy can reach it:
// a client that dropped the ProxyCommand and went direct would fail these tests.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
test.before(async () => {
  hs = await createTestHosts(1);
});
test.after.always(async () => {
  await hs?.teardown();
});

// known_hosts under the name ssh checks with a ProxyCommand: the HostName (%h), with the port
function knownHosts(name: string): string {
  const h = hs.byName.get('h1')!;
  const f = join(hs.dir, `kh-${name}`);
  writeFileSync(f, `[${name}]:${h.port} ${h.hostKeyPub}\n`);
  return f;
}
const opts = (kh: string): ConnectOptions => ({ hostKeyChecking: 'yes', knownHostsFile: kh, verbosity: 0 });

async function gone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test.serial('ProxyCommand in ansible_ssh_common_args carries the connection; %h %p %r %n are expanded; the proxy ends with the connection', async (t) => {
  const h = hs.byName.get('h1')!;
  const log = join(hs.dir, 'proxy.log');
  const pidFile = join(hs.dir, 'proxy.pid');
  const cmd = `sh -c 'echo %h %p %r %n %% >>${log}; echo $$ >${pidFile}; exec nc 127.0.0.1 %p'`;
  const vars = { ...h.vars, ansible_host: 'behind-proxy.invalid', ansible_ssh_common_args: `-o "ProxyCommand=${cmd}"` };
  const pool = new SshPool();
  const c = await openConnection('h1', vars, opts(knownHosts('behind-proxy.invalid')), pool);
  t.is((await c.run(['echo', 'through the proxy'])).stdout, 'through the proxy\n');
  await c.put(join(h.root, 'via-proxy.txt'), 'sftp too\n');
  t.is(readFileSync(join(h.root, 'via-proxy.txt'), 'utf8'), 'sftp too\n');
  t.is(readFileSync(log, 'utf8'), `behind-proxy.invalid ${h.port} root behind-proxy.invalid %\n`);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  t.true(existsSync(`/proc/${pid}`), 'the proxy runs while the connection is open');
  await c.close();
  t.true(await gone(pid, 3000), 'the proxy process ended with the connection');
});

test.serial('ProxyCommand from a -F config Host block: %n is the alias, %h its HostName', async (t) => {
  const h = hs.byName.get('h1')!;
  const log = join(hs.dir, 'proxy-f.log');
  const cfg = join(hs.dir, 'ssh_config');
  writeFileSync(cfg, `Host alias1\n  HostName behind-f.invalid\n  ProxyCommand sh -c 'echo %n %h >>${log}; exec nc 127.0.0.1 %p'\n`);
  const vars = { ...h.vars, ansible_host: 'alias1', ansible_ssh_common_args: `-F ${cfg}` };
  const c = await openConnection('h1', vars, opts(knownHosts('behind-f.invalid')), new SshPool());
  t.is((await c.run(['echo', 'ok'])).stdout, 'ok\n');
  await c.close();
  t.is(readFileSync(log, 'utf8'), 'alias1 behind-f.invalid\n');
});

test.serial('a ProxyCommand that fails is E_UNREACHABLE with its exit code and stderr: never a direct connection instead', async (t) => {
  const h = hs.byName.get('h1')!;
  // ansible_host/port reach the sshd directly: only honouring the proxy makes this fail
  const vars = { ...h.vars, ansible_ssh_extra_args: `-o "ProxyCommand=sh -c 'echo no route to %h >&2; exit 3'"` };
  const e = await t.throwsAsync(openConnection('h1', vars, opts(hs.knownHostsFile), new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_UNREACHABLE');
  t.is((e as TsplayError).host, 'h1');
  t.regex(e?.message ?? '', /ProxyCommand .* exited with code 3: no route to 127\.0\.0\.1/);
});

test.serial('an unknown %-token in ProxyCommand is refused as ssh refuses it', async (t) => {
  const h = hs.byName.get('h1')!;
  const vars = { ...h.vars, ansible_ssh_common_args: `-o "ProxyCommand=nc %x %p"` };
  const e = await t.throwsAsync(openConnection('h1', vars, opts(hs.knownHostsFile), new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_UNREACHABLE');
  t.regex(e?.message ?? '', /unknown token %x/);
});

test.serial('tsplay_jump together with a ProxyCommand is refused, not one of them dropped', async (t) => {
  const h = hs.byName.get('h1')!;
  const vars = { ...h.vars, tsplay_jump: 'somewhere', ansible_ssh_common_args: `-o "ProxyCommand=nc %h %p"` };
  const e = await t.throwsAsync(openConnection('h1', vars, opts(hs.knownHostsFile), new SshPool()), { instanceOf: TsplayError });
  t.regex(e?.message ?? '', /both tsplay_jump .* and ProxyCommand/);
});
