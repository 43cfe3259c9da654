// tsplay's scale run: one set of N sshd hosts (default 500), converged by first runs in slices of at
// most --chunk hosts, then one no-change run of bench/playbook/site.yml at each host count, with the
// controller's RSS, open file descriptors and threads sampled from /proc while it runs (a leak per
// host shows as fds or RSS that grow with the hosts done, not with the hosts open).
//
//   ulimit -n 20000; node bench/scale.ts --hosts 1,10,50,100,200,500 [--chunk 100] [--heap]
// --heap: the no-change runs also record the heap left live after a forced full GC, every second
// (bench/heap-probe.ts; the forced GCs slow those runs, so their wall is not the curve's).
//   node bench/scale-plot.ts bench/results/scale-<date>.json > bench/scale.svg
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TestHost } from '../test/helpers/ssh-hosts.ts';
import { type BenchHosts, startBenchHosts, waitSessionsGone } from './hosts.ts';
import { measure } from './measure.ts';
import { checkConverged, diffSnapshots, snapshot, wipe } from './state.ts';
import type { HeapSample } from './heap-probe.ts';
import { parseTsplayRecap } from './tools.ts';

/** ScaleSample is one /proc reading of the tsplay process during a run. */
export interface ScaleSample {
  /** ms since the run started */
  readonly t: number;
  readonly rssKb: number;
  readonly fds: number;
  readonly threads: number;
}

/** ScalePoint is one measured tsplay run at `hosts` hosts. */
export interface ScalePoint {
  readonly scenario: 'first' | 'noop';
  readonly hosts: number;
  readonly wallS: number;
  readonly userS: number;
  readonly sysS: number;
  /** GNU time's maximum resident set size of the tsplay process, KiB */
  readonly maxRssKb: number;
  readonly peakFds: number;
  readonly peakThreads: number;
  readonly load: readonly [number, number];
  readonly problems: readonly string[];
  readonly samples: readonly ScaleSample[];
  /** with --heap: what stayed live after each forced full GC */
  readonly heap?: readonly HeapSample[];
}

/** ScaleResults is what bench/scale.ts writes and bench/scale-plot.ts reads. */
export interface ScaleResults {
  readonly date: string;
  readonly command: string;
  readonly fdLimit: string;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly hostsStartS: number;
  readonly points: readonly ScalePoint[];
}

const ROOT = new URL('..', import.meta.url).pathname;
const PLAYBOOK = join(ROOT, 'bench/playbook/site.yml');

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '1,10,50,100,200,500' }, chunk: { type: 'string', default: '100' }, out: { type: 'string' }, heap: { type: 'boolean', default: false } },
});
const counts = (values.hosts ?? '').split(',').map(Number);
const max = Math.max(...counts);
const chunk = Number(values.chunk);
const log = (s: string): void => void process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

function readSample(pid: number, t: number): ScaleSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const num = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { t, rssKb: num('VmRSS'), fds: readdirSync(`/proc/${pid}/fd`).length, threads: num('Threads') };
  } catch {
    return undefined; // the process ended between two reads
  }
}

/** quarters picks the values at a quarter, half, three quarters and the end of a series, rounded. */
function quarters(xs: readonly number[]): number[] {
  return [0.25, 0.5, 0.75, 1].map((q) => Math.round(xs[Math.max(0, Math.ceil(xs.length * q) - 1)] ?? Number.NaN));
}

function readLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

