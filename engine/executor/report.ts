import type { Change } from '../modules/types.ts';
import type { HostStatus, TaskRef } from './events.ts';
import type { HostState, PlayCtx } from './run-context.ts';
import { countResult } from './stats.ts';

/** HostReport is how a task (or include, or meta) ended on one host, as the host-result event tells it. */
export interface HostReport {
  readonly status: HostStatus;
  /** the registered-style result, no_log already applied; its `msg` becomes the event's */
  readonly result?: Record<string, unknown>;
  /** the uncensored result a rescue sees as ansible_failed_result (defaults to `result`) */
  readonly registered?: Record<string, unknown>;
  readonly changed?: boolean;
  readonly changes?: readonly Change[];
  readonly durationMs?: number;
  readonly delegatedTo?: string;
  readonly delegatedHost?: string;
  readonly showDiff?: boolean;
  readonly looped?: boolean;
  /** an unreachable host whose task says ignore_unreachable: counted as skipped, the host stays */
  readonly ignored?: boolean;
}

/**
 * report is the one place a host's result is counted and emitted: it updates the PLAY RECAP
 * counters and the host's failed/unreachable state, then emits the host-result event.
 * `counted: false` is for what Ansible shows but never counts (a meta task skipped by `when`).
 */
export function report(pc: PlayCtx, host: HostState, task: TaskRef, r: HostReport, counted = true): void {
  const ignored = r.ignored === true;
  if (counted) countResult(host.stats, r.status, r.changed === true, ignored);
  // read from the uncensored dict: no_log hides the changes, not that a restart is pending
  const pending = (r.registered ?? r.result)?.['pending_restart'] === true;
  if (counted && pending && r.changed === true && (r.status === 'changed' || r.status === 'ignored')) host.stats.pendingRestart = (host.stats.pendingRestart ?? 0) + 1;
  if (r.status === 'failed' || r.status === 'rescued') {
    host.failed = true;
    host.lastFailure = { task, result: r.registered ?? r.result ?? {} };
  }
  if (r.status === 'unreachable' && !ignored) host.unreachable = true;
  const msg = r.result?.['msg'];
  pc.run.emit({
    type: 'host-result',
    task,
    host: host.name,
    status: r.status,
    changes: r.changes ?? [],
    ...(typeof msg === 'string' ? { msg } : {}),
    ...(r.result !== undefined ? { result: r.result } : {}),
    durationMs: r.durationMs ?? 0,
    ...(r.delegatedTo !== undefined ? { delegatedTo: r.delegatedTo, delegatedHost: r.delegatedHost ?? r.delegatedTo } : {}),
    ...(r.showDiff !== undefined ? { showDiff: r.showDiff } : {}),
    ...(r.looped ? { looped: true } : {}),
    ...(ignored ? { ignored: true } : {}),
    ...(pending ? { pendingRestart: true } : {}),
  });
}
