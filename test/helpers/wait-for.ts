// Waiting on an event in tests instead of sleeping a guessed time. Why: a fixed sleep is either too
// short on 2 busy shared cores (flaky) or wastes time everywhere; the deadline only bounds a failure.

/** waitFor polls `cond` every 10 ms until it holds, and throws naming `what` if it still fails after `deadlineMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`waited ${deadlineMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** gone says whether a process no longer runs (absent, or a zombie waiting to be reaped). */
export async function gone(pid: number): Promise<boolean> {
  const { readFile } = await import('node:fs/promises');
  try {
    return (await readFile(`/proc/${pid}/stat`, 'utf8')).includes(') Z');
  } catch {
    return true;
  }
}
