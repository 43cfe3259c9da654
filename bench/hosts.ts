// The benchmark's hosts: test/helpers/ssh-hosts.ts's real sshds, with two additions the bench
// needs and the helper does not offer: sshd logs at DEBUG1 (so each connection, auth and channel
// open leaves a line we can count), and an inventory carrying each host's `bench_root`.
import { closeSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { createTestHosts, type TestHost, type TestHosts } from '../test/helpers/ssh-hosts.ts';
import { CLOCK_TICKS, readProcTable, treeCpuSeconds, treeOf } from './proc.ts';

/** BenchHosts are the running sshd hosts plus the files every tool is pointed at. */
export interface BenchHosts {
  readonly hs: TestHosts;
  /** a HOME whose .ssh/known_hosts holds every host key (tsplay reads ~/.ssh/known_hosts) */
  readonly home: string;
  /** inventoryFor writes an INI inventory of the first `n` hosts and returns its path */
  inventoryFor(n: number): string;
  teardown(): Promise<void>;
}

function waitForBanner(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.setTimeout(1000);
      s.once('data', (d) => {
        s.destroy();
        if (d.toString('latin1').startsWith('SSH-')) resolve();
        else retry();
      });
      const retry = (): void => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on port ${port} did not come back`));
        else setTimeout(attempt, 20);
      };
      s.once('error', retry);
      s.once('timeout', retry);
    };
    attempt();
  });
}

/** startBenchHosts starts `n` hosts (h1..hN) with DEBUG1 sshd logs. */
export async function startBenchHosts(n: number): Promise<BenchHosts> {
  const hs = await createTestHosts(n);
  try {
    // sshd re-executes itself with its original argv on SIGHUP and so rereads its config,
    // keeping its PID (the helper's teardown still finds it)
    for (const h of hs.hosts) {
      const cfg = join(h.dir, 'sshd_config');
      writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(/^LogLevel .*$/m, 'LogLevel DEBUG1'));
      process.kill(h.pid, 'SIGHUP');
    }
    await new Promise((r) => setTimeout(r, 200));
    // bounded, as createTestHosts starts them: hundreds of 20 ms polls at once starve the event loop
    const q = new PQueue({ concurrency: 50 });
    await Promise.all(hs.hosts.map((h) => q.add(() => waitForBanner(h.port, Date.now() + 15_000))));
  } catch (e) {
    await hs.teardown();
    throw e;
  }
  const home = join(hs.dir, 'bench-home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(hs.knownHostsFile));
  return {
    hs,
    home,
    inventoryFor(count: number): string {
      const file = join(hs.dir, `inventory-${count}.ini`);
      const lines = hs.hosts.slice(0, count).map((h) => {
        const vars = { ...h.vars, bench_root: h.root };
        return `${h.name} ${Object.entries(vars)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`;
      });
      writeFileSync(file, `[bench]\n${lines.join('\n')}\n`);
      return file;
    },
    teardown: () => hs.teardown(),
  };
}

/** remoteCpuSeconds is the CPU used so far by the hosts' sshds and everything they started. */
export function remoteCpuSeconds(hosts: readonly TestHost[]): number {
  return treeCpuSeconds(
    readProcTable(),
    hosts.map((h) => h.pid),
  );
}

/** waitSessionsGone waits (up to `ms`) until no sshd has a session child left, so its CPU is reaped. */
export async function waitSessionsGone(hosts: readonly TestHost[], ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const t = readProcTable();
    if (
      treeOf(
        t,
        hosts.map((h) => h.pid),
      ).length <= hosts.length
    )
      return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** logOffsets records where each host's sshd log ends now. */
export function logOffsets(hosts: readonly TestHost[]): number[] {
  return hosts.map((h) => statSync(join(h.dir, 'sshd.log')).size);
}

/** SshdCounts is what the sshd logs say a run opened. */
export interface SshdCounts {
  /** authenticated SSH connections */
  connections: number;
  /** session channels (exec, shell, subsystem each need one) */
  channels: number;
  /** exec requests: one per remote command run in its own channel */
  execs: number;
  /** sftp subsystem starts */
  sftp: number;
}

/** countSshdLog counts connections and channels logged since `offsets`. */
export function countSshdLog(hosts: readonly TestHost[], offsets: readonly number[]): SshdCounts {
  const c: SshdCounts = { connections: 0, channels: 0, execs: 0, sftp: 0 };
  hosts.forEach((h, i) => {
    const file = join(h.dir, 'sshd.log');
    const start = offsets[i] ?? 0;
    const size = statSync(file).size;
    if (size <= start) return;
    const buf = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    readSync(fd, buf, 0, buf.length, start);
    closeSync(fd);
    for (const line of buf.toString('latin1').split('\n')) {
      if (line.includes('Accepted publickey for')) c.connections++;
      else if (line.includes('server_input_channel_open: ctype session')) c.channels++;
      else if (line.includes('Starting session: command')) c.execs++;
      else if (line.includes("Starting session: subsystem 'sftp'")) c.sftp++;
    }
  });
  return c;
}

/**
 * RemoteTracker follows every process the hosts' sshds start during a run. Why: a session's
 * processes can outlive their sshd (tsplay's persistent remote shell and SFTP server linger
 * about 2 s after the client is gone, re-parented to PID 1), and PID 1 then reaps them, so their
 * CPU never reaches the sshd tree's counters. Sampling the trees while the run goes on lets us
 * read those orphans' CPU after the run, while they still exist.
 */
export class RemoteTracker {
  private readonly roots: number[];
  private readonly seen = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly cpu0: number;

  constructor(hosts: readonly TestHost[], periodMs = 200) {
    this.roots = hosts.map((h) => h.pid);
    this.cpu0 = treeCpuSeconds(readProcTable(), this.roots);
    this.timer = setInterval(() => this.sample(), periodMs);
  }

  private sample(): void {
    for (const p of treeOf(readProcTable(), this.roots)) this.seen.add(p.pid);
  }

  /** stop ends sampling and returns the remote CPU seconds: the trees' growth plus the orphans' own counters. */
  stop(): { cpuS: number; orphans: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const t = readProcTable();
    const inTree = new Set(treeOf(t, this.roots).map((p) => p.pid));
    let orphanTicks = 0;
    let orphans = 0;
    for (const pid of this.seen) {
      const p = t.get(pid);
      if (!p || inTree.has(pid)) continue;
      // seen under an sshd, alive now outside every sshd tree: re-parented, its CPU would be lost
      orphans++;
      orphanTicks += p.selfTicks + p.childTicks;
    }
    return { cpuS: treeCpuSeconds(t, this.roots) - this.cpu0 + orphanTicks / CLOCK_TICKS, orphans };
  }
}
