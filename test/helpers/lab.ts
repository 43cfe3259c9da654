// One call gives a lab test file the lab it needs: the lock, a fresh `lab up` (the datacenter:
// hypervisors reachable over ssh, the base image placed), then site.yml as far as the file needs it,
// and after the file, `lab down` and the lock released. Another lab user may have left anything
// behind, so the lab is always torn down first and built from bare.
import type { ExecutionContext, TestFn } from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { labDown } from '../../engine/lab/lab-down.ts';
import { type HostStatus, labStatus } from '../../engine/lab/lab-status.ts';
import { labUp } from '../../engine/lab/lab-up.ts';
import { GUESTS, HYPERVISORS } from '../../engine/lab/topology.ts';
import { labLock } from './lab-lock.ts';
import { type EventRun, parseEvents, type SiteEvent } from './site-events.ts';

const REPO = join(import.meta.dirname, '..', '..');

/** Converge says how far site.yml runs after `lab up`: not at all, the hypervisor play only (bare guests, no team), or all of it. */
export type Converge = 'none' | 'hypervisors' | 'all';

/** SiteRun is one run of a playbook through tsplay's CLI: exit code, output, seconds, and its `--output json` events when asked for. */
export interface SiteRun extends EventRun {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr as they came, for error messages */
  readonly out: string;
  readonly seconds: number;
  /** the parsed `--output json` lines (empty without `json`) */
  readonly events: SiteEvent[];
}

/** SiteOptions say which playbook and inventory a run uses (default: site.yml, inventories/lab) and whether it reads JSON events. */
export interface SiteOptions {
  /** a playbook path (default: the repository's site.yml) */
  readonly playbook?: string;
  /** an inventory path (default: inventories/lab), e.g. an edited copy */
  readonly inventory?: string;
  /** run with `--output json` and parse the events */
  readonly json?: boolean;
}

/** LAB_INVENTORY is the lab's inventory directory. */
export const LAB_INVENTORY = join(REPO, 'inventories', 'lab');

/** runSite runs `tsplay site.yml -i inventories/lab` (or what `opts` says) with extra arguments (e.g. `-l hypervisors`, `-C`, `-D`). */
export function runSite(args: readonly string[] = [], opts: SiteOptions = {}): Promise<SiteRun> {
  const t0 = Date.now();
  const argv = [join(REPO, 'bin', 'tsplay.js'), opts.playbook ?? join(REPO, 'site.yml'), '-i', opts.inventory ?? LAB_INVENTORY, ...(opts.json ? ['--output', 'json'] : []), ...args];
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, argv, { cwd: REPO });
    let stdout = '';
    let stderr = '';
    let out = '';
    c.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      out += b.toString();
    });
    c.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      out += b.toString();
    });
    c.once('error', reject);
    c.on('close', (code) => resolve({ rc: code ?? -1, stdout, stderr, out, seconds: (Date.now() - t0) / 1000, events: opts.json ? parseEvents(stdout) : [] }));
  });
}

/** convergeLab runs site.yml as far as `converge` says and throws with its output unless it exits 0. */
export async function convergeLab(converge: Converge, log: (m: string) => void): Promise<SiteRun | undefined> {
  if (converge === 'none') return undefined;
  const r = await runSite(converge === 'hypervisors' ? ['-l', 'hypervisors'] : []);
  if (r.rc !== 0) throw new Error(`site.yml (${converge}) exited ${r.rc}:\n${r.stdout.slice(-6000)}\n${r.stderr}`);
  log(`site.yml (${converge}) converged in ${r.seconds.toFixed(0)} s`);
  return r;
}

/** ALL_ANSWER is `lab status` on a converged lab: every hypervisor and guest answers ssh (guests through their hypervisor). */
const ALL_ANSWER = [...HYPERVISORS, ...GUESTS].map((h) => [h.name, true]);

/** assertLabAnswers checks that every lab host answers ssh (lab status), naming `what` in the failure; returns lab status's rows. */
export async function assertLabAnswers(t: ExecutionContext, what = 'every lab host answers ssh'): Promise<HostStatus[]> {
  const rows = await labStatus();
  t.deepEqual(
    rows.map((x) => [x.host, x.ssh]),
    ALL_ANSWER,
    what,
  );
  return rows;
}

/** LabTimes are the seconds the fixture spent, for a file's log. */
export interface LabTimes {
  up?: number;
  converge?: number;
}

/** LabOptions say how far site.yml runs and what the file does on the lab before its tests and after them. */
export interface LabOptions {
  readonly converge: Converge;
  /** runs once the lab is converged (e.g. the file's baseline) */
  readonly ready?: (log: (m: string) => void) => Promise<void>;
  /** runs after the file's tests, before `lab down` (e.g. checks that the file left the lab as it found it) */
  readonly done?: (log: (m: string) => void) => Promise<void>;
}

/**
 * useLab registers the file's lab hooks: before — the lock, `lab down` (whatever another user left),
 * `lab up`, site.yml as far as `converge` says, then `ready`; after (always) — `done`, `lab down`,
 * then the lock released. The file's own work around its tests goes in ready/done: ava runs
 * after-hooks in the order they are declared, and `lab down` must come last.
 */
export function useLab(test: TestFn, opts: LabOptions): LabTimes {
  const times: LabTimes = {};
  let release: (() => Promise<void>) | undefined;
  test.before(async (t) => {
    t.timeout(60 * 60_000);
    release = await labLock();
    await labDown(() => undefined);
    const up = await labUp((m) => t.log(m));
    times.up = up.seconds;
    t.log(`lab up ${up.seconds.toFixed(0)} s`);
    const site = await convergeLab(opts.converge, (m) => t.log(m));
    if (site) times.converge = site.seconds;
    await opts.ready?.((m) => t.log(m));
  });
  test.after.always(async (t) => {
    try {
      if (release) await opts.done?.((m) => t.log(m));
    } finally {
      await closeLab(t, release);
    }
  });
  return times;
}

async function closeLab(t: { log: (m: string) => void }, release: (() => Promise<void>) | undefined): Promise<void> {
  try {
    if (release) await labDown((m) => t.log(m));
  } finally {
    await release?.();
  }
}
