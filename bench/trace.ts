// Where a tsplay run's wall time goes, seen from the connections: runs site.yml in-process on N
// real hosts through the executor's `open` hook, times every remote call (run/shell/batch/put/get)
// and reads each connection's request counter. It also measures the linear strategy's barrier:
// each task ends when its slowest host does, so sum(slowest) against sum(mean) per task.
//
//   node bench/trace.ts [--hosts 50] [--scenario first|noop|check]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { playbookOptions, type PlaybookOptions } from '../engine/executor/run-options.ts';
import { openConnection, SshPool } from '../engine/connection/index.ts';
import type { Connection } from '../engine/connection/types.ts';
import type { ExecEvent } from '../engine/executor/events.ts';
import { execute } from '../engine/executor/run-playbooks.ts';
import { loadInventory } from '../engine/inventory/index.ts';
import { loadPlaybooks } from '../engine/loader/index.ts';
import { startBenchHosts } from './hosts.ts';
import { wipe } from './state.ts';

/** CallStats sums the remote calls of one kind. */
interface CallStats {
  count: number;
  ms: number;
}

const METHODS = ['run', 'shell', 'batch', 'put', 'get'] as const;

/** traced wraps a connection so every remote call is counted and timed into `into`. */
function traced(c: Connection, into: Map<string, CallStats>): Connection {
  const wrap = <K extends (typeof METHODS)[number]>(name: K): Connection[K] =>
    (async (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return await (c[name] as (...a: unknown[]) => Promise<unknown>).apply(c, args);
      } finally {
        const s = into.get(name) ?? { count: 0, ms: 0 };
        s.count++;
        s.ms += performance.now() - t0;
        into.set(name, s);
      }
    }) as Connection[K];
  return {
    host: c.host,
    run: wrap('run'),
    shell: wrap('shell'),
    batch: wrap('batch'),
    put: wrap('put'),
    get: wrap('get'),
    close: () => c.close(),
    ...(c.stats ? { stats: () => c.stats!() } : {}),
  };
}

function options(n: number, playbook: string, inventory: string, check: boolean): PlaybookOptions {
  return playbookOptions({ playbooks: [playbook], inventories: [inventory], check, diff: check, forks: n, output: 'json' });
}

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '50' }, scenario: { type: 'string', default: 'first' } } });
const n = Number(values.hosts);
const root = new URL('..', import.meta.url).pathname;
const b = await startBenchHosts(n);
try {
  const playbook = join(root, 'bench/playbook/site.yml');
  const inventory = b.inventoryFor(n);
  for (const h of b.hs.hosts) wipe(h.root);
  const once = async (check: boolean, trace: boolean): Promise<void> => {
    const calls = new Map<string, CallStats>();
    const conns: Connection[] = [];
    const pool = new SshPool();
    const inv = loadInventory([inventory], { baseDir: join(root, 'bench/playbook') });
    const pbs = loadPlaybooks([playbook], {});
    const taskStart = new Map<string, number>();
    const taskHosts = new Map<string, number[]>();
    const emit = (e: ExecEvent): void => {
      if (e.type === 'task-start') taskStart.set(e.task.id ?? e.task.name, performance.now());
      if (e.type === 'host-result') {
        const k = e.task.id ?? e.task.name;
        taskHosts.set(k, [...(taskHosts.get(k) ?? []), e.durationMs]);
      }
    };
    let openMs = 0;
    const t0 = performance.now();
    const code = await execute(pbs, inv, options(n, playbook, inventory, check), emit, undefined, {
      open: async (host, vars) => {
        const o0 = performance.now();
        const c = await openConnection(host, vars, { hostKeyChecking: 'yes', knownHostsFile: b.hs.knownHostsFile, verbosity: 0 }, pool);
        openMs = Math.max(openMs, performance.now() - o0);
        const t = traced(c, calls);
        conns.push(t);
        return t;
      },
    });
    const wall = performance.now() - t0;
    if (!trace) return;
    const requests = conns.reduce((s, c) => s + (c.stats?.().requests ?? 0), 0);
    let sumMax = 0;
    let sumMean = 0;
    for (const ds of taskHosts.values()) {
      sumMax += Math.max(...ds);
      sumMean += ds.reduce((a, x) => a + x, 0) / ds.length;
    }
    process.stdout.write(
      `tsplay ${values.scenario} on ${n} hosts in-process: exit ${code}, wall ${wall.toFixed(0)} ms (slowest connection open ${openMs.toFixed(0)} ms)\n` +
        `tasks with host results: ${taskHosts.size}; per task, slowest host summed ${sumMax.toFixed(0)} ms vs mean host summed ${sumMean.toFixed(0)} ms (linear barrier cost ${(sumMax - sumMean).toFixed(0)} ms)\n` +
        `requests over the persistent shells: ${requests} (${(requests / n).toFixed(1)} per host)\n`,
    );
    for (const [k, s] of calls) process.stdout.write(`  ${k.padEnd(6)} ${String(s.count).padStart(6)} calls, ${(s.count / n).toFixed(1)} per host, mean ${(s.ms / s.count).toFixed(2)} ms\n`);
  };
  if (values.scenario !== 'first') await once(false, false);
  await once(values.scenario === 'check', true);
} finally {
  await b.teardown();
}
process.exit(0);
