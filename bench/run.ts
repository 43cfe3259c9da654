// `npm run bench`: tsplay, ansible-playbook, Ansible+Mitogen and the floor, side by side on the
// same real sshd hosts and the same playbook (bench/playbook/site.yml). Writes raw runs to
// bench/results/<stamp>.json and the table to bench/RESULTS.md. See bench/README.md.
//
//   npm run bench -- [--hosts 1,10,50] [--runs 3] [--tools tsplay,ansible,mitogen,floor,trace-floor,trace-floor-first]
//                    [--scenarios first,noop,check] [--ansible-runs N] [--ansible-max-hosts 10]
//                    [--curve-hosts 1,5,10,20,50] [--curve-tasks 10,30,60] [--no-curve]
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TestHost } from '../test/helpers/ssh-hosts.ts';
import { generatePlaybook } from './gen-playbook.ts';
import { type BenchHosts, countSshdLog, logOffsets, RemoteTracker, startBenchHosts, waitSessionsGone } from './hosts.ts';
import { measure } from './measure.ts';
import { machineBusySeconds } from './proc.ts';
import { renderMarkdown } from './report.ts';
import type { BenchMeta, BenchResults, RunRecord } from './results-types.ts';
import { checkConverged, diffSnapshots, snapshot, wipe, type Stamp } from './state.ts';
import { median } from './summary.ts';
import { TRACE_ENV } from '../engine/cli/command-trace-file.ts';
import { captureTrace } from './capture-trace.ts';
import { ensureToolPackages } from './packages.ts';
import { FLOOR_TOOLS, parseFloor, parseRecap, prepareRun, type RunSpec, type Scenario, type ToolName } from './tools.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const PLAYBOOK = join(ROOT, 'bench/playbook/site.yml');
/** remote task executions per host in site.yml (loop items counted, handler included): the floor sends this many commands */
const FLOOR_COMMANDS = 31;
const PLAYBOOK_TASKS = 31;

const { values } = parseArgs({
  allowNegative: true,
  options: {
    hosts: { type: 'string', default: '1,10,50' },
    runs: { type: 'string', default: '3' },
    tools: { type: 'string', default: 'tsplay,ansible,mitogen,floor,trace-floor,trace-floor-first' },
    scenarios: { type: 'string', default: 'first,noop,check' },
    'ansible-runs': { type: 'string' },
    'ansible-max-hosts': { type: 'string', default: '10' },
    curve: { type: 'boolean', default: true },
    'curve-hosts': { type: 'string', default: '1,5,10,20,50' },
    'curve-tasks': { type: 'string', default: '10,30,60' },
    'curve-scenarios': { type: 'string', default: 'first,noop' },
    'curve-runs': { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
    md: { type: 'string', default: join(ROOT, 'bench/RESULTS.md') },
    note: { type: 'string', multiple: true, default: [] },
  },
});

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const nums = (s: string): number[] => list(s).map(Number);
const hostCounts = nums(values.hosts);
const runs = Number(values.runs);
const ansibleRuns = Number(values['ansible-runs'] ?? values.runs);
const ansibleMax = Number(values['ansible-max-hosts']);
const tools = list(values.tools) as ToolName[];
const scenarios = list(values.scenarios) as Scenario[];
const curveHosts = values.curve && tools.includes('tsplay') ? nums(values['curve-hosts']) : [];
const curveTasks = nums(values['curve-tasks']);
const curveScenarios = list(values['curve-scenarios']) as Scenario[];
const curveRuns = Number(values['curve-runs'] ?? values.runs);
for (const t of tools) if (!['tsplay', 'ansible', 'mitogen', 'floor', 'trace-floor', 'trace-floor-first'].includes(t)) throw new Error(`unknown tool ${t}`);
for (const s of [...scenarios, ...curveScenarios]) if (!['first', 'noop', 'check'].includes(s)) throw new Error(`unknown scenario ${s}`);

function sh(cmd: string, args: string[]): string {
  try {
    // 2>&1: `ssh -V` answers on stderr
    return execFileSync('sh', ['-c', '"$0" "$@" 2>&1', cmd, ...args], { encoding: 'utf8' }).trim();
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || 'unavailable';
  }
}

function versions(): Record<string, string> {
  const v: Record<string, string> = {};
  v.tsplay = sh(process.execPath, [join(ROOT, 'bin/tsplay.js'), '--version']);
  v['ansible-core'] = (sh('ansible-playbook', ['--version']).split('\n')[0] ?? '').replace(/^ansible-playbook \[core (.*)\]$/, '$1');
  v['ansible-mitogen'] = sh('dpkg-query', ['-W', '-f', '${Version}', 'ansible-mitogen']);
  v['ansible python'] = (/python version = (\S+)/.exec(sh('ansible-playbook', ['--version'])) ?? [])[1] ?? '?';
  v.OpenSSH = sh('ssh', ['-V']);
  v.kernel = sh('uname', ['-r']);
  return v;
}

// before the versions are read: a package installed now is in the results' versions
await ensureToolPackages(tools, (m) => void process.stderr.write(`${m}\n`));
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
mkdirSync(values.out, { recursive: true });
const outFile = join(values.out, `${stamp}.json`);
// a bare Node start, the part of every floor process that any Node tool pays: the report's tight ceilings add it
// to a floor's connect + commands (the floor process's own start also loads its sources and ssh2)
const nodeStarts: number[] = [];
for (let i = 0; i < 11; i++) nodeStarts.push((await measure([process.execPath, '-e', '0'], { cwd: ROOT, env: process.env, sampleMs: 0, timeoutMs: 60_000 })).wallS);
const meta: BenchMeta = {
  date: new Date().toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  versions: versions(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30) },
  loadBefore: loadavg(),
  loadAfter: [],
  notes: [...values.note],
  floorCommands: FLOOR_COMMANDS,
  playbookTasks: PLAYBOOK_TASKS,
  nodeStartS: median(nodeStarts),
};
const records: RunRecord[] = [];
const save = (): void => {
  const res: BenchResults = { meta: { ...meta, loadAfter: loadavg() }, runs: records };
  writeFileSync(outFile, `${JSON.stringify(res, null, 1)}\n`);
};
const log = (s: string): void => void process.stderr.write(`${s}\n`);

