import type { Vars } from '../inventory/types.ts';
import type { Block, Include, Task, TaskNode } from '../loader/types.ts';
import { evalCondition } from '../template/index.ts';
import { taskVars } from './host-vars.ts';
import { hostActive, type HostState, type PlayCtx, type Scope } from './run-context.ts';
import { hasTaskReadAhead } from './read-ahead.ts';
import { noteChanged, quietBefore, readTaskAhead, runTaskOnHost, type TaskOutcome } from './run-task.ts';
import { startsAt } from '../loader/start-at.ts';
import { taskLabel, taskRef } from './task-ref.ts';
import { mergeHostParams, walkInclude } from './walk-include.ts';
import { getModule } from '../modules/registry.ts';
import { report } from './report.ts';
import { storeFacts } from './attempts.ts';
import { tagsSelected, taskSettings } from './task-settings.ts';
import { setImmediate as nextTurn } from 'node:timers/promises';

function aborted(pc: PlayCtx): boolean {
  return pc.run.signal?.aborted === true;
}

/**
 * mayGoOn lets the event loop turn before a task, then tells whether the run may start it. Why
 * the turn: debug, set_fact and include expansion never wait on I/O, so without it a long stretch
 * of them runs in one go and a SIGINT/SIGTERM handler (the abort) only runs after it.
 */
async function mayGoOn(pc: PlayCtx): Promise<boolean> {
  await nextTurn();
  return !pc.stop && !aborted(pc);
}

/** childScope folds a block's (or include's) keywords into what its tasks inherit. */
export function childScope(scope: Scope, node: Block | Include, rescuable: boolean): Scope {
  return {
    ...scope,
    when: [...scope.when, ...node.when],
    tags: [...scope.tags, ...node.tags],
    vars: { ...scope.vars, ...node.vars },
    environment: { ...scope.environment, ...(node.environment ?? {}) },
    become: node.become ?? scope.become,
    becomeUser: node.becomeUser ?? scope.becomeUser,
    ignoreErrors: node.ignoreErrors ?? scope.ignoreErrors,
    ignoreUnreachable: node.ignoreUnreachable ?? scope.ignoreUnreachable,
    delegateTo: node.delegateTo ?? scope.delegateTo,
    runOnce: node.runOnce ?? scope.runOnce,
    noLog: node.noLog ?? scope.noLog,
    checkMode: node.checkMode ?? scope.checkMode,
    diff: node.diff ?? scope.diff,
    role: node.role ?? scope.role,
    rescuable,
  };
}

/** selected applies --tags/--skip-tags and --start-at-task; unselected tasks leave no trace in the output. */
function selected(pc: PlayCtx, task: Task, scope: Scope): boolean {
  const run = pc.run;
  if (!scope.handler) {
    if (!tagsSelected(pc, task, scope)) return false;
    // facts are gathered even before the --start-at-task task, as Ansible does
    if (!run.startAtDone && getModule(task.module)?.route !== 'facts') {
      const want = run.opts.startAtTask;
      if (want !== undefined && !startsAt({ name: task.name, role: task.role ?? scope.role }, want)) return false;
      run.startAtDone = true;
    }
  }
  return true;
}

/**
 * runTask runs one task on the given hosts: in parallel through the run's p-queue (bounded by
 * --forks), or on the first host only for run_once (its result then counts for every host).
 * After it, any_errors_fatal and max_fail_percentage may stop the play.
 */
export async function runTask(pc: PlayCtx, task: Task, hosts: readonly HostState[], scope: Scope, next?: Task): Promise<void> {
  if (!selected(pc, task, scope)) return;
  const active = hosts.filter(hostActive);
  if (active.length === 0 || pc.stop || aborted(pc)) return;
  const ref = taskRef(task, scope.handler);
  if (getModule(task.module)?.route === 'meta') return runMeta(pc, task, active, scope);
  // the free strategy walks one host at a time: there a task is announced once, as Ansible does
  if (!pc.free || !pc.announced.has(task)) {
    pc.announced.add(task);
    pc.run.emit({ type: 'task-start', task: ref, hosts: active.map((h) => h.name) });
  }
  const settings = taskSettings(task, scope, pc.run.opts);
  const runOnce = task.runOnce ?? scope.runOnce ?? false;
  const targets = runOnce ? active.slice(0, 1) : active;
  const outcomes = await Promise.all(
    targets.map((h) =>
      pc.run.queue.add(async (): Promise<TaskOutcome | undefined> => {
        if (aborted(pc) || !hostActive(h)) return undefined;
        // the next task's read goes out now when this task has its own read in hand already, else
        // once this task's first request is on its way, so that the host answers them in turn
        if (next && !runOnce && quietBefore(task, h)) {
          const send = (): void => void readTaskAhead(pc, next, scope, h);
          if (hasTaskReadAhead(task, h.name)) send();
          else setImmediate(send);
        }
        const o = await runTaskOnHost(pc, task, scope, ref, h, settings);
        noteChanged(h, o.result.changed);
        return o;
      }),
    ),
  );
  if (runOnce && outcomes[0]) shareRunOnce(pc, task, active, outcomes[0]);
  checkFailureLimits(pc, outcomes);
}

