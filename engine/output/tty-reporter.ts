import type { ListrTaskWrapper } from 'listr2';

// listr2's wrapper is generic over the renderer classes it was built with; any renderer will do here
// biome-ignore lint/suspicious/noExplicitAny: listr2 types its renderer parameters as classes we never name
type Wrapper = ListrTaskWrapper<unknown, any, any>;
import type { ExecEvent, TaskRef } from '../executor/events.ts';
import { banner } from './banner.ts';
import { hostRanges } from './host-ranges.ts';
import { progressHeader } from './progress-header.ts';
import { pyStr } from '../py/repr.ts';
import { formatRecapGrouped } from './recap.ts';
import { type HostResult, taskSummary } from './task-summary.ts';
import { taskLabel } from './task-label.ts';

interface Pending {
  /** the result once it arrived; null when none will (a meta task that ran, an interrupted run) */
  settled?: HostResult | null;
  resolve: (e: HostResult | null) => void;
  promise: Promise<HostResult | null>;
  /** the host's latest loop item or retry, shown while it runs */
  note?: string;
}

function deferred(): Pending {
  let settle!: Pending['resolve'];
  const promise = new Promise<HostResult | null>((r) => (settle = r));
  const p: Pending = {
    resolve: (e) => {
      p.settled = e;
      settle(e);
    },
    promise,
  };
  return p;
}

/** lineFor is the line an event prints between task trees, if it prints one. */
function lineFor(e: ExecEvent): string | undefined {
  switch (e.type) {
    case 'play-start':
      return `\n${banner(`PLAY [${e.name}]`)}`;
    case 'warning':
      return `[WARNING]: ${e.host ? `[${e.host}]: ` : ''}${e.message}`;
    case 'included':
      return `included: ${e.file} for ${hostRanges(e.hosts).join(', ')}`;
    case 'debug':
      return `<${e.host ?? 'tsplay'}> ${e.message}`;
    case 'no-hosts-matched':
      return 'skipping: no hosts matched';
    case 'no-hosts-left':
      return `\n${banner('NO MORE HOSTS LEFT')}`;
    case 'interrupted':
      return '\n[ERROR]: User interrupted execution';
    default:
      return undefined;
  }
}

/** TtyOptions tune the view; `renderer` is 'default' on a terminal ('silent' in tests: only the lines written stay). */
export interface TtyOptions {
  readonly verbosity: number;
  readonly diff: boolean;
  readonly renderer?: 'default' | 'silent';
  readonly write?: (line: string) => void;
  /** the terminal's width, for the host lists (stdout's columns by default) */
  readonly columns?: number;
  /** Ansible's colours on the finished tasks' lines (by default when stdout is a terminal that has colours) */
  readonly colour?: boolean;
}

/** Where a task stands in its play when it starts: the header's "task n/m". */
interface Place {
  readonly play: string;
  readonly task: number;
  readonly tasks?: number;
}

/**
 * TtyReporter is the terminal view. While a task runs, listr2 draws a live header (play, task
 * n/m, hosts done, elapsed) over the task and the hosts it still waits for; when the task ends
 * that area is cleared and the task stays as one line with its counts, followed only by the
 * hosts where something changed, failed or was skipped (and their diffs under -D). So a run
 * scrolls about one line per task, however many hosts it has. Tasks render one after another,
 * which matches the linear strategy; with `free` a later task waits for the earlier one on screen.
 */
export class TtyReporter {
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, Pending>();
  private readonly o: TtyOptions;
  private readonly write: (line: string) => void;
  private readonly started = Date.now();
  private play: { name: string; tasks?: number; seen: Set<string> } = { name: '', seen: new Set() };
  /** the task started last, while it may still gain hosts (meta announces itself once per host) */
  private open: { id: string; meta: boolean; hosts: { h: string; d: Pending }[] } | undefined;

  constructor(o: TtyOptions) {
    this.o = o;
    this.write = o.write ?? ((l: string): void => void process.stdout.write(`${l}\n`));
  }

  private get colour(): boolean {
    // hasColors weighs NO_COLOR, FORCE_COLOR and TERM; a pipe has no such method
    return this.o.colour ?? (process.stdout.isTTY === true && process.stdout.hasColors());
  }

  private get width(): number {
    return this.o.columns ?? process.stdout.columns ?? 80;
  }

  private key(taskId: string, host: string): string {
    return `${taskId}\u0000${host}`;
  }

  private then(step: () => Promise<void> | void): void {
    this.chain = this.chain.then(step).catch(() => undefined);
  }

  /** onEvent feeds one event into the view. */
  onEvent(e: ExecEvent): void {
    switch (e.type) {
      case 'play-start':
        this.closeOpen();
        this.play = { name: e.name, ...(e.tasks !== undefined ? { tasks: e.tasks } : {}), seen: new Set() };
        break;
      case 'task-start':
        this.taskStart(e);
        return;
      case 'item-result':
        this.progress(e.task, e.host, `${e.status}: (item=${pyStr(e.item)})`);
        return;
      case 'retry':
        this.progress(e.task, e.host, `FAILED - RETRYING (${e.retriesLeft} retries left)`);
        return;
      case 'host-result': {
        const k = this.key(e.task.id ?? taskLabel(e.task), e.host);
        const p = this.pending.get(k);
        if (p) {
          this.pending.delete(k);
          p.resolve(e);
        }
        return;
      }
      case 'recap':
        this.open = undefined;
        this.flushPending();
        this.then(() => this.write([`\n${banner('PLAY RECAP')}`, ...formatRecapGrouped(e.stats), ''].join('\n')));
        return;
      default:
        break;
    }
    const line = lineFor(e);
    if (line !== undefined) this.then(() => this.write(line));
  }

