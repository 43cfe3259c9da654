// Runs ava with its TAP reporter and ends with the one line CI reads: `N passed, N failed`.
// Why TAP: ava's own summary wording is not recognised by CI, TAP's counters are stable.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const avaCli = fileURLToPath(new URL('../node_modules/ava/entrypoints/cli.mjs', import.meta.url));
const args = [avaCli, '--tap', ...process.argv.slice(2)];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });

let pass = 0;
let fail = 0;
let skip = 0;
let carry = '';
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
      else fail++;
    }
  }
});
child.on('close', (code) => {
  // ava exits non-zero on uncaught errors in a test file even when every counted test passed
  if (code !== 0 && fail === 0) fail = 1;
  process.stdout.write(`\n${pass} passed, ${fail} failed${skip ? `, ${skip} skipped` : ''}\n`);
  // ava exits 0 on `not ok - No tests found` (a test file that registered nothing): a counted failure fails the run
  process.exitCode = fail > 0 ? code || 1 : (code ?? 1);
});
