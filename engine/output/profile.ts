import type { ExecEvent } from '../executor/events.ts';
import { ANSIBLE_COLUMNS } from './banner.ts';
import { taskLabel } from './task-label.ts';

/** PROFILE_TASK_LIMIT is how many tasks profile_tasks lists by default (its task_output_limit). */
export const PROFILE_TASK_LIMIT = 20;

interface Timed {
  label: string;
  elapsedMs: number;
}

/** secondsToStr is profile_tasks' H:MM:SS.mmm. */
function secondsToStr(ms: number): string {
  const total = Math.round(ms);
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(total % 1000).padStart(3, '0')}`;
}

/** filled is profile_tasks' banner: the text, a space, then `fchar` up to 79 columns and a trailing space. */
function filled(msg: string, fchar: string): string {
  const text = msg.length === 0 ? '' : `${msg} `;
  return `${text}${fchar.repeat(Math.max(3, ANSIBLE_COLUMNS - text.length))} `;
}

/** timeLine is one `name ------ 1.23s` row, 79 columns wide as profile_tasks prints it. */
function timeLine(name: string, ms: number): string {
  const elapsed = ` ${(ms / 1000).toFixed(2)}s`;
  return `${name} `.padEnd(ANSIBLE_COLUMNS - 9, '-') + elapsed.padStart(9, '-');
}

/** strftime renders `%A %d %B %Y  %H:%M:%S %z` in local time, as profile_tasks' timestamp line. */
function strftime(d: Date): string {
  const day = d.toLocaleDateString('en-US', { weekday: 'long' });
  const month = d.toLocaleDateString('en-US', { month: 'long' });
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const z = `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
  return `${day} ${p2(d.getDate())} ${month} ${d.getFullYear()}  ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${z}`;
}

/** timerLine is the timer callback's sentence: `Playbook run took 0 days, 0 hours, 1 minutes, 5 seconds`. */
export function timerLine(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `Playbook run took ${Math.floor(s / 86400)} days, ${Math.floor(s / 3600) % 24} hours, ${Math.floor(s / 60) % 60} minutes, ${s % 60} seconds`;
}

/**
 * ProfileCollector times tasks as Ansible's profile_tasks does (a task lasts from its start until
 * the next task starts, over all hosts) and adds each host's busy time (the sum of its results'
 * durations); `lines` renders both after the recap, then the timer callback's total.
 */
export class ProfileCollector {
  private readonly tasks = new Map<string, Timed>();
  private readonly hosts = new Map<string, number>();
  private current: { key: string; since: number } | undefined;
  private readonly t0: number;
  private prev: number;
  private totalMs: number | undefined;
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
    this.t0 = now();
    this.prev = this.t0;
  }

  private stop(at: number): void {
    if (!this.current) return;
    const t = this.tasks.get(this.current.key);
    if (t) t.elapsedMs += at - this.current.since;
    this.prev = this.current.since;
    this.current = undefined;
  }

  /** onEvent records task boundaries, host durations and the run's end. */
  onEvent(e: ExecEvent): void {
    const at = this.now();
    if (e.type === 'task-start') {
      this.stop(at);
      const key = `${e.task.id ?? ''}\u0000${e.task.pos.file}:${e.task.pos.line}:${e.task.pos.col}\u0000${taskLabel(e.task)}`;
      if (!this.tasks.has(key)) this.tasks.set(key, { label: taskLabel(e.task), elapsedMs: 0 });
      this.current = { key, since: at };
    } else if (e.type === 'play-start' || e.type === 'playbook-start') {
      this.stop(at);
    } else if (e.type === 'host-result') {
      this.hosts.set(e.host, (this.hosts.get(e.host) ?? 0) + e.durationMs);
    } else if (e.type === 'recap') {
      this.stop(at);
      this.totalMs = e.durationMs;
    }
  }

  /** lines renders the slowest tasks, the per-host time and the total, in the callbacks' shapes. */
  lines(limit: number = PROFILE_TASK_LIMIT, date: Date = new Date()): string[] {
    const end = this.now();
    const total = this.totalMs ?? end - this.t0;
    const slowest = [...this.tasks.values()].sort((a, b) => b.elapsedMs - a.elapsedMs).slice(0, limit);
    const hosts = [...this.hosts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return [
      filled(`${strftime(date)} (${secondsToStr(end - this.prev)})${' '.repeat(7)}${secondsToStr(total)}`, '*'),
      filled('', '='),
      ...slowest.map((t) => timeLine(t.label, t.elapsedMs)),
      '',
      filled('HOSTS (time spent in tasks)', '='),
      ...hosts.map(([h, ms]) => timeLine(h, ms)),
      '',
      timerLine(total),
    ];
  }
}