  /** progress notes a host's latest item or retry, shown while the task waits for it. */
  private progress(task: TaskRef, host: string, text: string): void {
    const p = this.pending.get(this.key(task.id ?? taskLabel(task), host));
    if (p) p.note = `${host}: ${text}`;
  }

  /**
   * closeOpen settles the hosts of a meta task that will not report: a meta task that runs
   * emits no result, and the executor only starts something else once it is done.
   */
  private closeOpen(): void {
    if (!this.open?.meta) return;
    for (const { h, d } of this.open.hosts) {
      if (d.settled !== undefined) continue;
      this.pending.delete(this.key(this.open.id, h));
      d.resolve(null);
    }
    this.open = undefined;
  }

  private taskStart(e: Extract<ExecEvent, { type: 'task-start' }>): void {
    const id = e.task.id ?? taskLabel(e.task);
    const meta = e.task.module === 'meta';
    const added = e.hosts.map((h) => {
      const d = deferred();
      this.pending.set(this.key(id, h), d);
      return { h, d };
    });
    // Ansible announces a meta task once per host: here it is one task with all of them
    if (meta && this.open?.id === id) {
      this.open.hosts.push(...added);
      return;
    }
    this.closeOpen();
    const hosts = added;
    this.open = { id, meta, hosts };
    if (!e.task.handler) this.play.seen.add(id);
    const place: Place = { play: this.play.name, task: this.play.seen.size, ...(this.play.tasks !== undefined ? { tasks: this.play.tasks } : {}) };
    const title = `${e.task.handler ? 'RUNNING HANDLER' : 'TASK'} [${taskLabel(e.task)}]`;
    this.then(async () => {
      // a task whose hosts all reported while earlier tasks were drawn needs no live view
      if (!hosts.every(({ d }) => d.settled)) await this.drawLive(title, place, hosts);
      const results = hosts.map(({ d }) => d.settled).filter((r): r is HostResult => r !== undefined && r !== null);
      for (const l of taskSummary(title, results, { diff: this.o.diff, width: this.width, colour: this.colour })) this.write(l);
    });
  }

  /** drawLive shows the header and the running task until every host has reported, then clears them. */
  private async drawLive(title: string, place: Place, hosts: readonly { h: string; d: Pending }[]): Promise<void> {
    // listr2 is loaded on first use: plain and json runs (CI, scripts) never pay for it
    const { Listr } = await import('listr2');
    const header = (): string => progressHeader({ ...place, hostsDone: hosts.filter(({ d }) => d.settled).length, hosts: hosts.length, elapsedMs: Date.now() - this.started });
    const waiting = (): string => {
      const left = hosts.filter(({ d }) => !d.settled);
      const note = left.map(({ d }) => d.note).findLast((n) => n !== undefined);
      return `waiting for ${hostRanges(left.map(({ h }) => h)).join(', ')}${note ? ` · ${note}` : ''}`;
    };
    let top: Wrapper | undefined;
    let task: Wrapper | undefined;
    const refresh = (): void => {
      if (top) top.title = header();
      if (task) task.output = waiting();
    };
    const timer = setInterval(refresh, 250);
    timer.unref();
    const list = new Listr(
      [
        {
          title: header(),
          task: (_c, t) => {
            top = t;
            return t.newListr([
              {
                title,
                task: async (_c2: unknown, tw: Wrapper): Promise<void> => {
                  task = tw;
                  refresh();
                  await Promise.all(hosts.map(({ d }) => d.promise.then(refresh)));
                },
              },
            ]);
          },
        },
      ],
      {
        renderer: this.o.renderer ?? 'default',
        // piped with --output tty: the finished tasks' lines alone, no live area
        fallbackRenderer: 'silent',
        exitOnError: false,
        // listr2 would end the process on Ctrl-C (exit 127); tsplay's own handler lets running
        // tasks finish and prints the recap
        registerSignalListeners: false,
        rendererOptions: { clearOutput: true, formatOutput: 'truncate', collapseSubtasks: false } as never,
      },
    );
    try {
      await list.run();
    } catch {
      // a host's failure is in its result; the live area has nothing to add
    } finally {
      clearInterval(timer);
    }
  }

  /** flushPending settles hosts a task-start announced but that never reported (run interrupted): they are not counted. */
  private flushPending(): void {
    for (const p of this.pending.values()) p.resolve(null);
    this.pending.clear();
  }

  /** close waits until everything queued has been drawn. */
  async close(): Promise<void> {
    this.open = undefined;
    this.flushPending();
    await this.chain;
  }
}
