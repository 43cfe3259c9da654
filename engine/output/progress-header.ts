/** Progress is where a run stands, as the terminal view's header shows it. */
export interface Progress {
  readonly play: string;
  /** the how-manieth task of the play this is (handlers do not count) */
  readonly task: number;
  /** the tasks the play lists, when known */
  readonly tasks?: number;
  readonly hostsDone: number;
  readonly hosts: number;
  readonly elapsedMs: number;
}

/** clock renders a duration as m:ss, or h:mm:ss from an hour on. */
export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/**
 * progressHeader is the live line above the running task, e.g.
 * `PLAY [site] · task 7/31 · 9/10 hosts done · 0:42`. A play whose includes add tasks runs past
 * its listed count: the total then follows the count.
 */
export function progressHeader(p: Progress): string {
  const total = p.tasks !== undefined ? `/${Math.max(p.tasks, p.task)}` : '';
  return `PLAY [${p.play}] · task ${p.task}${total} · ${p.hostsDone}/${p.hosts} hosts done · ${clock(p.elapsedMs)}`;
}
