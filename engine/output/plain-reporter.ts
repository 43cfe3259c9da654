import type { ExecEvent, HostStatus, TaskRef } from '../executor/events.ts';
import { banner } from './banner.ts';
import { pyJson } from '../py/json.ts';
import { pyStr } from '../py/repr.ts';
import { formatRecap } from './recap.ts';
import { renderChanges } from './render-diff.ts';
import { isDebug, isVerboseAlways, taskLabel } from './task-label.ts';

/** PlainOptions tune the plain reporter; `write` receives whole lines (tests collect them). */
export interface PlainOptions {
  readonly verbosity: number;
  readonly diff: boolean;
  readonly write: (line: string) => void;
}

/** ResultEvent is a host's or a loop item's result. */
export type ResultEvent = Extract<ExecEvent, { type: 'host-result' | 'item-result' }>;

function hostTag(e: ResultEvent): string {
  return e.delegatedTo !== undefined ? `[${e.host} -> ${e.delegatedHost ?? e.delegatedTo}]` : `[${e.host}]`;
}

/** pending is tsplay's mark on a result line whose changes take effect only at the next start. */
function pending(e: ResultEvent): string {
  return e.pendingRestart === true ? ' (pending restart)' : '';
}

const DEBUG_ALLOWED = new Set(['msg', 'exception', 'warnings', 'deprecations']);
const DEBUG_HIDDEN = ['changed', 'failed', 'skipped', 'invocation', 'skip_reason'];

/** resultOf is Ansible's _clean_results + _dump_results: internal keys and what debug should not show go away. */
export function resultOf(e: ResultEvent): Record<string, unknown> {
  const r: Record<string, unknown> = e.result ? { ...e.result } : { changed: e.status === 'changed', ...(e.msg !== undefined ? { msg: e.msg } : {}) };
  // TaskResult.clean_copy drops failed/skipped; _dump_results drops internals, invocation and diff
  for (const k of Object.keys(r)) {
    if (k.startsWith('_ansible_') || k === 'invocation' || k === 'diff' || k === 'failed' || k === 'skipped' || k === 'exception') delete r[k];
  }
  if (isDebug(e.task) && (e.status === 'ok' || e.status === 'changed')) {
    if ('msg' in r) {
      for (const k of Object.keys(r)) if (!DEBUG_ALLOWED.has(k)) delete r[k];
    } else {
      for (const k of DEBUG_HIDDEN) delete r[k];
    }
  }
  return r;
}

const FAILED: ReadonlySet<HostStatus> = new Set(['failed', 'ignored', 'rescued']);

/**
 * PlainReporter prints events as ansible-playbook's default callback does with colours off,
 * so logs read the same and tools that scrape Ansible output keep working.
 */
export class PlainReporter {
  private readonly o: PlainOptions;
  constructor(o: PlainOptions) {
    this.o = o;
  }

  private line(s: string): void {
    this.o.write(s);
  }

  /** dump is Ansible's _dump_results: indented for debug/assert or at -vvv, one line otherwise. */
  private dump(e: ResultEvent): string {
    return pyJson(resultOf(e), { sortKeys: true, indent: isVerboseAlways(e.task) || this.o.verbosity > 2 ? 4 : undefined });
  }

  private showResult(task: TaskRef): boolean {
    return this.o.verbosity > 0 || isVerboseAlways(task);
  }

  private diffLines(e: ResultEvent): void {
    const show = ('showDiff' in e ? e.showDiff : undefined) ?? this.o.diff;
    if (!show || e.changes.length === 0) return;
    for (const l of renderChanges(e.changes)) this.line(l);
  }

  /** onEvent renders one event as zero or more lines. */
  onEvent(e: ExecEvent): void {
    switch (e.type) {
      case 'playbook-start':
        return;
      case 'play-start':
        this.line('');
        this.line(banner(`PLAY [${e.name}]`));
        return;
      case 'task-start':
        this.line('');
        this.line(banner(`${e.task.handler ? 'RUNNING HANDLER' : 'TASK'} [${taskLabel(e.task)}]`));
        return;
      case 'included':
        this.line(`included: ${e.file} for ${e.hosts.join(', ')}${'item' in e ? ` => (item=${pyStr(e.item)})` : ''}`);
        return;
      case 'retry':
        this.line(`FAILED - RETRYING: [${e.host}]: ${taskLabel(e.task)} (${e.retriesLeft} retries left).`);
        return;
      case 'item-result':
        return this.item(e);
      case 'host-result':
        return this.host(e);
      case 'warning':
        this.line(`[WARNING]: ${e.host ? `[${e.host}]: ` : ''}${e.message}`);
        return;
      case 'debug':
        this.line(`<${e.host ?? 'tsplay'}> ${e.message}`);
        return;
      case 'no-hosts-matched':
        this.line('skipping: no hosts matched');
        return;
      case 'no-hosts-left':
        this.line('');
        this.line(banner('NO MORE HOSTS LEFT'));
        return;
      case 'interrupted':
        this.line('');
        this.line('[ERROR]: User interrupted execution');
        return;
      case 'recap':
        this.line('');
        this.line(banner('PLAY RECAP'));
        for (const l of formatRecap(e.stats)) this.line(l);
        this.line('');
        return;
    }
  }

  private item(e: Extract<ExecEvent, { type: 'item-result' }>): void {
    const label = pyStr(e.item);
    if (e.status === 'skipped') {
      this.line(`skipping: ${hostTag(e)} => (item=${label}) `);
      return;
    }
    this.diffLines(e);
    if (FAILED.has(e.status)) {
      this.line(`failed: ${hostTag(e)} (item=${label}) => ${this.dump(e)}`);
      return;
    }
    if (e.status === 'unreachable') {
      this.line(`fatal: ${hostTag(e)}: UNREACHABLE! => ${this.dump(e)}`);
      return;
    }
    const head = `${e.status === 'changed' ? 'changed' : 'ok'}: ${hostTag(e)} => (item=${label})${pending(e)}`;
    this.line(this.showResult(e.task) ? `${head} => ${this.dump(e)}` : head);
  }

  private host(e: Extract<ExecEvent, { type: 'host-result' }>): void {
    if (e.looped) {
      // items were shown one by one; Ansible adds only the all-skipped line and the ignore marker
      if (e.status === 'skipped') this.line(`skipping: ${hostTag(e)}`);
      if (e.status === 'ignored') this.line('...ignoring');
      return;
    }
    switch (e.status) {
      case 'skipped':
        this.line(this.o.verbosity > 0 ? `skipping: ${hostTag(e)} => ${this.dump(e)}` : `skipping: ${hostTag(e)}`);
        return;
      case 'unreachable':
        this.line(`fatal: ${hostTag(e)}: UNREACHABLE! => ${this.dump(e)}`);
        return;
      case 'failed':
      case 'rescued':
      case 'ignored':
        this.diffLines(e);
        this.line(`fatal: ${hostTag(e)}: FAILED! => ${this.dump(e)}`);
        if (e.status === 'ignored') this.line('...ignoring');
        return;
      case 'ok':
      case 'changed': {
        this.diffLines(e);
        const head = `${e.status}: ${hostTag(e)}${pending(e)}`;
        this.line(this.showResult(e.task) ? `${head} => ${this.dump(e)}` : head);
        return;
      }
    }
  }
}
