// The tools the benchmark compares, each as: the command line for one run, the environment,
// and how to read its PLAY RECAP. Ansible gets a fresh ansible.cfg (and ControlMaster socket
// directory) per run, so no run reuses another run's SSH connections.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidsWithArg, readProcTable, treeCpuSeconds } from './proc.ts';

/** Scenario is what a run is asked to do. */
export type Scenario = 'first' | 'noop' | 'check';

/** ToolName names a compared tool. */
export type ToolName = 'tsplay' | 'ansible' | 'mitogen' | 'floor' | 'trace-floor' | 'trace-floor-first';

/** FLOOR_TOOLS are the floors: no playbook, no recap, one JSON line of their own. */
export const FLOOR_TOOLS: readonly ToolName[] = ['floor', 'trace-floor', 'trace-floor-first'];

/** Recap sums a run's PLAY RECAP over its hosts. */
export interface Recap {
  hosts: number;
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

/** RunSpec is everything needed to start one run of a tool. */
export interface RunSpec {
  readonly n: number;
  readonly inventory: string;
  readonly playbook: string;
  readonly scenario: Scenario;
  /** HOME holding .ssh/known_hosts with every host key */
  readonly home: string;
  readonly knownHostsFile: string;
  /** for the floor: the hosts file bench/floor-child.ts reads, and the commands per host */
  readonly floorHostsFile: string;
  readonly floorCommands: number;
  /** for a trace floor: the trace of a tsplay no-change run (trace-floor) or first run (trace-floor-first) on these hosts (bench/capture-trace.ts) */
  readonly traceFile?: string;
}

/** ToolRun is one prepared run: what to execute and what to do once it ended. */
export interface ToolRun {
  readonly argv: string[];
  readonly env: NodeJS.ProcessEnv;
  /** > 0: sample the tree's RSS at this period (tools that fork workers) */
  readonly sampleMs: number;
  /** finish stops what the run left behind (ControlMaster processes) and returns their CPU seconds */
  finish(): Promise<number>;
}

const ROOT = new URL('..', import.meta.url).pathname;
const NODE = process.execPath;

function sumRecap(lines: Iterable<{ ok: number; changed: number; failed: number; unreachable: number; skipped: number }>): Recap {
  const r: Recap = { hosts: 0, ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0 };
  for (const s of lines) {
    r.hosts++;
    r.ok += s.ok;
    r.changed += s.changed;
    r.failed += s.failed;
    r.unreachable += s.unreachable;
    r.skipped += s.skipped;
  }
  return r;
}

/** parseAnsibleRecap reads the `host : ok=N changed=N ...` lines of ansible-playbook's (and tsplay's plain) output. */
export function parseAnsibleRecap(stdout: string): Recap | undefined {
  const rows = [...stdout.matchAll(/^\S+\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)/gm)].map((m) => ({
    ok: Number(m[1]),
    changed: Number(m[2]),
    unreachable: Number(m[3]),
    failed: Number(m[4]),
    skipped: Number(m[5]),
  }));
  return rows.length ? sumRecap(rows) : undefined;
}

/** parseTsplayRecap reads the `recap` event of `--output json`. */
export function parseTsplayRecap(stdout: string): Recap | undefined {
  for (const line of stdout.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { type?: string; stats?: Record<string, { ok: number; changed: number; failed: number; unreachable: number; skipped: number }> };
      if (e.type === 'recap' && e.stats) return sumRecap(Object.values(e.stats));
    } catch {
      // not an event line
    }
  }
  return undefined;
}

/** FloorFigures are what a floor process reports: the connection phase, the commands phase, and (trace floor) what it replayed per host. */
export interface FloorFigures {
  readonly connectMs: number;
  readonly runMs: number;
  readonly roundTrips?: number;
  readonly commands?: number;
}