interface Job {
  tool: ToolName;
  scenario: Scenario | 'floor';
  n: number;
  run: number;
  playbook: string;
  tasks: number;
  floorCommands: number;
  curve: boolean;
  /** the state check: site.yml's exact expected tree, or (curve) only "something changed" */
  exact: boolean;
}

// a trace floor's input per floor and host count: captured once, before that floor's first run at that count
const traces = new Map<string, string>();
const traceKey = (job: Job): string => `${job.tool} ${job.n}`;
// a no-change or check run measures hosts its own tool converged: without a first run of that tool and
// playbook before it (`--scenarios noop`), an untimed first run converges them
const convergedBy = new Set<string>();
const convergeKey = (job: Job): string => `${job.tool} ${job.n} ${job.playbook}`;

/**
 * firstRunUntimed wipes the hosts and makes one untimed first run of `tool` on them (`env` added to
 * its own), which must change something on every host and fail nothing: the convergence before a
 * no-change run without a first run of its tool, and the traced run of the first-run trace floor.
 */
async function firstRunUntimed(tool: ToolName, spec: RunSpec, hosts: readonly TestHost[], what: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  for (const h of hosts) wipe(h.root);
  const tr = prepareRun(tool, { ...spec, scenario: 'first' });
  const m = await measure(tr.argv, { cwd: join(ROOT, 'bench/playbook'), env: { ...tr.env, ...env }, sampleMs: 0, timeoutMs: 3_600_000 });
  await tr.finish();
  const recap = parseRecap(tool, m.stdout);
  if (m.code !== 0 || !recap || recap.failed || recap.unreachable || recap.hosts !== spec.n || recap.changed === 0) {
    throw new Error(`${what} on ${spec.n} hosts: exit ${m.code}, recap ${JSON.stringify(recap)}`);
  }
  await waitSessionsGone(hosts);
}

/** a first run's floor starts, as a first run does, from wiped hosts */
const startsBare = (job: Job): boolean => job.scenario === 'first' || job.tool === 'trace-floor-first';