/** shareRunOnce gives every host of the batch the result of a run_once task, as Ansible does. */
function shareRunOnce(pc: PlayCtx, task: Task, hosts: readonly HostState[], o: TaskOutcome): void {
  for (const h of hosts.slice(1)) {
    if (task.register) h.dynVars[task.register] = o.registered;
    if (o.result.changed && task.notify.length > 0) pc.handlers.notify(h.name, task.notify);
    storeFacts(h, getModule(task.module)?.route, o.result);
  }
}

function checkFailureLimits(pc: PlayCtx, outcomes: readonly (TaskOutcome | undefined)[]): void {
  const play = pc.play;
  const hardFail = outcomes.some((o) => o?.hostLost === true);
  const states = batchStates(pc);
  let stop = false;
  if (play.anyErrorsFatal && hardFail) stop = true;
  if (play.maxFailPercentage !== undefined && states.length > 0) {
    const bad = states.filter((h) => h.failed || h.unreachable).length;
    if ((bad / states.length) * 100 > play.maxFailPercentage) stop = true;
  }
  if (stop && !pc.stop) {
    // Ansible marks every remaining host failed (without counting a failure) and ends the run
    for (const h of states) if (!h.unreachable) h.failed = true;
    pc.stop = true;
    pc.breakRun = true;
    pc.run.emit({ type: 'no-hosts-left' });
    // ansible-playbook 2.14 announces it a second time after max_fail_percentage (its strategy
    // loop notices the empty host list once more); kept so logs compare line for line
    if (!(play.anyErrorsFatal && hardFail)) pc.run.emit({ type: 'no-hosts-left' });
  }
}

/**
 * runMeta carries out a meta task. Ansible 2.14 runs meta once per host under linear: a banner
 * per host, a `skipping` line where `when` is false (not counted in the recap), nothing else.
 */
async function runMeta(pc: PlayCtx, task: Task, hosts: readonly HostState[], scope: Scope): Promise<void> {
  const action = String(task.args['free_form'] ?? task.args['_raw_params'] ?? Object.values(task.args)[0] ?? '');
  const conds = [...scope.when, ...task.when];
  const ref = taskRef(task, scope.handler);
  const chosen: HostState[] = [];
  for (const h of hosts) {
    pc.run.emit({ type: 'task-start', task: ref, hosts: [h.name] });
    let yes: boolean;
    try {
      yes = conds.length === 0 || evalCondition(conds, taskVars(pc, h, scope, task), { task: taskLabel(task), host: h.name });
    } catch (e) {
      // a broken `when` fails this host like any task would, instead of ending the run
      const msg = e instanceof Error ? e.message : String(e);
      report(pc, h, ref, { status: 'failed', result: { changed: false, failed: true, msg } });
      continue;
    }
    if (yes) chosen.push(h);
    else report(pc, h, ref, { status: 'skipped' }, false);
  }
  if (chosen.length > 0) await doMeta(pc, action, chosen, scope);
}

async function doMeta(pc: PlayCtx, action: string, hosts: readonly HostState[], scope: Scope): Promise<void> {
  switch (action) {
    case 'flush_handlers':
      // under linear the flush covers the whole batch; under free, this host's lane
      if (!scope.handler) await flushHandlers(pc, pc.free ? hosts : batchStates(pc));
      return;
    case 'end_play':
      for (const n of pc.batch) {
        const h = pc.run.hosts.get(n);
        if (h) h.ended = true;
      }
      pc.stop = true;
      return;
    case 'end_batch':
      for (const n of pc.batch) {
        const h = pc.run.hosts.get(n);
        if (h) h.ended = true;
      }
      return;
    case 'end_host':
      for (const h of hosts) h.ended = true;
      return;
    case 'clear_facts':
      for (const h of hosts) h.facts = {};
      return;
    case 'clear_host_errors':
      for (const n of pc.batch) {
        const h = pc.run.hosts.get(n);
        if (h?.failed && !h.unreachable) h.failed = false;
      }
      return;
    case 'reset_connection':
      for (const h of hosts) await pc.run.pool.drop(h.name);
      return;
    default:
      return;
  }
}

