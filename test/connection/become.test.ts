// Real sshd host and real sudo (1.9, Debian's sudoers with use_pty): become over ssh and locally.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalConnection, openConnection, SshPool } from '../../engine/connection/index.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { createTestUser, type TestUser } from '../helpers/test-user.ts';

let hs: TestHosts;
let user: TestUser;
let nopw: TestUser;
test.before(async () => {
  user = createTestUser();
  nopw = createTestUser({ nopasswd: true });
  hs = await createTestHosts(1);
});
test.after.always(async () => {
  await hs?.teardown();
  user?.remove();
  nopw?.remove();
});

const opts = (): ConnectOptions => ({ hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 });
const varsAs = (u: TestUser, extra: Record<string, string> = {}): Record<string, string> => ({ ...hs.hosts[0]!.vars, ansible_user: u.name, ...extra });

test.serial('become with a password: sudo -S reads it from stdin, the command still gets its own stdin', async (t) => {
  const c = await openConnection('h1', varsAs(user, { ansible_become_password: user.password }), opts(), new SshPool());
  t.is((await c.run(['id', '-un'])).stdout, `${user.name}\n`);
  t.is((await c.run(['id', '-un'], { become: true })).stdout, 'root\n');
  t.is((await c.run(['id', '-un'], { become: true, becomeUser: 'daemon' })).stdout, 'daemon\n');
  const data = randomBytes(50_000);
  const r = await c.run(['sh', '-c', 'od -An -v -tx1 | tr -d " \\n"'], { become: true, stdin: data });
  t.is(r.stdout, data.toString('hex'), 'stdin intact after the password line');
  const env = await c.run(['sh', '-c', 'echo "$X"'], { become: true, env: { X: 'v $(y)' } });
  t.is(env.stdout, 'v $(y)\n');
  const script = await c.shell('id -u; cat', { become: true, stdin: 'in\n' });
  t.is(script.stdout, '0\nin\n');
  // the password never reaches the command: not on its stdin, argv or environment
  const spy = await c.shell('cat; env; cat /proc/$PPID/cmdline', { become: true });
  t.false(spy.stdout.includes(user.password));
  // put and get through sudo, into a root-only place, keeping the requested mode
  const f = join(hs.hosts[0]!.root, 'root-only.conf');
  await c.run(['chmod', '0700', hs.hosts[0]!.root], { become: true });
  await c.put(f, 'secret\n', { become: true, mode: '0600', owner: 'root', group: 'root' });
  t.is(readFileSync(f, 'utf8'), 'secret\n');
  t.is(statSync(f).mode & 0o7777, 0o600);
  t.is((await c.get(f, { become: true })).toString(), 'secret\n');
  const denied = await t.throwsAsync(c.get(f));
  t.regex(denied?.message ?? '', /denied|cannot read/i);
  // a timeout under sudo still kills the command
  const to = await c.run(['sleep', '20'], { become: true, timeoutMs: 500 });
  t.true(to.timedOut);
  await c.close();
});

test.serial('a wrong become password is E_BECOME, and without a password sudo -n fails cleanly', async (t) => {
  const c = await openConnection('h1', varsAs(user, { ansible_become_password: 'wrong' }), opts(), new SshPool());
  const e = await t.throwsAsync(c.run(['true'], { become: true }), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_BECOME');
  t.false(e?.message.includes('wrong'));
  await c.close();
  const c2 = await openConnection('h1', varsAs(user), opts(), new SshPool());
  const e2 = await t.throwsAsync(c2.run(['true'], { become: true }), { instanceOf: TsplayError });
  t.is((e2 as TsplayError).code, 'E_BECOME');
  t.regex(e2?.message ?? '', /password is required/);
  await c2.close();
});

test.serial('NOPASSWD sudo gets no password line on stdin even when one is configured', async (t) => {
  const c = await openConnection('h1', varsAs(nopw, { ansible_become_password: 'unused-pw' }), opts(), new SshPool());
  const r = await c.run(['cat'], { become: true, stdin: 'only this' });
  t.is(r.stdout, 'only this');
  await c.close();
});

test.serial('local become runs through sudo to another user', async (t) => {
  const c = new LocalConnection('localhost');
  t.is((await c.run(['id', '-un'], { become: true, becomeUser: user.name })).stdout, `${user.name}\n`);
  t.is((await c.run(['sh', '-c', 'cat; echo "$Y"'], { become: true, becomeUser: user.name, stdin: 'x\n', env: { Y: '$(z)' } })).stdout, 'x\n$(z)\n');
});