async function runOne(b: BenchHosts, job: Job, floorHostsFile: string): Promise<RunRecord> {
  const hosts: TestHost[] = b.hs.hosts.slice(0, job.n);
  const problems: string[] = [];
  const spec: RunSpec = {
    n: job.n,
    inventory: b.inventoryFor(job.n),
    playbook: job.playbook,
    scenario: job.scenario === 'floor' ? 'first' : job.scenario,
    home: b.home,
    knownHostsFile: b.hs.knownHostsFile,
    floorHostsFile,
    floorCommands: job.floorCommands,
    ...(traces.has(traceKey(job)) ? { traceFile: traces.get(traceKey(job)) } : {}),
  };
  if ((job.tool === 'trace-floor' || job.tool === 'trace-floor-first') && spec.traceFile === undefined) {
    const file = join(b.hs.dir, `${job.tool}-${job.n}.jsonl`);
    if (job.tool === 'trace-floor') await captureTrace(spec, file);
    else await firstRunUntimed('tsplay', spec, hosts, 'tracing a tsplay first run', { [TRACE_ENV]: file });
    traces.set(traceKey(job), file);
    return runOne(b, job, floorHostsFile);
  }
  if ((job.scenario === 'noop' || job.scenario === 'check') && !convergedBy.has(convergeKey(job))) {
    await firstRunUntimed(job.tool, spec, hosts, `converging with ${job.tool} before its ${job.scenario} runs`);
    convergedBy.add(convergeKey(job));
  }
  if (startsBare(job)) for (const h of hosts) wipe(h.root);
  await waitSessionsGone(b.hs.hosts);
  const before: Map<string, Stamp>[] | undefined = job.scenario === 'noop' || job.scenario === 'check' ? hosts.map((h) => snapshot(h.root)) : undefined;
  const load0 = loadavg()[0] ?? 0;
  const offs = logOffsets(hosts);
  const tracker = new RemoteTracker(hosts);
  const busy0 = machineBusySeconds();
  const tr = prepareRun(job.tool, spec);
  const m = await measure(tr.argv, { cwd: join(ROOT, 'bench/playbook'), env: tr.env, sampleMs: tr.sampleMs, timeoutMs: 3_600_000 });
  const detached = await tr.finish();
  if (!(await waitSessionsGone(hosts))) problems.push('ssh sessions still open 10 s after the run (remote CPU undercounted)');
  const remote = tracker.stop();
  const remoteCpuS = remote.cpuS;
  const busyS = machineBusySeconds() - busy0;
  const sshd = countSshdLog(hosts, offs);
  const recap = parseRecap(job.tool, m.stdout);
  const isFloor = FLOOR_TOOLS.includes(job.tool);
  const floor = isFloor ? parseFloor(m.stdout) : undefined;
  if (m.code !== 0) problems.push(`exit code ${m.code}: ${(m.stderr || m.stdout).trim().split('\n').slice(-3).join(' | ').slice(0, 400)}`);
  if (isFloor) {
    if (!floor) problems.push('no floor result');
  } else if (!recap) problems.push('no PLAY RECAP found');
  else {
    if (recap.hosts !== job.n) problems.push(`recap has ${recap.hosts} hosts, want ${job.n}`);
    if (recap.failed || recap.unreachable) problems.push(`recap: failed=${recap.failed} unreachable=${recap.unreachable}`);
    if (job.scenario === 'first' && recap.changed === 0) problems.push('first run changed nothing');
    if ((job.scenario === 'noop' || job.scenario === 'check') && recap.changed !== 0) problems.push(`changed=${recap.changed} on a converged host`);
  }
  if (job.scenario === 'first' && job.exact) for (const h of hosts) problems.push(...checkConverged(h.name, h.root));
  if (job.scenario === 'first' && problems.length === 0) convergedBy.add(convergeKey(job));
  if (before) hosts.forEach((h, i) => problems.push(...diffSnapshots(h.name, before[i] as Map<string, Stamp>, snapshot(h.root))));
  return {
    tool: job.tool,
    scenario: job.scenario,
    hosts: job.n,
    tasks: job.tasks,
    curve: job.curve,
    run: job.run,
    exitCode: m.code,
    wallS: m.wallS,
    userS: m.userS,
    sysS: m.sysS,
    detachedCpuS: detached,
    controllerCpuS: m.userS + m.sysS + detached,
    remoteCpuS,
    remoteOrphans: remote.orphans,
    maxRssKb: m.maxRssKb,
    treePeakRssKb: m.treePeakRssKb,
    sshd,
    ...(recap ? { recap } : {}),
    ...(floor ? { floor } : {}),
    foreignCpuS: Math.max(0, busyS - (m.userS + m.sysS + detached) - remoteCpuS),
    load: [load0, loadavg()[0] ?? 0],
    problems,
  };
}