function inventory(b: BenchHosts, hosts: readonly TestHost[], tag: string): string {
  const file = join(b.hs.dir, `scale-${tag}.ini`);
  const lines = hosts.map(
    (h) =>
      `${h.name} ${Object.entries({ ...h.vars, bench_root: h.root })
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
  );
  writeFileSync(file, `[bench]\n${lines.join('\n')}\n`);
  return file;
}

async function run(b: BenchHosts, hosts: readonly TestHost[], scenario: 'first' | 'noop'): Promise<ScalePoint> {
  const problems: string[] = [];
  if (scenario === 'first') for (const h of hosts) wipe(h.root);
  await waitSessionsGone(b.hs.hosts, 30_000);
  const before = scenario === 'noop' ? hosts.map((h) => snapshot(h.root)) : undefined;
  const load0 = loadavg()[0] ?? 0;
  const n = hosts.length;
  const heapFile = values.heap && scenario === 'noop' ? join(b.hs.dir, `heap-${n}.jsonl`) : undefined;
  const probe = heapFile ? ['--expose-gc', '--import', join(ROOT, 'bench/heap-probe.ts')] : [];
  const argv = [process.execPath, ...probe, join(ROOT, 'bin/tsplay.js'), PLAYBOOK, '-i', inventory(b, hosts, `${scenario}-${hosts[0]?.name}-${n}`), '-f', String(n), '--output', 'json'];
  const samples: ScaleSample[] = [];
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  const m = await measure(argv, {
    cwd: join(ROOT, 'bench/playbook'),
    env: { ...process.env, HOME: b.home, ...(heapFile ? { TSPLAY_HEAP_SAMPLES: heapFile } : {}) },
    timeoutMs: 1_800_000,
    onStart(timePid) {
      timer = setInterval(() => {
        // the tool is /usr/bin/time's only child
        let child: number | undefined;
        try {
          child = Number(readFileSync(`/proc/${timePid}/task/${timePid}/children`, 'utf8').trim().split(' ')[0]) || undefined;
        } catch {
          return;
        }
        const s = child === undefined ? undefined : readSample(child, Math.round(performance.now() - t0));
        if (s) samples.push(s);
      }, 100);
    },
  });
  if (timer) clearInterval(timer);
  const recap = parseTsplayRecap(m.stdout);
  if (m.code !== 0) problems.push(`exit code ${m.code}: ${(m.stderr || m.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`);
  if (!recap) problems.push('no recap');
  else {
    if (recap.hosts !== n) problems.push(`recap has ${recap.hosts} hosts, want ${n}`);
    if (recap.failed || recap.unreachable) problems.push(`recap: failed=${recap.failed} unreachable=${recap.unreachable}`);
    if (scenario === 'noop' && recap.changed !== 0) problems.push(`changed=${recap.changed} on converged hosts`);
  }
  if (scenario === 'first') for (const h of hosts) problems.push(...checkConverged(h.name, h.root));
  if (before) hosts.forEach((h, i) => problems.push(...diffSnapshots(h.name, before[i] ?? new Map(), snapshot(h.root))));
  const p: ScalePoint = {
    scenario,
    hosts: n,
    wallS: m.wallS,
    userS: m.userS,
    sysS: m.sysS,
    maxRssKb: m.maxRssKb,
    peakFds: Math.max(0, ...samples.map((s) => s.fds)),
    peakThreads: Math.max(0, ...samples.map((s) => s.threads)),
    load: [load0, loadavg()[0] ?? 0],
    problems: problems.slice(0, 20),
    samples,
    ...(heapFile ? { heap: readLines<HeapSample>(heapFile) } : {}),
  };
  log(
    `${scenario} ${n} hosts: wall ${p.wallS.toFixed(2)} s, cpu ${(p.userS + p.sysS).toFixed(2)} s, peak RSS ${(p.maxRssKb / 1024).toFixed(0)} MiB, peak fds ${p.peakFds}, threads ${p.peakThreads}, load ${load0.toFixed(1)}${p.heap ? `, live heap after GC at ¼ ½ ¾ end: ${quarters(p.heap.map((x) => x.heapUsedKb / 1024)).join(' ')} MiB` : ''}${problems.length ? `, PROBLEMS: ${problems.slice(0, 3).join('; ')}` : ''}`,
  );
  return p;
}

const loadBefore = loadavg();
const fdLimit = /^Max open files\s+(\d+)\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.slice(1, 3).join('/') ?? '?';
log(`starting ${max} hosts (fd limit ${fdLimit})`);
const s0 = performance.now();
const b = await startBenchHosts(max);
const hostsStartS = (performance.now() - s0) / 1000;
log(`${max} hosts up in ${hostsStartS.toFixed(1)} s`);
const points: ScalePoint[] = [];
try {
  // converge every host once, in slices: one big first run would be a second 500-host run
  for (let i = 0; i < max; i += chunk) points.push(await run(b, b.hs.hosts.slice(i, i + chunk), 'first'));
  for (const n of counts) points.push(await run(b, b.hs.hosts.slice(0, n), 'noop'));
} finally {
  await b.teardown();
}
const res: ScaleResults = { date: new Date().toISOString(), command: `node bench/scale.ts ${process.argv.slice(2).join(' ')}`.trim(), fdLimit, loadBefore, loadAfter: loadavg(), hostsStartS, points };
const out = values.out ?? join(ROOT, 'bench/results', `scale-${res.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(out, `${JSON.stringify(res)}\n`);
log(`wrote ${out}`);
