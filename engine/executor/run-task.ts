import type { Vars } from '../inventory/types.ts';
import type { Task } from '../loader/types.ts';
import { evalCondition, renderValue } from '../template/index.ts';
import { attempts } from './attempts.ts';
import type { HostStatus, TaskRef } from './events.ts';
import { taskVars } from './host-vars.ts';
import { runLoop, whenHolds } from './loop.ts';
import { connVars, readAhead, taskModule } from './module-call.ts';
import { claimTaskReadAhead, offerReadAhead, offerTaskReadAhead } from './read-ahead.ts';
import { getModule } from '../modules/registry.ts';
import { taskRef } from './task-ref.ts';
import { censorResult } from './no-log.ts';
import { report } from './report.ts';
import { type HostState, hostActive, type PlayCtx, type Scope } from './run-context.ts';
import { type Delegate, type TaskCtx, type TaskSettings, tagsSelected, taskSettings } from './task-settings.ts';
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

/** taskCtx is a task's context on one host before its delegate is known. */
function taskCtx(pc: PlayCtx, task: Task, scope: Scope, ref: TaskRef, host: HostState, settings: TaskSettings): TaskCtx {
  return { pc, task, scope, ref, host, settings, site: { pos: task.pos, task: settings.label, host: host.name }, delegate: undefined };
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
  let tc = taskCtx(pc, task, scope, ref, host, settings);
  let vars: Vars = {};
  let result: TaskResult;
  let looped = false;
  // this run takes the read sent while the task before ran, if any (used only for the same call)
  const early = claimTaskReadAhead(task, host.name);
  try {
    vars = taskVars(pc, host, { ...scope, role: settings.role }, task);
    if (early && !task.loop) offerReadAhead(vars, early.key, early.ahead);
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

// per host: whether its last task changed something
const changedLast = new WeakMap<HostState, boolean>();

/** noteChanged records whether the host's task that just ended changed something. */
export function noteChanged(host: HostState, changed: boolean): void {
  changedLast.set(host, changed);
}

/**
 * quietBefore tells whether the next task's read may be sent while `task` runs on `host`: the
 * host's last task changed nothing (a first run's host changes task after task, and each change
 * would throw the early read away), and `task` itself is not expected to write: a controller-side
 * module or one whose read only looks (a command counts as a write, whatever it does).
 */
export function quietBefore(task: Task, host: HostState): boolean {
  if (changedLast.get(host) === true) return false;
  const mod = getModule(task.module);
  return mod !== undefined && (mod.local === true || mod.readAhead === true);
}

/**
 * readTaskAhead sends, on `host`'s open connection, the read `task` (the next task of the list)
 * will make, and keeps it for that task's run there (read-ahead.ts). Only for a plain task that
 * will most likely make that call: selected, no loop, retries, run_once or delegate, its `when`
 * true now, a module whose read has no effect and does not render the vars. Quiet: any problem
 * is the task's own to report in its turn.
 */
export async function readTaskAhead(pc: PlayCtx, task: Task, scope: Scope, host: HostState): Promise<void> {
  const run = pc.run;
  if (task.loop || (task.until && task.until.length > 0) || (task.runOnce ?? scope.runOnce) || !hostActive(host) || !run.pool.has(host.name)) return;
  // --start-at-task still looking: which task starts is decided in its turn
  if (!run.startAtDone || scope.handler) return;
  if (!tagsSelected(pc, task, scope)) return;
  try {
    const settings = taskSettings(task, scope, run.opts);
    if (settings.delegateTo !== undefined) return;
    const tc = taskCtx(pc, task, scope, taskRef(task, scope.handler), host, settings);
    const mod = taskModule(tc);
    if (mod.readRendersVars) return;
    const vars = taskVars(pc, host, { ...scope, role: settings.role }, task);
    if (!whenHolds(tc, vars)) return;
    await readAhead(tc, mod, vars, (e) => offerTaskReadAhead(task, host.name, e));
  } catch {
    // the task meets the same problem in its turn and reports it there
  }
}
