// One call gives a lab test file the lab it needs: the lock, a fresh `lab up` (the datacenter:
// hypervisors reachable over ssh, the base image placed), then site.yml as far as the file needs it,
// and after the file, `lab down` and the lock released. Another lab user may have left anything
// behind, so the lab is always torn down first and built from bare.
import type { ExecutionContext, TestFn } from 'ava';
import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown } from '../../engine/lab/lab-down.ts';
import { type HostStatus, labStatus } from '../../engine/lab/lab-status.ts';
import { labUp } from '../../engine/lab/lab-up.ts';
import { GUESTS, HYPERVISORS } from '../../engine/lab/topology.ts';
import { type EventRun, parseEvents, type SiteEvent } from './site-events.ts';
import { LAB_LOCK_FILE, labLock, labLockHeld } from './lab-lock.ts';
import { bareGuests, LAB_PASS_ENV, labAnswers, labPassDir, leaveLabRecord, takeLabRecord } from './lab-pass.ts';

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
  /** in a shared lab pass: the file whose lab this one reused (no `lab up` then) */
  reusedFrom?: string;
}

/** LabOptions say how far site.yml runs and what the file does on the lab before its tests and after them. */
export interface LabOptions {
  readonly converge: Converge;
  /** runs once the lab is converged (e.g. the file's baseline) */
  readonly ready?: (log: (m: string) => void) => Promise<void>;
  /** runs after the file's tests, before `lab down` (e.g. checks that the file left the lab as it found it) */
  readonly done?: (log: (m: string) => void) => Promise<void>;
  /**
   * In a shared lab pass (test/run.ts): whether, once every test and `done` passed, the lab is up
   * with nothing on it that one site.yml run cannot repair (no domain, network or file site.yml
   * does not own), so the next file may reuse it. Default: true for 'hypervisors' and 'all' (their
   * `done` undoes what the tests made), false for 'none' (such a file may take the lab down).
   */
  readonly reusable?: boolean;
}

/**
 * useLab registers the file's lab hooks: before — the lock, `lab down` (whatever another user left),
 * `lab up`, site.yml as far as `converge` says, then `ready`; after (always) — `done`, `lab down`,
 * then the lock released. The file's own work around its tests goes in ready/done: ava runs
 * after-hooks in the order they are declared, and `lab down` must come last.
 *
 * In a shared lab pass (test/helpers/lab-pass.ts) test/run.ts holds the lock and takes the lab down
 * at the end. A 'hypervisors' or 'all' file there reuses the lab the previous file left reusable:
 * guests taken back to bare for 'hypervisors', then ONE site.yml run as far as `converge` says,
 * which repairs what the previous file changed within site.yml's description. A 'none' file, or
 * one after a file that failed or left nothing reusable, builds from bare as above. A reusable
 * file whose `ready` and `done` passed leaves the lab up (run.ts forgets it when a test failed,
 * and the next file builds from bare); any other takes it down.
 */
export function useLab(test: TestFn, opts: LabOptions): LabTimes {
  const times: LabTimes = {};
  const pass = labPassDir();
  const reusable = opts.reusable ?? opts.converge !== 'none';
  let release: (() => Promise<void>) | undefined;
  let held = false;
  let ready = false;
  test.before(async (t) => {
    t.timeout(60 * 60_000);
    const log = (m: string): void => t.log(m);
    if (pass === undefined) release = await labLock();
    else if (!(await labLockHeld())) throw new Error(`${LAB_PASS_ENV} is set but nobody holds ${LAB_LOCK_FILE}: a shared lab pass runs through test/run.ts`);
    held = true;
    const left = pass === undefined ? undefined : takeLabRecord(pass);
    if (left !== undefined && opts.converge !== 'none' && (await labAnswers())) {
      times.reusedFrom = left.file;
      log(`shared lab pass: reusing the lab ${left.file} left up`);
      if (opts.converge === 'hypervisors') await bareGuests();
    } else {
      await labDown(() => undefined);
      const up = await labUp(log);
      times.up = up.seconds;
      log(`lab up ${up.seconds.toFixed(0)} s`);
    }
    const site = await convergeLab(opts.converge, log);
    if (site) times.converge = site.seconds;
    await opts.ready?.(log);
    ready = true;
  });
  test.after.always(async (t) => {
    const log = (m: string): void => t.log(m);
    let doneOk = false;
    try {
      if (held) await opts.done?.(log);
      doneOk = true;
    } finally {
      // a failed test fails the file's ava, and test/run.ts then drops the record
      if (pass !== undefined && reusable && ready && doneOk) {
        leaveLabRecord(pass, { file: basename(fileURLToPath(test.meta.file)) });
        log('shared lab pass: the lab stays up for the next file');
      } else await closeLab(log, held, release);
    }
  });
  return times;
}

async function closeLab(log: (m: string) => void, held: boolean, release: (() => Promise<void>) | undefined): Promise<void> {
  try {
    if (held) await labDown(log);
  } finally {
    await release?.();
  }
}
