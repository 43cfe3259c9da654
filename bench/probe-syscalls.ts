// Syscalls on the host per file probe (READ_SCRIPT with a checksum), counted by `strace -c -f`
// of the process that runs it: the persistent driver (its children followed) for the probe in
// place (session 6) and in the driver's subshell (session 5), and the raw open sh for the floor
// (the probe's `stat` and `sha1sum` as one line, no framing). Counts, not times: strace slows
// everything it traces alike, and counts do not move with the machine's load.
//
//   node bench/probe-syscalls.ts [--n 200]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openConnection, SshPool } from '../engine/connection/index.ts';
import { resolveTarget } from '../engine/connection/ssh-target.ts';
import type { SshTransport } from '../engine/connection/ssh-transport.ts';
import type { ConnectOptions, Connection } from '../engine/connection/types.ts';
import { readArgv, STAT_FORMAT } from '../engine/modules/support/file-state.ts';
import { rawRoundTrip } from './floor.ts';
import { startBenchHosts } from './hosts.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200' } } });
const n = Number(values.n);
const dir = mkdtempSync(join(tmpdir(), 'tsplay-probe-syscalls-'));

// strace -c -f of `pid` while fn runs: calls per syscall name, and the total
async function count(pid: number, fn: () => Promise<unknown>): Promise<Map<string, number>> {
  const out = join(dir, `c-${pid}-${Date.now()}`);
  const s = spawn('strace', ['-f', '-c', '-qq', '-o', out, '-p', String(pid)]);
  const closed = new Promise<void>((r) => s.on('close', () => r()));
  await new Promise((r) => setTimeout(r, 500));
  await fn();
  s.kill('SIGINT');
  await closed;
  const calls = new Map<string, number>();
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    // `% time seconds usecs/call calls [errors] syscall`; the total line ends in `total`
    const f = line.trim().split(/\s+/);
    if (f.length >= 5 && /^\d/.test(f[0] ?? '')) calls.set(f[f.length - 1] as string, Number(f[3]));
  }
  return calls;
}

const b = await startBenchHosts(1);
try {
  const h = b.hs.hosts[0]!;
  const file = join(h.root, 'probe.conf');
  writeFileSync(file, 'port = 8080\n'.repeat(20));
  const opts: ConnectOptions = { hostKeyChecking: 'yes', knownHostsFile: b.hs.knownHostsFile, verbosity: 0 };
  const conn: Connection = await openConnection(h.name, h.vars, opts, new SshPool());
  const argv = readArgv([file], { checksum: true });
  await conn.run(argv);
  const driver = (await (await (conn as unknown as { transport: SshTransport }).transport.persistentShell()).info).pid;
  const rawPool = new SshPool();
  const rawTr = await rawPool.acquire(resolveTarget(h.name, h.vars, opts), opts);
  const raw = await rawTr.exec('exec /bin/sh');
  await rawRoundTrip(raw, `echo $$ >${join(dir, 'raw-pid')}`);
  const rawPid = Number(readFileSync(join(dir, 'raw-pid'), 'utf8'));
  const floor = `stat -c '${STAT_FORMAT}' -- ${file}; sha1sum < ${file}`;
  const rows: [string, Map<string, number>][] = [];
  const times = async (f: () => Promise<unknown>): Promise<void> => {
    for (let i = 0; i < n; i++) await f();
  };
  rows.push(['in place (session 6)', await count(driver, () => times(() => conn.run(argv)))]);
  rows.push(["driver's subshell (session 5)", await count(driver, () => times(() => conn.run(argv, { cwd: '/' })))]);
  rows.push(['floor: raw sh', await count(rawPid, () => times(() => rawRoundTrip(raw, floor)))]);
  await conn.close();
  raw.end();
  rawPool.release(rawTr);
  const cols = ['total', 'clone', 'vfork', 'execve', 'read', 'write', 'wait4'];
  process.stdout.write(`${n} probes per row, syscalls per probe (strace -c -f of the shell)\n\n| shell | ${cols.join(' | ')} |\n|---|${cols.map(() => '---:').join('|')}|\n`);
  for (const [name, c] of rows) process.stdout.write(`| ${name} | ${cols.map((k) => ((c.get(k) ?? 0) / n).toFixed(2)).join(' | ')} |\n`);
} finally {
  await b.teardown();
  rmSync(dir, { recursive: true, force: true });
}
