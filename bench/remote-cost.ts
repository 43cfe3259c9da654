// Remote CPU per request, side by side on one real sshd host: a file probe (READ_SCRIPT with a
// checksum) run as `sh -c` (how it ran before issue 15), as a fixed script called in the
// persistent shell's subshell (session 5) and in the shell itself (session 6); the floor for the
// same commands (the probe's `stat` and `sha1sum` as one line on a raw open sh, no framing); the bench floor's `stat` through the
// driver (in place, and in a subshell as before session 5) and on the raw sh; /bin/true through the
// driver both ways (the driver's own cost).
// Rounds interleave the variants, so drift and other load fall on all of them alike.
//
//   node bench/remote-cost.ts [--rounds 6] [--per-round 50]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openConnection, SshPool } from '../engine/connection/index.ts';
import { resolveTarget } from '../engine/connection/ssh-target.ts';
import type { Argv, ConnectOptions, RunOptions } from '../engine/connection/types.ts';
import { READ_SCRIPT, readArgv, STAT_FORMAT } from '../engine/modules/support/file-state.ts';
import { rawRoundTrip } from './floor.ts';
import { remoteCpuSeconds, startBenchHosts } from './hosts.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, 'per-round': { type: 'string', default: '50' } } });
const rounds = Number(values.rounds);
const per = Number(values['per-round']);
const b = await startBenchHosts(1);
try {
  const h = b.hs.hosts[0]!;
  const file = join(h.root, 'probe.conf');
  writeFileSync(file, 'port = 8080\n'.repeat(20));
  const opts: ConnectOptions = { hostKeyChecking: 'yes', knownHostsFile: b.hs.knownHostsFile, verbosity: 0 };
  const conn = await openConnection(h.name, h.vars, opts, new SshPool());
  const rawPool = new SshPool();
  const rawTr = await rawPool.acquire(resolveTarget(h.name, h.vars, opts), opts);
  const raw = await rawTr.exec('exec /bin/sh');
  await rawRoundTrip(raw, 'true');
  // a cwd keeps a plain argv in the driver's subshell (fork, then exec), as every request ran before
  // session 5; without one it runs in place (vfork+exec) where the host's sh is dash
  const sub: RunOptions = { cwd: '/' };
  const variants: [string, Argv | string, RunOptions?][] = [
    ['file probe via sh -c (before)', ['sh', '-c', READ_SCRIPT, 'tsplay-read', STAT_FORMAT, '1', '0', file]],
    // a cwd keeps the probe's function call in the driver's subshell, as it ran in session 5
    ['file probe: driver function in its subshell (session 5)', readArgv([file], { checksum: true }), sub],
    ['file probe: driver function in place (session 6)', readArgv([file], { checksum: true })],
    ['floor for the same commands: stat + sha1sum on a raw sh', `stat -c '${STAT_FORMAT}' -- ${file}; sha1sum < ${file}`],
    ['bench floor: stat -c %s through the driver, in a subshell (before)', ['stat', '-c', '%s', '/etc/hostname'], sub],
    ['bench floor: stat -c %s through the driver, in place (now)', ['stat', '-c', '%s', '/etc/hostname']],
    ['bench floor: stat -c %s on a raw sh', 'stat -c %s /etc/hostname'],
    ['driver alone: /bin/true in a subshell (fork+exec, before)', ['/bin/true'], sub],
    ['driver alone: /bin/true in place (vfork+exec, now)', ['/bin/true']],
  ];
  const cpu = new Map<string, number>();
  const wall = new Map<string, number>();
  const once = async (name: string, v: Argv | string, o?: RunOptions): Promise<void> => {
    if (typeof v === 'string') {
      await rawRoundTrip(raw, v);
      return;
    }
    const res = await conn.run(v, o);
    if (res.rc !== 0) throw new Error(`${name}: rc ${res.rc} ${res.stderr}`);
  };
  for (const [name, v, o] of variants) await once(name, v, o); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [name, argv, o] of variants) {
      const c0 = remoteCpuSeconds(b.hs.hosts);
      const t0 = performance.now();
      for (let i = 0; i < per; i++) await once(name, argv, o);
      wall.set(name, (wall.get(name) ?? 0) + performance.now() - t0);
      cpu.set(name, (cpu.get(name) ?? 0) + (remoteCpuSeconds(b.hs.hosts) - c0) * 1000);
    }
  }
  await conn.close();
  raw.end();
  rawPool.release(rawTr);
  const n = rounds * per;
  process.stdout.write(
    `${n} requests per variant, one at a time, one host (remote CPU: the sshd's process tree, 10 ms ticks)\n\n| request | remote CPU ms per request | round trip ms |\n|---|---:|---:|\n`,
  );
  for (const [name] of variants) process.stdout.write(`| ${name} | ${((cpu.get(name) ?? 0) / n).toFixed(2)} | ${((wall.get(name) ?? 0) / n).toFixed(2)} |\n`);
} finally {
  await b.teardown();
}
