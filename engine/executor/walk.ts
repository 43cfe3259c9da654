import { dirname, isAbsolute, resolve } from 'node:path';
import type { Vars } from '../inventory/types.ts';
import type { Block, Include, Task, TaskNode } from '../loader/types.ts';
import { evalCondition, renderValue } from '../template/index.ts';
import type { TaskRef } from './events.ts';
import { taskVars } from './host-vars.ts';
import { hostActive, type HostState, type PlayCtx, type Scope } from './run-context.ts';
import { runTaskOnHost, type TaskOutcome } from './run-task.ts';
import { selectByTags as tagsSelect } from '../loader/tags.ts';
import { startsAt } from '../loader/start-at.ts';
import { taskLabel, taskRef } from './task-ref.ts';
import { TsplayError, TsplayErrors } from '../errors/index.ts';
import { loadIncludedTasks } from '../loader/index.ts';
import { shortPath } from '../loader/yaml-file.ts';
import { getModule } from '../modules/registry.ts';
import { report } from './report.ts';
import { storeFacts } from './attempts.ts';
import { taskSettings } from './task-settings.ts';

function aborted(pc: PlayCtx): boolean {
  return pc.run.signal?.aborted === true;
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
    const tags = [...pc.play.tags, ...scope.tags, ...task.tags];
    if (!tagsSelect(tags, run.opts.tags, run.opts.skipTags)) return false;
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
export async function runTask(pc: PlayCtx, task: Task, hosts: readonly HostState[], scope: Scope): Promise<void> {
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
        return runTaskOnHost(pc, task, scope, ref, h, settings);
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
        if (h && h.failed && !h.unreachable) h.failed = false;
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
      if (aborted(pc)) return;
      const eligible = hosts.filter((x) => !x.unreachable && !x.ended && (!x.failed || force));
      const targets = new Set(pc.handlers.take(h, eligible.map((x) => x.name)));
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
  for (const node of nodes) {
    if (pc.stop || aborted(pc)) return;
    if (!hosts.some(hostActive)) return;
    if (node.kind === 'task') await runTask(pc, node, hosts, scope);
    // a role pulled in twice with the same params runs once, as in Ansible
    else if (node.kind === 'block') {
      if (!node.roleDuplicate) await walkBlock(pc, node, hosts, scope);
    }
    else await walkInclude(pc, node, hosts, scope);
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
    await walkNodes(pc, node.always, entering.filter((h) => !h.unreachable && !h.ended), childScope(scope, node, scope.rescuable));
    pc.stop = pc.stop || stop;
    for (const h of stillFailed) if (!h.unreachable) h.failed = true;
  }
}

const includeRefs = new WeakMap<Include, TaskRef>();

function includeRef(node: Include): TaskRef {
  let r = includeRefs.get(node);
  if (!r) {
    r = { name: node.name ?? '', module: node.what, pos: node.pos, id: `${node.pos.file}:${node.pos.line}:${node.pos.col}`, ...(node.role ? { role: node.role.name } : {}) };
    includeRefs.set(node, r);
  }
  return r;
}

function mergeHostParams(scope: Scope, add: ReadonlyMap<string, Vars>): Map<string, Vars> {
  const out = new Map<string, Vars>(scope.hostParams ?? []);
  for (const [h, v] of add) out.set(h, { ...(out.get(h) ?? {}), ...v });
  return out;
}

/** IncludeTarget is what one include resolved to for one host and loop item. */
interface IncludeTarget {
  readonly target: string;
  readonly params: Vars;
  readonly item?: unknown;
}

/** LoadedInclude is an include target's tasks, or why they could not be loaded. */
type LoadedInclude = { readonly tasks: readonly TaskNode[]; readonly file: string } | { readonly error: string };

const runtimeLoads = new WeakMap<Include, Map<string, LoadedInclude>>();

/** oneLine renders a loader error as `file:line:col: error[CODE]: message` for a failed host's message. */
function oneLine(e: TsplayError): string {
  const at = e.pos ? `${shortPath(e.pos.file)}:${e.pos.line}:${e.pos.col}: ` : '';
  return `${at}error[${e.code}]: ${e.message}`;
}

/**
 * loadTarget gives an include's tasks for one resolved target: preloaded by the loader when the
 * name was static, else loaded (and checked) now through the loader, once per target per run.
 */
function loadTarget(pc: PlayCtx, node: Include, target: string): LoadedInclude {
  const staticFile = (): string => (node.what === 'include_tasks' && !isAbsolute(target) ? resolve(dirname(node.pos.file), target) : target);
  if (node.tasks && !node.target.includes('{{')) return { tasks: node.tasks, file: staticFile() };
  let cache = runtimeLoads.get(node);
  if (!cache) runtimeLoads.set(node, (cache = new Map()));
  let got = cache.get(target);
  if (!got) {
    try {
      const r = loadIncludedTasks(node, target, pc.playbookDir);
      pc.handlers.add(r.handlers);
      got = { tasks: r.tasks, file: r.file ?? staticFile() };
    } catch (e) {
      const errs = e instanceof TsplayErrors ? e.errors : e instanceof TsplayError ? [e] : undefined;
      if (!errs) throw e;
      got = { error: errs.map(oneLine).join('; ') };
    }
    cache.set(target, got);
  }
  return got;
}

/** failInclude marks a host failed by its include (unloadable target, bad template), as a task failure would. */
function failInclude(pc: PlayCtx, node: Include, scope: Scope, ref: TaskRef, h: HostState, msg: string): void {
  const ignored = (node.ignoreErrors ?? scope.ignoreErrors) === true;
  const status = ignored ? 'ignored' : scope.rescuable ? 'rescued' : 'failed';
  report(pc, h, ref, { status, result: { failed: true, msg } });
}

/**
 * walkInclude resolves include_tasks / include_role per host at run time (its `when` and loop
 * belong to the include itself; the target is templated per host and loop item, and loaded
 * through the loader when it was not known ahead). Hosts that resolved the same target for the
 * same loop index run its tasks together, in the order Ansible runs its included files.
 */
async function walkInclude(pc: PlayCtx, node: Include, hosts: readonly HostState[], scope: Scope): Promise<void> {
  const active = hosts.filter(hostActive);
  const tagsOk = tagsSelect([...pc.play.tags, ...scope.tags, ...node.tags], pc.run.opts.tags, pc.run.opts.skipTags);
  if (!tagsOk || active.length === 0) return;
  const ref = includeRef(node);
  if (!pc.free || !pc.announced.has(node)) {
    pc.announced.add(node);
    pc.run.emit({ type: 'task-start', task: ref, hosts: active.map((h) => h.name) });
  }
  const perHost = new Map<string, IncludeTarget[]>();
  for (const h of active) {
    const vars = taskVars(pc, h, scope, node);
    const site = { pos: node.pos, task: `${node.what} ${node.target}`, host: h.name };
    try {
      if ([...scope.when, ...node.when].length && !evalCondition([...scope.when, ...node.when], vars, site)) {
        report(pc, h, ref, { status: 'skipped' });
        continue;
      }
      if (node.loop) {
        const loop = node.loop;
        const items = renderValue(loop.items, vars, { ...site, pos: loop.pos });
        if (!Array.isArray(items)) throw new TsplayError({ code: 'E_LOOP', message: `loop must be a list, got ${items === null ? 'null' : typeof items}`, pos: loop.pos, host: h.name });
        perHost.set(
          h.name,
          items.map((item, i) => {
            const params: Vars = { [loop.loopVar]: item, ansible_loop_var: loop.loopVar, ...(loop.indexVar ? { [loop.indexVar]: i } : {}) };
            return { target: String(renderValue(node.target, { ...vars, ...params }, site)), params, item };
          }),
        );
      } else perHost.set(h.name, [{ target: String(renderValue(node.target, vars, site)), params: {} }]);
    } catch (e) {
      if (!(e instanceof TsplayError)) throw e;
      failInclude(pc, node, scope, ref, h, oneLine(e));
    }
  }
  // groups of hosts running one target for one loop index: by index, then by first host to name the target
  const groups: { index: number; target: string; hosts: HostState[]; loaded: LoadedInclude }[] = [];
  const maxItems = Math.max(0, ...[...perHost.values()].map((l) => l.length));
  for (let i = 0; i < maxItems; i++) {
    for (const h of active) {
      const t = perHost.get(h.name)?.[i];
      if (!t) continue;
      const g = groups.find((x) => x.index === i && x.target === t.target);
      if (g) g.hosts.push(h);
      else groups.push({ index: i, target: t.target, hosts: [h], loaded: loadTarget(pc, node, t.target) });
    }
  }
  // Ansible reports every include_tasks (one line per loop item) before running any included
  // task, each counting as ok for its hosts; include_role shows and counts nothing of its own
  for (const g of groups) {
    if ('error' in g.loaded) {
      for (const h of g.hosts) if (hostActive(h)) failInclude(pc, node, scope, ref, h, g.loaded.error);
      continue;
    }
    if (node.what !== 'include_tasks') continue;
    for (const h of g.hosts) h.stats.ok++;
    const item = perHost.get(g.hosts[0]!.name)![g.index]!.item;
    pc.run.emit({ type: 'included', file: g.loaded.file, hosts: g.hosts.map((h) => h.name), ...(node.loop ? { item } : {}) });
  }
  const inner: Scope = { ...childScope(scope, { ...node, when: [], tags: [] }, scope.rescuable), includeParams: { ...scope.includeParams, ...node.vars } };
  for (const g of groups) {
    if ('error' in g.loaded) continue;
    const group = g.hosts.filter(hostActive);
    if (group.length === 0) continue;
    const params = new Map<string, Vars>();
    for (const h of group) params.set(h.name, perHost.get(h.name)![g.index]!.params);
    await walkNodes(pc, g.loaded.tasks, group, { ...inner, hostParams: mergeHostParams(scope, params) });
  }
}
