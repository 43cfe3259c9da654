// Real sshd hosts: OpenSSH options in ansible_ssh_common_args decide which known_hosts files
// are checked, how strictly, the keepalives, and (through -F) address, key and jump host.
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { createTestHosts, type TestHost, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
test.before(async () => {
  hs = await createTestHosts(4);
});
test.after.always(async () => {
  await hs?.teardown();
});

// no run-wide knownHostsFile: the default is ~/.ssh/known_hosts, which never holds these fresh keys
const opts = (extra: Partial<ConnectOptions> = {}): ConnectOptions => ({ hostKeyChecking: 'yes', verbosity: 0, ...extra });
const userKnownHosts = join(homedir(), '.ssh', 'known_hosts');
const snapshot = (): string => (existsSync(userKnownHosts) ? readFileSync(userKnownHosts, 'utf8') : '<absent>');
const host = (n: string): TestHost => hs.byName.get(n)!;
const line = (h: TestHost): string => `[127.0.0.1]:${h.port} ${h.hostKeyPub}\n`;

test.serial('a key only in the files named by -o UserKnownHostsFile connects; without the option it is refused', async (t) => {
  const h = host('h1');
  const empty = join(hs.dir, 'kh-empty');
  const mine = join(hs.dir, 'kh h1'); // a space in the name, quoted as ssh wants it
  writeFileSync(empty, '');
  writeFileSync(mine, line(h));
  const before = snapshot();
  const vars = { ...h.vars, ansible_ssh_common_args: `-o 'UserKnownHostsFile=${empty} "${mine}"'` };
  // ssh splits UserKnownHostsFile on spaces unless quoted; tsplay reads the same words
  const c = await openConnection(h.name, vars, opts(), new SshPool());
  t.is((await c.run(['echo', 'ok'])).stdout, 'ok\n');
  await c.close();
  // the one-word spelling; an unquoted space would split the value into two files, as in ssh
  const plain = join(hs.dir, 'kh-h1');
  writeFileSync(plain, line(h));
  const c2 = await openConnection(h.name, { ...h.vars, ansible_ssh_common_args: `-C -oUserKnownHostsFile=${plain}` }, opts(), new SshPool());
  await c2.close();

  const e = await t.throwsAsync(openConnection(h.name, h.vars, opts(), new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_HOST_KEY');
  t.true(e?.message.includes(userKnownHosts), e?.message);
  t.is(snapshot(), before, '~/.ssh/known_hosts untouched');
  t.is(readFileSync(empty, 'utf8'), '', 'the -o files untouched');
});

test.serial('tsplay_known_hosts names the file too', async (t) => {
  const h = host('h2');
  const f = join(hs.dir, 'kh-var');
  writeFileSync(f, line(h));
  const c = await openConnection(h.name, { ...h.vars, tsplay_known_hosts: f }, opts(), new SshPool());
  t.is((await c.run(['echo', 'var'])).stdout, 'var\n');
  await c.close();
});

test.serial('StrictHostKeyChecking=no records an unknown key (with a warning) but still refuses a changed one', async (t) => {
  const h = host('h3');
  const f = join(hs.dir, 'kh-no');
  writeFileSync(f, '');
  const warnings: string[] = [];
  const vars = { ...h.vars, ansible_ssh_common_args: `-o StrictHostKeyChecking=no -o UserKnownHostsFile=${f}` };
  const before = snapshot();
  const c = await openConnection(h.name, vars, opts({ warn: (l) => warnings.push(l) }), new SshPool());
  t.is((await c.run(['echo', 'new'])).stdout, 'new\n');
  await c.close();
  t.is(readFileSync(f, 'utf8'), line(h), 'recorded in the -o file');
  t.is(warnings.length, 1);
  t.regex(warnings[0] ?? '', /^h3: StrictHostKeyChecking=no is treated as accept-new/);

  await hs.swapHostKey('h3');
  const e = await t.throwsAsync(openConnection(h.name, vars, opts({ hostKeyChecking: 'accept-new' }), new SshPool()), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_HOST_KEY');
  t.regex(e?.message ?? '', /CHANGED/);
  t.is(readFileSync(f, 'utf8').split('\n').filter(Boolean).length, 1, 'the changed key was not recorded');
  t.is(snapshot(), before, '~/.ssh/known_hosts untouched');
});

test.serial('-F config: a Host alias gives address, port, key and known_hosts; a jump name found only there works', async (t) => {
  const jump = host('h4');
  const target = host('h2');
  const kh = join(hs.dir, 'kh-config');
  writeFileSync(kh, line(jump) + line(target));
  const cfg = join(hs.dir, 'ssh_config');
  writeFileSync(
    cfg,
    ['Host jumpbox', '  HostName 127.0.0.1', `  Port ${jump.port}`, 'Host *', '  User root', `  IdentityFile ${hs.clientKey}`, `  UserKnownHostsFile ${kh}`, '  StrictHostKeyChecking yes', ''].join(
      '\n',
    ),
  );
  const pool = new SshPool();
  const c = await openConnection('jb', { ansible_host: 'jumpbox', ansible_ssh_common_args: `-F ${cfg}` }, opts(), pool);
  t.is((await c.run(['echo', 'alias'])).stdout, 'alias\n');
  // the target is reached through `jumpbox`, which is no inventory host: only the config knows it
  const g = await openConnection(
    'guest',
    { ansible_host: '127.0.0.1', ansible_port: String(target.port), ansible_ssh_common_args: `-F ${cfg} -J jumpbox` },
    opts({ resolveJump: () => undefined }),
    pool,
  );
  t.is((await g.run(['echo', 'through'])).stdout, 'through\n');
  t.is(pool.opened, 3, 'jb, the literal jumpbox hop and guest');
  await g.close();
  await c.close();
});

test.serial('ServerAliveInterval/CountMax from -o decide how fast a frozen host is unreachable', async (t) => {
  const h = host('h1');
  const f = join(hs.dir, 'kh-alive');
  writeFileSync(f, line(h));
  const c = await openConnection(h.name, { ...h.vars, ansible_ssh_common_args: `-o UserKnownHostsFile=${f} -o ServerAliveInterval=1 -o ServerAliveCountMax=1` }, opts(), new SshPool());
  t.is((await c.run(['echo', 'up'])).stdout, 'up\n');
  hs.freeze('h1');
  const start = Date.now();
  try {
    const e = await t.throwsAsync(c.run(['true']), { instanceOf: TsplayError });
    t.is((e as TsplayError).code, 'E_UNREACHABLE');
    const took = Date.now() - start;
    // not a speed claim: the default schedule (4 s x 2) cannot see the freeze before 8 s, so anything
    // under that shows the -o values were used, however slow the machine (measured: bench/failure-latency.ts)
    t.true(took < 8000, `took ${took} ms (the 4 s x 2 default would take 8 s or more)`);
    t.log(`frozen host detected after ${took} ms`);
  } finally {
    hs.thaw('h1');
    await c.close();
  }
});
