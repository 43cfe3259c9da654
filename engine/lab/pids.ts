// PID files and stopping processes by PID (the lab never kills by name).
import { existsSync, readFileSync, rmSync } from 'node:fs';

/** readPid returns the PID in a pid file, or undefined when absent or unparsable. */
export function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isFinite(n) && n > 1 ? n : undefined;
}

/** alive says whether a process with this PID exists (and is not a zombie). */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** livePid returns the PID from a pid file only when that process is running. */
export function livePid(file: string): number | undefined {
  const pid = readPid(file);
  return alive(pid) ? pid : undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** stopPid sends SIGTERM, waits up to `graceMs`, then SIGKILL; true when it is gone. */
export async function stopPid(pid: number, graceMs = 5000): Promise<boolean> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return true;
  }
  for (let t = 0; t < graceMs; t += 100) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return true;
  }
  for (let t = 0; t < 2000; t += 100) {
    if (!alive(pid)) return true;
    await sleep(100);
  }
  return false;
}

/** stopPidFile stops the process named by a pid file and removes the file. */
export async function stopPidFile(file: string): Promise<void> {
  const pid = livePid(file);
  if (pid !== undefined) await stopPid(pid);
  rmSync(file, { force: true });
}
