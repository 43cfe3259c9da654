// The trace floor: what tsplay's run would cost if the engine, the driver and the framing cost
// nothing. It opens one connection and one raw `sh` per host (hosts in parallel, as tsplay
// does), then replays on each host exactly the remote commands tsplay sent it in a traced
// no-change run (bench/trace-replay.ts), in the same order, one round trip per call. With
// --writes it replays a first run's trace (puts as sh writes) on hosts the caller wiped.
//
//   node bench/trace-floor.ts HOSTS.json N TRACE.jsonl [--writes]   (one JSON line: the TraceFloorResult)
import { readFileSync } from 'node:fs';
import type { ClientChannel } from 'ssh2';
import { SshPool } from '../engine/connection/index.ts';
import { resolveTarget } from '../engine/connection/ssh-target.ts';
import type { ConnectOptions } from '../engine/connection/types.ts';
import type { FloorHosts } from './floor-child.ts';
import { rawRoundTrip } from './floor.ts';
import { hostReplay, readTrace } from './trace-replay.ts';

/** TraceFloorResult is one replay of a trace on N hosts. */
export interface TraceFloorResult {
  readonly mode: 'trace';
  readonly hosts: number;
  /** round trips and commands per host (the largest over the hosts) */
  readonly roundTrips: number;
  readonly commands: number;
  /** commands that exited non-zero, over all hosts (a probe of a missing path does, in tsplay too) */
  readonly nonZero: number;
  /** wall time to open all N connections and their shells, functions defined */
  readonly connectMs: number;
  /** wall time for all hosts to replay their calls once connected */
  readonly runMs: number;
}

/** measureTraceFloor replays `traceText` on the first `n` hosts (see the file head). */
export async function measureTraceFloor(hs: FloorHosts, n: number, traceText: string, writes = false): Promise<TraceFloorResult> {
  const trace = readTrace(traceText);
  const hosts = hs.hosts.slice(0, n).map((h) => {
    const calls = trace.get(h.name);
    if (!calls) throw new Error(`the trace has no calls for ${h.name}`);
    return { ...h, replay: hostReplay(calls, { writes }) };
  });
  const opts: ConnectOptions = { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 };
  const pool = new SshPool();
  const t0 = performance.now();
  const chans: ClientChannel[] = await Promise.all(
    hosts.map(async (h) => {
      const tr = await pool.acquire(resolveTarget(h.name, h.vars, opts), opts);
      const ch = await tr.exec('exec /bin/sh');
      await rawRoundTrip(ch, h.replay.defs === '' ? 'true' : h.replay.defs);
      return ch;
    }),
  );
  const t1 = performance.now();
  const codes = await Promise.all(
    hosts.map(async (h, i) => {
      const ch = chans[i] as ClientChannel;
      const out: number[] = [];
      for (const trip of h.replay.trips) out.push(...(await rawRoundTrip(ch, trip)));
      return out;
    }),
  );
  const runMs = performance.now() - t1;
  for (const ch of chans) ch.end();
  return {
    mode: 'trace',
    hosts: n,
    roundTrips: Math.max(...hosts.map((h) => h.replay.trips.length)),
    commands: Math.max(...hosts.map((h) => h.replay.trips.reduce((s, t) => s + t.length, 0))),
    nonZero: codes.flat().filter((c) => c !== 0).length,
    connectMs: t1 - t0,
    runMs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, n, traceFile, flag] = process.argv.slice(2);
  if (!file || !n || !traceFile || (flag !== undefined && flag !== '--writes')) {
    process.stderr.write('usage: node bench/trace-floor.ts HOSTS.json N TRACE.jsonl [--writes]\n');
    process.exit(2);
  }
  const res = await measureTraceFloor(JSON.parse(readFileSync(file, 'utf8')) as FloorHosts, Number(n), readFileSync(traceFile, 'utf8'), flag === '--writes');
  process.stdout.write(`${JSON.stringify(res)}\n`);
  // the pool keeps sockets referenced; the measurement is done
  process.exit(0);
}
