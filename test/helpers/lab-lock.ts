// The lab is one shared fixture (fixed namespaces, ports and guests) and ava runs test files in
// parallel processes: every test file that uses the lab holds this lock for its whole run.
import { spawn } from 'node:child_process';

/** LAB_LOCK_FILE is the lock every lab test file takes (tmpfs: a reboot leaves no stale lock). */
export const LAB_LOCK_FILE = '/run/lock/tsplay-lab-tests.lock';

/**
 * labLock waits for the exclusive lab lock and resolves with its release. flock(1) holds the lock
 * while its `cat` reads our stdin: if this process dies, the pipe closes and the lock goes with it.
 */
export function labLock(): Promise<() => Promise<void>> {
  const child = spawn('flock', ['--exclusive', LAB_LOCK_FILE, 'sh', '-c', 'echo locked; exec cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    const early = (code: number | null): void => reject(new Error(`flock ${LAB_LOCK_FILE} exited ${code} before taking the lock`));
    child.once('close', early);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (!out.includes('locked')) return;
      child.off('close', early);
      resolve(async () => {
        child.stdin.end();
        await exited;
      });
    });
  });
}

/** labLockHeld is true while some process holds the lab lock (a shared lab pass checks that its runner does). */
export async function labLockHeld(): Promise<boolean> {
  const child = spawn('flock', ['--nonblock', '--exclusive', LAB_LOCK_FILE, 'true'], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return code !== 0;
}
