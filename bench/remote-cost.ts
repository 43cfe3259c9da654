// Remote CPU per request, side by side on one real sshd host: a file probe (READ_SCRIPT with a
// checksum) run as `sh -c` (how it ran before issue 15) and as a fixed script inside the
// persistent shell's subshell (now), against the floor's `stat` through the same driver and
// the shell's own cost (`true`, a builtin). Rounds interleave the variants, so drift and other
// load fall on all of them alike.
//
//   node bench/remote-cost.ts [--rounds 6] [--per-round 50]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openConnection, SshPool } from '../engine/connection/index.ts';
import type { Argv } from '../engine/connection/types.ts';
import { READ_SCRIPT, readArgv, STAT_FORMAT } from '../engine/modules/support/file-state.ts';
import { remoteCpuSeconds, startBenchHosts } from './hosts.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, 'per-round': { type: 'string', default: '50' } } });
const rounds = Number(values.rounds);
const per = Number(values['per-round']);
const b = await startBenchHosts(1);
try {
  const h = b.hs.hosts[0]!;
  const file = join(h.root, 'probe.conf');
  writeFileSync(file, 'port = 8080\n'.repeat(20));
  const conn = await openConnection(h.name, h.vars, { hostKeyChecking: 'yes', knownHostsFile: b.hs.knownHostsFile, verbosity: 0 }, new SshPool());
  const variants: [string, Argv][] = [
    ['file probe via sh -c (before)', ['sh', '-c', READ_SCRIPT, 'tsplay-read', STAT_FORMAT, '1', '0', file]],
    ['file probe in the shell (now)', readArgv([file], { checksum: true })],
    ['floor: stat -c %s (one exec)', ['stat', '-c', '%s', '/etc/hostname']],
    ['driver alone: true (builtin)', ['true']],
  ];
  const cpu = new Map<string, number>();
  const wall = new Map<string, number>();
  for (const [, argv] of variants) await conn.run(argv); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const [name, argv] of variants) {
      const c0 = remoteCpuSeconds(b.hs.hosts);
      const t0 = performance.now();
      for (let i = 0; i < per; i++) {
        const res = await conn.run(argv);
        if (res.rc !== 0) throw new Error(`${name}: rc ${res.rc} ${res.stderr}`);
      }
      wall.set(name, (wall.get(name) ?? 0) + performance.now() - t0);
      cpu.set(name, (cpu.get(name) ?? 0) + (remoteCpuSeconds(b.hs.hosts) - c0) * 1000);
    }
  }
  await conn.close();
  const n = rounds * per;
  process.stdout.write(`${n} requests per variant, one at a time, one host (remote CPU: the sshd's process tree, 10 ms ticks)\n\n| request | remote CPU ms per request | round trip ms |\n|---|---:|---:|\n`);
  for (const [name] of variants) process.stdout.write(`| ${name} | ${((cpu.get(name) ?? 0) / n).toFixed(2)} | ${((wall.get(name) ?? 0) / n).toFixed(2)} |\n`);
} finally {
  await b.teardown();
}