function batchStates(pc: PlayCtx): HostState[] {
  return pc.batch.map((n) => pc.run.hosts.get(n)).filter((h): h is HostState => h !== undefined);
}

/**
 * flushHandlers runs notified handlers in definition order, each once on the hosts that
 * notified it; failed hosts join only with force_handlers. A handler may notify another.
 */
export async function flushHandlers(pc: PlayCtx, hosts: readonly HostState[]): Promise<void> {
  const force = pc.play.forceHandlers || pc.run.opts.forceHandlers;
  for (let round = 0; round < 10; round++) {
    let ran = false;
    for (const h of pc.handlers.handlers) {
      await nextTurn();
      if (aborted(pc)) return;
      const eligible = hosts.filter((x) => !x.unreachable && !x.ended && (!x.failed || force));
      const targets = new Set(
        pc.handlers.take(
          h,
          eligible.map((x) => x.name),
        ),
      );
      if (targets.size === 0) continue;
      ran = true;
      const states = eligible.filter((x) => targets.has(x.name));
      const scope = handlerScope(pc, h);
      // a forced handler runs even for a failed host: lift the flag for the handler only
      const lifted = states.filter((x) => x.failed);
      for (const x of lifted) x.failed = false;
      await runTask(pc, h, states, scope);
      for (const x of lifted) x.failed = true;
    }
    const eligible = hosts.filter((x) => !x.unreachable && (!x.failed || force));
    if (!ran || !pc.handlers.anyPending(eligible.map((x) => x.name))) return;
  }
}

function handlerScope(pc: PlayCtx, h: Task): Scope {
  return { ...pc.baseScope, role: h.role, handler: true };
}

/**
 * walkNodes runs a task list on a group of hosts. Under `linear` the group is the whole batch and
 * every host finishes a task before the next starts; under `free` each host walks on its own.
 */
export async function walkNodes(pc: PlayCtx, nodes: readonly TaskNode[], hosts: readonly HostState[], scope: Scope): Promise<void> {
  for (const [i, node] of nodes.entries()) {
    if (!(await mayGoOn(pc))) return;
    if (!hosts.some(hostActive)) return;
    if (node.kind === 'task') {
      const next = nodes[i + 1];
      await runTask(pc, node, hosts, scope, next?.kind === 'task' ? next : undefined);
    }
    // a role pulled in twice with the same params runs once, as in Ansible
    else if (node.kind === 'block') {
      if (!node.roleDuplicate) await walkBlock(pc, node, hosts, scope);
    } else await walkInclude(pc, node, hosts, scope);
  }
}

/**
 * walkBlock runs block, then rescue for the hosts that failed in it (their failure counts as
 * rescued), then always for every host that entered, failed or not. A host that failed without
 * a rescue stays failed after always.
 */
async function walkBlock(pc: PlayCtx, node: Block, hosts: readonly HostState[], scope: Scope): Promise<void> {
  const entering = hosts.filter(hostActive);
  if (entering.length === 0) return;
  const inner = childScope(scope, node, scope.rescuable || node.rescue.length > 0);
  await walkNodes(pc, node.block, entering, inner);
  const failedIn = entering.filter((h) => h.failed && !h.unreachable);
  if (node.rescue.length > 0 && failedIn.length > 0 && !aborted(pc)) {
    for (const h of failedIn) h.failed = false;
    const params = new Map<string, Vars>();
    for (const h of failedIn) {
      if (h.lastFailure) params.set(h.name, { ansible_failed_task: { name: h.lastFailure.task.name, action: h.lastFailure.task.module }, ansible_failed_result: h.lastFailure.result });
    }
    await walkNodes(pc, node.rescue, failedIn, { ...childScope(scope, node, scope.rescuable), hostParams: mergeHostParams(scope, params) });
  }
  if (node.always.length > 0 && !aborted(pc)) {
    const stillFailed = entering.filter((h) => h.failed && !h.unreachable);
    for (const h of stillFailed) h.failed = false;
    const stop = pc.stop;
    pc.stop = false;
    await walkNodes(
      pc,
      node.always,
      entering.filter((h) => !h.unreachable && !h.ended),
      childScope(scope, node, scope.rescuable),
    );
    pc.stop = pc.stop || stop;
    for (const h of stillFailed) if (!h.unreachable) h.failed = true;
  }
}
