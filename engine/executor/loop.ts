import { TsplayError } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import type { LoopSpec } from '../loader/types.ts';
import type { Change } from '../modules/types.ts';
import type { ModuleDef } from '../modules/types.ts';
import { evalCondition, renderValue, type TemplateSite } from '../template/index.ts';
import { attempts } from './attempts.ts';
import { readAhead, taskModule } from './module-call.ts';
import { censorResult } from './no-log.ts';
import type { TaskCtx } from './task-settings.ts';
import { conditionSkipped, errorResult, hostStatus, toAnsible, type TaskResult } from './task-result.ts';

/** loopVarsOf are the variables one loop item binds: the item, ansible_loop_var, the index var. */
function loopVarsOf(loop: LoopSpec, item: unknown, i: number): Vars {
  return { [loop.loopVar]: item, ansible_loop_var: loop.loopVar, ...(loop.indexVar ? { [loop.indexVar]: i, ansible_index_var: loop.indexVar } : {}) };
}

/** itemVarsOf are the vars one loop item runs with: the task's, its loop variables and ansible_loop. */
function itemVarsOf(loop: LoopSpec, vars: Vars, items: readonly unknown[], i: number): Vars {
  const n = items.length;
  return {
    ...vars,
    ...loopVarsOf(loop, items[i], i),
    ansible_loop: { index: i + 1, index0: i, first: i === 0, last: i === n - 1, length: n, revindex: n - i, revindex0: n - i - 1 },
  };
}

/** runItem runs one loop item (its own `when`, then the module) and reports it as an item-result. */
async function runItem(tc: TaskCtx, loop: LoopSpec, itemVars: Vars, items: readonly unknown[], i: number): Promise<TaskResult> {
  const item = items[i];
  let r: TaskResult;
  let label: unknown = item;
  try {
    if (loop.label !== undefined) label = renderValue(loop.label, itemVars, tc.site);
    r = evalCondition(tc.settings.when, itemVars, tc.site) ? await attempts(tc, itemVars) : conditionSkipped();
  } catch (e) {
    r = errorResult(e);
  }
  r = { ...r, loopVars: loopVarsOf(loop, item, i), ...(loop.label !== undefined ? { label: { value: label } } : {}) };
  const { noLog, showDiff } = tc.settings;
  const status = hostStatus(r, tc.settings.ignoreErrors, tc.scope.rescuable);
  const shown = toAnsible(r);
  tc.pc.run.emit({
    type: 'item-result',
    task: tc.ref,
    host: tc.host.name,
    status,
    item: noLog ? null : label,
    changes: noLog || status === 'skipped' ? [] : r.changes,
    ...(!noLog && typeof shown['msg'] === 'string' ? { msg: shown['msg'] } : {}),
    result: noLog ? censorResult(shown) : shown,
    ...(tc.delegate ? { delegatedTo: tc.delegate.to, delegatedHost: tc.delegate.host } : {}),
    showDiff,
    ...(shown['pending_restart'] === true ? { pendingRestart: true } : {}),
  });
  return r;
}

/** READ_AHEAD_ITEMS bounds the reads sent early: what a change by the next item would waste. */
const READ_AHEAD_ITEMS = 8;

/** readAheadModule is the task's module when its items' reads may be sent early: a read without effects, on the host's own connection, no retries. */
function readAheadModule(tc: TaskCtx): ModuleDef | undefined {
  if (tc.delegate || (tc.task.until && tc.task.until.length > 0)) return undefined;
  try {
    const mod = taskModule(tc);
    return mod.readAhead === true && !mod.local ? mod : undefined;
  } catch {
    return undefined; // the item reports it
  }
}

/** whenHolds is the `when` of an item's (or the next task's) read-ahead: false when it is false or cannot be evaluated (the call says why in its turn). */
export function whenHolds(tc: TaskCtx, vars: Vars): boolean {
  try {
    return evalCondition(tc.settings.when, vars, tc.site);
  } catch {
    return false;
  }
}

/** loopMsg is Ansible's message for a loop's aggregate result. */
function loopMsg(count: number, anyFailed: boolean, allSkipped: boolean): string {
  if (count === 0) return 'No items in the list';
  return anyFailed ? 'One or more items failed' : allSkipped ? 'All items skipped' : 'All items completed';
}

/**
 * loopItems renders a loop's list, or answers 'skip' where Ansible skips the host instead: the
 * list names an undefined variable and the task's `when`, evaluated without an item, is false
 * (TaskExecutor keeps the loop's error until the condition has had its say).
 */
export function loopItems(loop: LoopSpec, when: TaskCtx['settings']['when'], vars: Vars, site: TemplateSite): unknown[] | 'skip' {
  let raw: unknown;
  try {
    raw = renderValue(loop.items, vars, { ...site, pos: loop.pos });
  } catch (e) {
    if (e instanceof TsplayError && e.code === 'E_UNDEFINED_VAR' && when.length > 0 && !evalCondition(when, vars, site)) return 'skip';
    throw e;
  }
  if (!Array.isArray(raw)) {
    throw new TsplayError({ code: 'E_LOOP', message: `loop must be a list, got ${raw === null ? 'null' : typeof raw}`, pos: loop.pos, task: site.task, host: site.host });
  }
  return raw;
}

/** runLoop runs a task's items one after another and aggregates them as Ansible's `results` list. */
export async function runLoop(tc: TaskCtx, vars: Vars): Promise<{ result: TaskResult; looped: boolean }> {
  const loop = tc.task.loop!;
  const raw = loopItems(loop, tc.settings.when, vars, tc.site);
  if (raw === 'skip') return { result: conditionSkipped(), looped: false };
  const results: TaskResult[] = [];
  const itemVars = raw.map((_, i) => itemVarsOf(loop, vars, raw, i));
  const ahead = readAheadModule(tc);
  // items below this index have had their read sent early (or were passed over)
  let aheadTo = 1;
  for (let i = 0; i < raw.length; i++) {
    const r = await runItem(tc, loop, itemVars[i] as Vars, raw, i);
    results.push(r);
    // an unreachable host cannot do the remaining items
    if (r.unreachable === true || tc.pc.run.signal?.aborted) break;
    // after an item that changed nothing, keep the next items' reads in flight (read-ahead.ts)
    if (ahead && r.changed !== true && r.failed !== true) {
      for (; aheadTo < Math.min(raw.length, i + 1 + READ_AHEAD_ITEMS); aheadTo++) {
        const v = itemVars[aheadTo] as Vars;
        if (aheadTo > i && whenHolds(tc, v)) void readAhead(tc, ahead, v);
      }
    }
  }
  const anyFailed = results.some((r) => r.failed === true);
  const allSkipped = results.every((r) => r.skipped === true);
  const changes: Change[] = results.filter((r) => r.changed).flatMap((r) => r.changes);
  const result: TaskResult = {
    changed: results.some((r) => r.changed),
    msg: loopMsg(raw.length, anyFailed, allSkipped),
    values: {},
    items: results,
    changes,
    ...(anyFailed ? { failed: true } : {}),
    ...(results.some((r) => r.unreachable === true) ? { unreachable: true } : {}),
    ...(allSkipped ? { skipped: true, ...(raw.length === 0 ? { skipReason: 'No items in the list' } : {}) } : {}),
  };
  return { result, looped: raw.length > 0 };
}
