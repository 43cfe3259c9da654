import type { Vars } from '../inventory/types.ts';
import type { Task } from '../loader/types.ts';
import { evalCondition, renderValue } from '../template/index.ts';
import { attempts } from './attempts.ts';
import type { HostStatus, TaskRef } from './events.ts';
import { taskVars } from './host-vars.ts';
import { runLoop } from './loop.ts';
import { connVars } from './module-call.ts';
import { censorResult } from './no-log.ts';
import { report } from './report.ts';
import type { HostState, PlayCtx, Scope } from './run-context.ts';
import type { Delegate, TaskCtx, TaskSettings } from './task-settings.ts';
import { conditionSkipped, errorResult, hostStatus, toAnsible, type TaskResult } from './task-result.ts';

/** TaskOutcome is how a task ended on one host: the typed result and the dict `register` stored. */
export interface TaskOutcome {
  readonly status: HostStatus;
  readonly result: TaskResult;
  readonly registered: Record<string, unknown>;
  /** the host failed or became unreachable (not ignored, not rescued): any_errors_fatal counts these */
  readonly hostLost: boolean;
}

/** delegateOf templates delegate_to for this host, with the delegate's ansible_host for the output. */
function delegateOf(tc: TaskCtx, vars: Vars): Delegate | undefined {
  const d = tc.settings.delegateTo;
  if (d === undefined) return undefined;
  const to = String(renderValue(d, vars, tc.site));
  return { to, host: String(renderValue(connVars(tc, to, vars)['ansible_host'] ?? to, vars, tc.site)) };
}

/** runSingle runs a task without a loop: its `when` (naming the first false condition), then the module. */
async function runSingle(tc: TaskCtx, vars: Vars): Promise<TaskResult> {
  const conds = tc.settings.when;
  if (conds.length > 0 && !evalCondition(conds, vars, tc.site)) {
    const last = conds.find((c) => {
      try {
        return !evalCondition([c], vars, tc.site);
      } catch {
        return true;
      }
    });
    return conditionSkipped(last?.source);
  }
  return attempts(tc, vars);
}

/** notify queues the task's handlers for the host; a name no handler answers is a warning. */
function notify(tc: TaskCtx, vars: Vars): void {
  const names = tc.task.notify.map((n) => String(renderValue(n, vars, tc.site)));
  for (const u of tc.pc.handlers.notify(tc.host.name, names)) {
    tc.pc.run.emit({ type: 'warning', host: tc.host.name, message: `notify names "${u}", which matches no handler or listen topic in this play` });
  }
}

/** runTaskOnHost runs one task on one host (loop, when, until, the module), registers and reports the result. */
export async function runTaskOnHost(pc: PlayCtx, task: Task, scope: Scope, ref: TaskRef, host: HostState, settings: TaskSettings): Promise<TaskOutcome> {
  const t0 = performance.now();
  let tc: TaskCtx = { pc, task, scope, ref, host, settings, site: { pos: task.pos, task: settings.label, host: host.name }, delegate: undefined };
  let vars: Vars = {};
  let result: TaskResult;
  let looped = false;
  try {
    vars = taskVars(pc, host, { ...scope, role: settings.role }, task);
    tc = { ...tc, delegate: delegateOf(tc, vars) };
    if (task.loop) ({ result, looped } = await runLoop(tc, vars));
    else result = await runSingle(tc, vars);
  } catch (e) {
    vars = {};
    result = errorResult(e);
  }
  const status = hostStatus(result, settings.ignoreErrors, scope.rescuable);
  const registered = toAnsible(result);
  const ignoredUnreachable = status === 'unreachable' && settings.ignoreUnreachable;
  if (task.register) host.dynVars[task.register] = registered;
  // ignore_unreachable: the host stays in the play, so its next task must try a fresh connection
  if (ignoredUnreachable) void pc.run.pool.drop(tc.delegate?.to ?? host.name);
  if (result.changed && status !== 'failed' && status !== 'rescued' && task.notify.length > 0) notify(tc, vars);
  report(pc, host, ref, {
    status,
    result: settings.noLog ? censorResult(registered) : registered,
    registered,
    changed: result.changed,
    changes: settings.noLog || status === 'skipped' ? [] : result.changes,
    durationMs: Math.round(performance.now() - t0),
    ...(tc.delegate ? { delegatedTo: tc.delegate.to, delegatedHost: tc.delegate.host } : {}),
    showDiff: settings.showDiff,
    looped,
    ignored: ignoredUnreachable,
  });
  return { status, result, registered, hostLost: status === 'failed' || (status === 'unreachable' && !ignoredUnreachable) };
}
