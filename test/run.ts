// Runs ava with its TAP reporter and ends with the one line CI reads: `N passed, N failed`.
// Why TAP: ava's own summary wording is not recognised by CI, TAP's counters are stable.
// Without file arguments it runs two passes: every test outside test/lab/ with ava's usual
// concurrency, then the lab's files one at a time. The lab is one shared fixture (its test files
// take a lock), so a lab file waiting for it would otherwise hold one of ava's few slots idle
// while the rest of the suite queues behind it.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const avaCli = fileURLToPath(new URL('../node_modules/ava/entrypoints/cli.mjs', import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}

let pass = 0;
let fail = 0;
let skip = 0;

/** runAva runs one ava pass, copying its TAP output and counting its results; resolves with ava's exit code. */
function runAva(args: string[]): Promise<number> {
  const child = spawn(process.execPath, [avaCli, '--tap', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
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
      // ava exits non-zero on uncaught errors in a test file even when every counted test passed
      if (code !== 0 && failedHere === 0) fail++;
      // ava exits 0 on `not ok - No tests found` (a test file that registered nothing): a counted failure fails the run
      resolve(failedHere > 0 ? code || 1 : (code ?? 1));
    });
  });
}

const given = process.argv.slice(2);
let code: number;
if (given.length > 0) code = await runAva(given);
else {
  const all = testFiles(join(root, 'test')).sort();
  const lab = all.filter((f) => f.startsWith(join('test', 'lab') + '/'));
  const rest = all.filter((f) => !lab.includes(f));
  const a = await runAva(rest);
  const b = lab.length > 0 ? await runAva(['--concurrency=1', ...lab]) : 0;
  code = a !== 0 ? a : b;
}
process.stdout.write(`\n${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}\n`);
process.exitCode = fail > 0 && code === 0 ? 1 : code;