function plan(): Job[] {
  const jobs: Job[] = [];
  for (const n of hostCounts) {
    for (const tool of tools) {
      const isAnsible = tool === 'ansible' || tool === 'mitogen';
      if (isAnsible && n > ansibleMax) continue;
      const r = isAnsible ? ansibleRuns : runs;
      const base = { tool, n, playbook: PLAYBOOK, tasks: PLAYBOOK_TASKS, floorCommands: FLOOR_COMMANDS, curve: false, exact: true };
      if (FLOOR_TOOLS.includes(tool)) {
        for (let i = 0; i < r; i++) jobs.push({ ...base, scenario: 'floor', run: i });
        continue;
      }
      // first runs, then no-change and check runs on the state the tool's own first run left
      for (const sc of scenarios) for (let i = 0; i < r; i++) jobs.push({ ...base, scenario: sc, run: i });
    }
  }
  return jobs;
}

function curvePlan(dir: string): Job[] {
  const jobs: Job[] = [];
  for (const k of curveTasks) {
    const g = generatePlaybook(dir, k);
    for (const n of curveHosts) {
      for (const sc of curveScenarios) {
        for (let i = 0; i < curveRuns; i++) jobs.push({ tool: 'tsplay', scenario: sc, n, run: i, playbook: g.file, tasks: k, floorCommands: g.remoteTasks, curve: true, exact: false });
      }
    }
  }
  return jobs;
}

const genDir = mkdtempSync(join(tmpdir(), 'tsplay-bench-gen-'));
const jobs = [...plan(), ...curvePlan(genDir)];
const maxHosts = Math.max(...jobs.map((j) => j.n));
const skipped = tools.some((t) => t === 'ansible' || t === 'mitogen') ? hostCounts.filter((n) => n > ansibleMax) : [];
if (skipped.length) meta.notes.push(`ansible-playbook and Mitogen not run at ${skipped.join(', ')} hosts (--ansible-max-hosts ${ansibleMax}).`);
if (ansibleRuns !== runs) meta.notes.push(`ansible-playbook and Mitogen: ${ansibleRuns} run(s) per cell, others ${runs}.`);
log(
  `bench: ${jobs.length} runs on up to ${maxHosts} hosts; load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; results -> ${outFile}`,
);
const b = await startBenchHosts(maxHosts);
const floorHostsFile = join(b.hs.dir, 'floor-hosts.json');
writeFileSync(floorHostsFile, JSON.stringify({ knownHostsFile: b.hs.knownHostsFile, hosts: b.hs.hosts.map((h) => ({ name: h.name, vars: h.vars })) }));
const stop = async (): Promise<never> => {
  await b.teardown();
  process.exit(130);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
try {
  for (const [i, job] of jobs.entries()) {
    const r = await runOne(b, job, floorHostsFile);
    records.push(r);
    save();
    log(
      `[${i + 1}/${jobs.length}] ${job.tool} ${job.curve ? `curve ${job.tasks} tasks ` : ''}${job.scenario} hosts=${job.n} run=${job.run}: ` +
        `wall ${r.wallS.toFixed(2)} s, ctl cpu ${r.controllerCpuS.toFixed(2)} s, remote cpu ${r.remoteCpuS.toFixed(2)} s, ` +
        `rss ${(Math.max(r.maxRssKb, r.treePeakRssKb) / 1024).toFixed(0)} MB, load ${r.load?.map((x) => x.toFixed(1)).join('→')}, foreign cpu ${r.foreignCpuS?.toFixed(2)} s, orphans ${r.remoteOrphans}, conns ${r.sshd.connections} chans ${r.sshd.channels}` +
        `${r.recap ? `, changed ${r.recap.changed}` : ''}${r.problems.length ? `, PROBLEMS: ${r.problems.slice(0, 3).join('; ')}` : ''}`,
    );
  }
} finally {
  await b.teardown();
  rmSync(genDir, { recursive: true, force: true });
}
save();
const results = JSON.parse(readFileSync(outFile, 'utf8')) as BenchResults;
writeFileSync(values.md, renderMarkdown([results]));
log(`bench: wrote ${outFile} and ${values.md}`);
