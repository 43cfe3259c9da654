// Real sshd hosts: a guest reached through its hypervisor (-J / ProxyJump / tsplay_jump), the
// hypervisor's connection shared with its own tasks.
import test from 'ava';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { MAX_SESSION_CHANNELS, type SshTransport } from '../../engine/connection/ssh-transport.ts';
import type { Connection } from '../../engine/connection/types.ts';
import { jumpSpecFromArgs, resolveTarget, splitShellWords } from '../../engine/connection/ssh-target.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { childrenOf, createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
test.before(async () => {
  hs = await createTestHosts(5, { names: ['hv1', 'vm1', 'vm2', 'vm3', 'vm4'] });
});
test.after.always(async () => {
  await hs?.teardown();
});

const optsFor = (extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
  hostKeyChecking: 'yes',
  knownHostsFile: hs.knownHostsFile,
  verbosity: 0,
  resolveJump: (name) => hs.byName.get(name)?.vars,
  ...extra,
});

test('jump specs are found in ssh arguments in every spelling', (t) => {
  t.is(jumpSpecFromArgs('-J hv1'), 'hv1');
  t.is(jumpSpecFromArgs('-o StrictHostKeyChecking=no -Jroot@hv1:2222'), 'root@hv1:2222');
  t.is(jumpSpecFromArgs('-o ProxyJump=hv1'), 'hv1');
  t.is(jumpSpecFromArgs("-o 'ProxyJump hv1,hv2'"), 'hv1,hv2');
  t.is(jumpSpecFromArgs('-oProxyJump=none'), undefined);
  t.is(jumpSpecFromArgs('-o ControlMaster=auto'), undefined);
  t.deepEqual(splitShellWords(`a "b c" 'd e' f\\ g`), ['a', 'b c', 'd e', 'f g']);
  const tg = resolveTarget(
    'vm9',
    { ansible_ssh_common_args: '-J hv1', ansible_host: '192.168.122.9' },
    optsFor({ resolveJump: (n) => (n === 'hv1' ? { ansible_host: '127.0.0.1', ansible_port: 2022 } : undefined) }),
  );
  t.like(tg, { host: '192.168.122.9', port: 22, via: { key: 'inventory:hv1', host: '127.0.0.1', port: 2022 } });
  t.throws(() => resolveTarget('a', { tsplay_jump: 'b' }, optsFor({ resolveJump: (n) => (n === 'b' ? { tsplay_jump: 'a' } : { tsplay_jump: 'b' }) })), { instanceOf: TsplayError, message: /loop/ });
});

test.serial("every channel on the jump host's one connection counts against one cap below sshd's MaxSessions 10", async (t) => {
  // The lab opens the hypervisor once per guest it manages while the guests run through it:
  // five connections to hv1 share hv1's one SSH connection with four guests' jump streams.
  // sshd (MaxSessions 10) refuses an 11th session channel with "Channel open failure".
  const pool = new SshPool();
  const hv1 = hs.byName.get('hv1')!;
  const transportOf = (c: Connection): SshTransport => (c as unknown as { transport: SshTransport }).transport;
  const hvs = await Promise.all(Array.from({ length: 5 }, () => openConnection('hv1', hv1.vars, optsFor(), pool)));
  const guests = await Promise.all(['vm1', 'vm2', 'vm3', 'vm4'].map((n) => openConnection(n, { ...hs.byName.get(n)!.vars, tsplay_jump: 'hv1' }, optsFor(), pool)));
  const tr = transportOf(hvs[0]!);
  t.true(
    hvs.every((c) => transportOf(c) === tr),
    'one SSH connection to hv1',
  );
  const dir = hv1.root;
  const work = [
    ...hvs.flatMap((c, i) => [
      c.run(['sh', '-c', `echo hv${i}`]).then((r) => r.stdout),
      c
        .put(`${dir}/f${i}`, `f${i}`)
        .then(() => c.get(`${dir}/f${i}`))
        .then((b) => b.toString()),
      ...Array.from({ length: 3 }, (_, j) => c.run(['sh', '-c', `sleep 0.2; echo own${i}${j}`], { ownChannel: true }).then((r) => r.stdout)),
    ]),
    ...guests.flatMap((c, i) => [c.run(['echo', `vm${i + 1}`]).then((r) => r.stdout), c.run(['sh', '-c', 'sleep 0.1; echo own'], { ownChannel: true }).then((r) => r.stdout)]),
  ];
  const out = await Promise.all(work);
  t.is(out.length, 5 * 5 + 4 * 2, 'every request succeeded');
  t.true(out.includes('hv4\n') && out.includes('f4') && out.includes('own42\n') && out.includes('vm4\n'));
  t.true(tr.sessions.peak <= MAX_SESSION_CHANNELS, `peak ${tr.sessions.peak} session channels on hv1's connection`);
  t.true(tr.sessions.peak >= 5, 'own-channel commands did run side by side');
  for (const c of [...hvs, ...guests]) await c.close();
});

test.serial("a guest behind -J hv1 is reached through hv1, sharing hv1's own connection", async (t) => {
  const pool = new SshPool();
  const hv1 = hs.byName.get('hv1')!;
  const vm1 = hs.byName.get('vm1')!;
  const vm2 = hs.byName.get('vm2')!;
  const chv = await openConnection('hv1', hv1.vars, optsFor(), pool);
  const c1 = await openConnection('vm1', { ...vm1.vars, ansible_ssh_common_args: '-J hv1' }, optsFor(), pool);
  const c2 = await openConnection('vm2', { ...vm2.vars, tsplay_jump: 'hv1' }, optsFor(), pool);
  t.is((await c1.run(['echo', 'vm1'])).stdout, 'vm1\n');
  t.is((await c2.run(['echo', 'vm2'])).stdout, 'vm2\n');
  // the guest sees its client come from hv1's sshd, and hv1 has exactly one connection
  t.is(pool.opened, 3);
  t.is(childrenOf(hv1.pid).length, 1);
  const seen = (await c1.run(['sh', '-c', 'echo "$SSH_CLIENT"'])).stdout;
  t.regex(seen, /^127\.0\.0\.1 \d+ \d+/);
  // closing hv1's own connection keeps the jump alive for the guests
  await chv.close();
  t.is((await c1.run(['echo', 'still'])).stdout, 'still\n');
  // and losing hv1 loses the guests behind it
  hs.kill('hv1');
  const e = await t.throwsAsync(c1.run(['true']), { instanceOf: TsplayError });
  t.is((e as TsplayError).code, 'E_UNREACHABLE');
  t.is((e as TsplayError).host, 'vm1');
  await c1.close();
  await c2.close();
});

test.serial('a literal jump spec user@host:port that is not in the inventory works too', async (t) => {
  const vm1 = hs.byName.get('vm1')!;
  const vm2 = hs.byName.get('vm2')!;
  // hv1 was killed above; jump through vm2 by address instead
  const pool = new SshPool();
  const c = await openConnection('vm1', { ...vm1.vars, ansible_ssh_common_args: `-o ProxyJump=root@127.0.0.1:${vm2.port}` }, optsFor({ privateKey: hs.clientKey, resolveJump: () => undefined }), pool);
  t.is((await c.run(['echo', 'via literal'])).stdout, 'via literal\n');
  t.is(pool.opened, 2);
  await c.close();
});
