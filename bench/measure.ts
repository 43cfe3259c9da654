// Runs one tool invocation the way the benchmark measures every tool: under GNU time (user+sys
// of the process and every child it waited for, and the largest RSS), with the summed RSS of the
// whole process tree sampled while it runs (Ansible's forks are separate processes).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProcTable, treeRssKb } from './proc.ts';

/** Measured is one timed run of one command. */
export interface Measured {
  readonly code: number;
  readonly wallS: number;
  /** controller CPU: user + sys of the tool and its waited-for children (GNU time) */
  readonly userS: number;
  readonly sysS: number;
  /** the largest single process's peak RSS (GNU time %M), KiB */
  readonly maxRssKb: number;
  /** the peak of the whole tree's summed RSS, sampled (0 when sampling was off), KiB */
  readonly treePeakRssKb: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** MeasureOptions: where and how to run; `sampleMs` > 0 samples the tree's RSS. */
export interface MeasureOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly sampleMs?: number;
  readonly timeoutMs?: number;
  /** called with /usr/bin/time's PID once it started (the tool is its child) */
  readonly onStart?: (pid: number) => void;
}

/** measure runs `argv` under /usr/bin/time and returns what it cost. */
export function measure(argv: readonly string[], opts: MeasureOptions): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-bench-time-'));
  const timeFile = join(dir, 'time');
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, ...argv], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let peak = 0;
    const pid = child.pid;
    if (pid !== undefined) opts.onStart?.(pid);
    const sampler =
      opts.sampleMs && pid !== undefined
        ? setInterval(() => {
            peak = Math.max(peak, treeRssKb(readProcTable(), [pid]));
          }, opts.sampleMs)
        : undefined;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          if (pid !== undefined) process.kill(pid, 'SIGTERM');
        }, opts.timeoutMs)
      : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      if (sampler) clearInterval(sampler);
      if (timer) clearTimeout(timer);
      let userS = Number.NaN;
      let sysS = Number.NaN;
      let maxRssKb = Number.NaN;
      try {
        // the last line: GNU time puts "Command exited with non-zero status N" before it
        const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
        [userS, sysS, maxRssKb] = last.split(' ').map(Number) as [number, number, number];
      } catch {
        // time did not write: leave NaN, the caller sees the failed run
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code: code ?? -1,
        wallS,
        userS,
        sysS,
        maxRssKb,
        treePeakRssKb: peak,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
