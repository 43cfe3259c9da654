// Runs ava with its TAP reporter and ends with the one line CI reads: `N passed, N failed`.
// Why TAP: ava's own summary wording is not recognised by CI, TAP's counters are stable.
// Without file arguments it runs two passes: every test outside test/lab/ with ava's usual
// concurrency, then the lab's files one at a time. The lab is one shared fixture (its test files
// take a lock), so a lab file waiting for it would otherwise hold one of ava's few slots idle
// while the rest of the suite queues behind it. `--lab-only` runs the lab pass alone.
//
// The lab pass is a shared one (test/helpers/lab-pass.ts): this runner holds the lab lock for all
// of it, runs each lab file in an ava of its own (ava would put previously failed files first; the
// order matters here), and takes the lab down once at the end, whatever happened. The files that
// build from bare run first; site.test.ts, last of them, leaves the lab converged, and the files
// after it reuse it instead of each running `lab down`, `lab up` and site.yml from bare.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown } from '../engine/lab/lab-down.ts';
import { labLock } from './helpers/lab-lock.ts';
import { dropLabRecord, LAB_PASS_ENV } from './helpers/lab-pass.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const avaCli = fileURLToPath(new URL('../node_modules/ava/entrypoints/cli.mjs', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}

// The files that build the lab from bare ('none'), in this order: lab-smoke.test.ts takes the lab
// down itself; site.test.ts converges it from bare and leaves it so. Every other lab file follows.
const BARE_FIRST = ['lab-smoke.test.ts', 'site.test.ts'].map((f) => join('test', 'lab', f));

let running: ReturnType<typeof spawn> | undefined;
/** the exit code of an interrupted run (128 + the signal's number), 0 while not interrupted */
let stopped = 0;
let pass = 0;
let fail = 0;
let skip = 0;

/** runAva runs one ava pass, copying its TAP output and counting its results; resolves with ava's exit code. */
function runAva(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const child = spawn(process.execPath, [avaCli, '--tap', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env });
  running = child;
  let carry = '';
  let failedHere = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    carry += chunk.toString('utf8');
    const lines = carry.split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      if (/^ok\b/.test(line)) {
        if (/# SKIP/.test(line)) skip++;
        else pass++;
      } else if (/^not ok\b/.test(line)) {
        if (/# TODO/.test(line)) skip++;
        else {
          fail++;
          failedHere++;
        }
      }
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      running = undefined;
      // ava exits non-zero on uncaught errors in a test file even when every counted test passed
      if (code !== 0 && failedHere === 0) fail++;
      // ava exits 0 on `not ok - No tests found` (a test file that registered nothing): a counted failure fails the run
      resolve(failedHere > 0 ? code || 1 : (code ?? 1));
    });
  });
}

/** runLabPass runs the lab's files one at a time under one hold of the lab lock, then takes the lab down; resolves with the first failing exit code. */
async function runLabPass(files: string[]): Promise<number> {
  const ordered = [...BARE_FIRST.filter((f) => files.includes(f)), ...files.filter((f) => !BARE_FIRST.includes(f))];
  const waited = Date.now();
  const release = await labLock();
  const t0 = Date.now();
  process.stdout.write(`# lab pass: lock taken after ${((t0 - waited) / 1000).toFixed(0)} s\n`);
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-lab-pass-'));
  const times: string[] = [];
  let code = 0;
  try {
    for (const f of ordered) {
      if (stopped) break;
      const start = Date.now();
      const c = await runAva([f], { ...process.env, [LAB_PASS_ENV]: dir });
      // whatever a failed file did to the lab, the next one builds its own
      if (c !== 0) dropLabRecord(dir);
      times.push(`#   ${f} ${((Date.now() - start) / 1000).toFixed(0)} s${c === 0 ? '' : ` (exit ${c})`}`);
      if (code === 0) code = c;
    }
  } finally {
    const down = Date.now();
    try {
      await labDown(() => undefined);
    } finally {
      await release();
      rmSync(dir, { recursive: true, force: true });
    }
    times.push(`#   lab down ${((Date.now() - down) / 1000).toFixed(0)} s`);
    process.stdout.write(`# lab pass: ${((Date.now() - t0) / 1000).toFixed(0)} s\n${times.join('\n')}\n`);
  }
  return code;
}

// Interrupted: the running ava goes, then the lab pass still takes the lab down and releases the lock.
for (const [sig, n] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
] as const) {
  process.once(sig, () => {
    stopped = 128 + n;
    running?.kill(sig);
  });
}

const given = process.argv.slice(2);
const labOnly = given[0] === '--lab-only';
let code: number;
if (given.length > 0 && !labOnly) code = await runAva(given);
else {
  const all = testFiles(join(root, 'test')).sort();
  const lab = all.filter((f) => f.startsWith(join('test', 'lab') + '/'));
  const rest = all.filter((f) => !lab.includes(f));
  const a = labOnly ? 0 : await runAva(rest);
  const b = lab.length > 0 && !stopped ? await runLabPass(lab) : 0;
  code = a !== 0 ? a : b;
}
process.stdout.write(`\n${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}\n`);
process.exitCode = stopped || (fail > 0 && code === 0 ? 1 : code);
