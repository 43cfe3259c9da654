import type { ListrTaskWrapper } from 'listr2';

// listr2's wrapper is generic over the renderer classes it was built with; any renderer will do here
// biome-ignore lint/suspicious/noExplicitAny: listr2 types its renderer parameters as classes we never name
type HostWrapper = ListrTaskWrapper<unknown, any, any>;
import type { ExecEvent, TaskRef } from '../executor/events.ts';
import { banner } from './banner.ts';
import { pyStr } from '../py/repr.ts';
import { formatRecap } from './recap.ts';
import { renderChanges } from './render-diff.ts';
import { taskLabel } from './task-label.ts';

interface Pending {
  /** the result, once it arrived */
  settled?: Extract<ExecEvent, { type: 'host-result' }>;
  resolve: (e: Extract<ExecEvent, { type: 'host-result' }>) => void;
  promise: Promise<Extract<ExecEvent, { type: 'host-result' }>>;
  wrapper?: HostWrapper;
}

function deferred(): Pending {
  let settle!: Pending['resolve'];
  const promise = new Promise<Extract<ExecEvent, { type: 'host-result' }>>((r) => (settle = r));
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
      return `included: ${e.file} for ${e.hosts.join(', ')}`;
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

/** TtyOptions tune the live tree; `renderer` is 'default' on a terminal ('simple' in tests). */
export interface TtyOptions {
  readonly verbosity: number;
  readonly diff: boolean;
  readonly renderer?: 'default' | 'simple';
  readonly write?: (line: string) => void;
}

/**
 * TtyReporter draws a live listr2 tree: each play's banner, then each task with one spinner per
 * host that turns into ok/changed/failed as results arrive. Tasks render one after another, which
 * matches the linear strategy; with `free` a later task waits for the earlier one's hosts on screen.
 */
export class TtyReporter {
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Map<string, Pending>();
  private readonly o: TtyOptions;
  private readonly write: (line: string) => void;

  constructor(o: TtyOptions) {
    this.o = o;
    this.write = o.write ?? ((l: string): void => void process.stdout.write(`${l}\n`));
  }

  private key(taskId: string, host: string): string {
    return `${taskId}\u0000${host}`;
  }

  private then(step: () => Promise<void> | void): void {
    this.chain = this.chain.then(step).catch(() => undefined);
  }

  /** onEvent feeds one event into the tree. */
  onEvent(e: ExecEvent): void {
    switch (e.type) {
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
        this.flushPending();
        this.then(() => this.write([`\n${banner('PLAY RECAP')}`, ...formatRecap(e.stats), ''].join('\n')));
        return;
      default: {
        const line = lineFor(e);
        if (line !== undefined) this.then(() => this.write(line));
      }
    }
  }

  /** progress shows a host's latest item or retry under its spinner. */
  private progress(task: TaskRef, host: string, text: string): void {
    const p = this.pending.get(this.key(task.id ?? taskLabel(task), host));
    if (p?.wrapper) p.wrapper.output = text;
  }

  private taskStart(e: Extract<ExecEvent, { type: 'task-start' }>): void {
    const id = e.task.id ?? taskLabel(e.task);
    const hosts = e.hosts.map((h) => {
      const d = deferred();
      this.pending.set(this.key(id, h), d);
      return { h, d };
    });
    const title = `${e.task.handler ? 'RUNNING HANDLER' : 'TASK'} [${taskLabel(e.task)}]`;
    this.then(async () => {
      // a task whose hosts all reported while earlier tasks were drawn needs no spinner:
      // print its final state at once, so the tree never lags far behind the run
      if (hosts.every(({ d }) => d.settled)) {
        this.write(`✔ ${title}`);
        for (const { h, d } of hosts) this.write(`  ${this.summary(h, d.settled!)}`);
        return;
      }
      await this.drawTask(title, hosts);
    });
  }

  /** drawTask draws one task with a spinner per host until every host has reported. */
  private async drawTask(title: string, hosts: readonly { h: string; d: Pending }[]): Promise<void> {
    // listr2 is loaded on first use: plain and json runs (CI, scripts) never pay for it
    const { Listr } = await import('listr2');
    const list = new Listr(
      [
        {
          title,
          task: (_c, t) =>
            t.newListr(
              hosts.map(({ h, d }) => ({ title: h, task: (_c2: unknown, ht: HostWrapper) => this.hostRow(h, d, ht) })),
              { concurrent: true, exitOnError: false },
            ),
        },
      ],
      {
        renderer: this.o.renderer ?? 'default',
        fallbackRenderer: 'simple',
        exitOnError: false,
        rendererOptions: { collapseSubtasks: false, persistentOutput: true } as never,
      },
    );
    await list.run().catch(() => undefined);
  }

  /** hostRow is one host's row: a spinner until its result, then ok/changed/skipped/failed. */
  private async hostRow(h: string, d: Pending, ht: HostWrapper): Promise<void> {
    d.wrapper = ht;
    const r = await d.promise;
    const tag = r.delegatedTo ? `${h} -> ${r.delegatedTo}` : h;
    if (r.status === 'skipped') ht.skip(`skipping: ${tag}`);
    else if (r.status === 'failed' || r.status === 'unreachable') {
      ht.title = `${r.status === 'failed' ? 'failed' : 'unreachable'}: ${tag}${r.msg ? ` — ${r.msg}` : ''}`;
      throw new Error(ht.title);
    } else ht.title = `${r.status}: ${tag}${r.pendingRestart === true ? ' (pending restart)' : ''}`;
    const showDiff = r.showDiff ?? this.o.diff;
    if (showDiff && r.changes.length > 0) ht.output = renderChanges(r.changes).join('\n');
  }

  private summary(h: string, r: Extract<ExecEvent, { type: 'host-result' }>): string {
    const tag = r.delegatedTo ? `${h} -> ${r.delegatedTo}` : h;
    const mark = r.status === 'failed' || r.status === 'unreachable' ? '✖' : r.status === 'skipped' ? '↓' : '✔';
    const pending = r.pendingRestart === true ? ' (pending restart)' : '';
    const lines = [`${mark} ${r.status === 'skipped' ? 'skipping' : r.status}: ${tag}${pending}${(r.status === 'failed' || r.status === 'unreachable') && r.msg ? ` — ${r.msg}` : ''}`];
    if ((r.showDiff ?? this.o.diff) && r.changes.length > 0) lines.push(...renderChanges(r.changes).map((l) => `    ${l}`));
    return lines.join('\n');
  }

  /** flushPending settles hosts a task-start announced but that never reported (run interrupted). */
  private flushPending(): void {
    for (const [k, p] of this.pending) {
      const host = k.split('\u0000')[1] ?? '';
      p.resolve({ type: 'host-result', task: { name: '', module: '', pos: { file: '', line: 0, col: 0 } }, host, status: 'skipped', changes: [], durationMs: 0 });
    }
    this.pending.clear();
  }

  /** close waits until everything queued has been drawn. */
  async close(): Promise<void> {
    this.flushPending();
    await this.chain;
  }
}