/** parseFloor reads the JSON line of bench/floor-child.ts or bench/trace-floor.ts. */
export function parseFloor(stdout: string): FloorFigures | undefined {
  try {
    const r = JSON.parse(stdout.trim().split('\n').pop() ?? '') as FloorFigures;
    return { connectMs: r.connectMs, runMs: r.runMs, ...(r.roundTrips !== undefined ? { roundTrips: r.roundTrips, commands: r.commands } : {}) };
  } catch {
    return undefined;
  }
}

function ansibleRun(spec: RunSpec, mitogen: boolean): ToolRun {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-bench-ansible-'));
  const cp = join(dir, 'cp');
  mkdirSync(cp);
  const cfg = join(dir, 'ansible.cfg');
  writeFileSync(
    cfg,
    [
      '[defaults]',
      `forks = ${spec.n}`,
      'host_key_checking = True',
      // an explicit interpreter: no discovery round trip, no warning
      'interpreter_python = /usr/bin/python3',
      'retry_files_enabled = False',
      'gathering = explicit',
      `local_tmp = ${join(dir, 'tmp')}`,
      ...(mitogen ? ['strategy = mitogen_linear'] : []),
      '',
      '[ssh_connection]',
      'pipelining = True',
      // Ansible's default ssh_args (-C, ControlMaster auto, ControlPersist 60s) plus our known_hosts
      `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${spec.knownHostsFile} -o StrictHostKeyChecking=yes`,
      `control_path_dir = ${cp}`,
      '',
    ].join('\n'),
  );
  const argv = ['ansible-playbook', spec.playbook, '-i', spec.inventory, '-f', String(spec.n)];
  if (spec.scenario === 'check') argv.push('--check', '--diff');
  return {
    argv,
    env: { ...process.env, HOME: spec.home, ANSIBLE_CONFIG: cfg, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' },
    sampleMs: 250,
    async finish(): Promise<number> {
      // ControlPersist masters detach from ansible-playbook, so GNU time never sees their CPU:
      // find them by this run's unique socket directory, add their CPU, and stop them (by PID)
      const pids = pidsWithArg(cp);
      const cpu = treeCpuSeconds(readProcTable(), pids);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
      const deadline = Date.now() + 5000;
      while (pidsWithArg(cp).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      rmSync(dir, { recursive: true, force: true });
      return cpu;
    },
  };
}

/** prepareRun builds one run of `tool`. */
export function prepareRun(tool: ToolName, spec: RunSpec): ToolRun {
  const none = async (): Promise<number> => 0;
  switch (tool) {
    case 'tsplay': {
      const argv = [NODE, join(ROOT, 'bin/tsplay.js'), spec.playbook, '-i', spec.inventory, '-f', String(spec.n), '--output', 'json'];
      if (spec.scenario === 'check') argv.push('-C', '-D');
      // HOME: tsplay checks host keys against ~/.ssh/known_hosts, like ssh does
      return { argv, env: { ...process.env, HOME: spec.home }, sampleMs: 0, finish: none };
    }
    case 'ansible':
      return ansibleRun(spec, false);
    case 'mitogen':
      return ansibleRun(spec, true);
    case 'floor':
      return { argv: [NODE, join(ROOT, 'bench/floor-child.ts'), spec.floorHostsFile, String(spec.n), String(spec.floorCommands)], env: { ...process.env }, sampleMs: 0, finish: none };
    case 'trace-floor':
    case 'trace-floor-first': {
      if (spec.traceFile === undefined) throw new Error('the trace floor needs a trace file');
      const argv = [NODE, join(ROOT, 'bench/trace-floor.ts'), spec.floorHostsFile, String(spec.n), spec.traceFile, ...(tool === 'trace-floor-first' ? ['--writes'] : [])];
      return { argv, env: { ...process.env }, sampleMs: 0, finish: none };
    }
  }
}

/** parseRecap reads a tool's recap from its output (the floor has none). */
export function parseRecap(tool: ToolName, stdout: string): Recap | undefined {
  if (tool === 'tsplay') return parseTsplayRecap(stdout);
  if (FLOOR_TOOLS.includes(tool)) return undefined;
  return parseAnsibleRecap(stdout);
}
