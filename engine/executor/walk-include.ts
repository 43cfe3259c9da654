import { dirname, isAbsolute, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Vars } from '../inventory/types.ts';
import type { Include, TaskNode } from '../loader/types.ts';
import { evalCondition, renderValue } from '../template/index.ts';
import type { TaskRef } from './events.ts';
import { taskVars } from './host-vars.ts';
import { hostActive, type HostState, type PlayCtx, type Scope } from './run-context.ts';
import { selectByTags as tagsSelect } from '../loader/tags.ts';
import { TsplayError, TsplayErrors } from '../errors/index.ts';
import { loadIncludedTasks } from '../loader/index.ts';
import { shortPath } from '../files/paths.ts';
import { report } from './report.ts';
import { loopItems } from './loop.ts';
import { includeCycle, type IncludeLink } from './include-chain.ts';
import { childScope, walkNodes } from './walk.ts';

const includeRefs = new WeakMap<Include, TaskRef>();

function includeRef(node: Include): TaskRef {
  let r = includeRefs.get(node);
  if (!r) {
    // an unnamed include_role is shown as Ansible's IncludeRole.get_name: `include_role : NAME` (the name as written)
    const name = node.name ?? (node.what === 'include_role' ? `${node.action ?? node.what} : ${node.target}` : '');
    r = { name, module: node.action ?? node.what, pos: node.pos, id: `${node.pos.file}:${node.pos.line}:${node.pos.col}`, ...(node.role ? { role: node.role.name } : {}) };
    includeRefs.set(node, r);
  }
  return r;
}

/** mergeHostParams adds per-host params (a loop item, a rescue's ansible_failed_*) to what the scope passed down. */
export function mergeHostParams(scope: Scope, add: ReadonlyMap<string, Vars>): Map<string, Vars> {
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
  if (!cache) {
    cache = new Map();
    runtimeLoads.set(node, cache);
  }
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
 * through the loader when it was not known ahead). Hosts that resolved the same target with the
 * same loop item run its tasks together, in the order Ansible runs its included files.
 */
export async function walkInclude(pc: PlayCtx, node: Include, hosts: readonly HostState[], scope: Scope): Promise<void> {
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
    const when = [...scope.when, ...node.when];
    try {
      if (node.loop) {
        // as for any looped task, `when` is evaluated per item, with the item's variables
        const loop = node.loop;
        const items = loopItems(loop, when, vars, site);
        if (items === 'skip') {
          report(pc, h, ref, { status: 'skipped' });
          continue;
        }
        const targets: IncludeTarget[] = [];
        items.forEach((item, i) => {
          const params: Vars = { [loop.loopVar]: item, ansible_loop_var: loop.loopVar, ...(loop.indexVar ? { [loop.indexVar]: i } : {}) };
          if (when.length && !evalCondition(when, { ...vars, ...params }, site)) {
            pc.run.emit({ type: 'item-result', task: ref, host: h.name, status: 'skipped', item, changes: [] });
            return;
          }
          targets.push({ target: String(renderValue(node.target, { ...vars, ...params }, site)), params, item });
        });
        // Ansible counts one skip for a host whose every item was skipped, or whose list is empty
        if (targets.length === 0) report(pc, h, ref, { status: 'skipped', looped: items.length > 0 });
        perHost.set(h.name, targets);
      } else if (when.length && !evalCondition(when, vars, site)) {
        report(pc, h, ref, { status: 'skipped' });
      } else perHost.set(h.name, [{ target: String(renderValue(node.target, vars, site)), params: {} }]);
    } catch (e) {
      if (!(e instanceof TsplayError)) throw e;
      failInclude(pc, node, scope, ref, h, oneLine(e));
    }
  }
  // Ansible's grouping (IncludedFile.process_include_results): hosts in order, each host's items
  // in order; a host joins the first group with the same target and loop variables (item, index)
  // that it is not already in, else a new group starts. So hosts share a group by item value, not
  // by the item's position in their lists, and the groups run in the order they were first named.
  const groups: { target: string; params: Vars; item?: unknown; hosts: HostState[]; loaded: LoadedInclude; link?: IncludeLink }[] = [];
  for (const h of active) {
    for (const t of perHost.get(h.name) ?? []) {
      const g = groups.find((x) => x.target === t.target && !x.hosts.includes(h) && isDeepStrictEqual(x.params, t.params));
      if (g) g.hosts.push(h);
      else groups.push({ target: t.target, params: t.params, item: t.item, hosts: [h], loaded: loadTarget(pc, node, t.target) });
    }
  }
  // a recursion that does not end fails its hosts here, before its include is reported as entered
  const chain = scope.includeChain ?? [];
  for (const g of groups) {
    if ('error' in g.loaded) continue;
    g.link = { at: node.pos, entered: g.loaded.file };
    const cycle = includeCycle(chain, g.link);
    if (cycle) g.loaded = { error: oneLine(new TsplayError({ code: 'E_INCLUDE_CYCLE', message: cycle, pos: node.pos })) };
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
    pc.run.emit({ type: 'included', file: g.loaded.file, hosts: g.hosts.map((h) => h.name), ...(node.loop ? { item: g.item } : {}) });
  }
  const inner: Scope = { ...childScope(scope, { ...node, when: [], tags: [] }, scope.rescuable), includeParams: { ...scope.includeParams, ...node.vars } };
  for (const g of groups) {
    if ('error' in g.loaded) continue;
    const group = g.hosts.filter(hostActive);
    if (group.length === 0) continue;
    const params = new Map<string, Vars>();
    for (const h of group) params.set(h.name, g.params);
    await walkNodes(pc, g.loaded.tasks, group, { ...inner, hostParams: mergeHostParams(scope, params), includeChain: [...chain, g.link!] });
  }
}
