import type { Inventory, Vars } from '../inventory/types.ts';
import type { RoleRef, Task } from '../loader/types.ts';
import { mergeVarLayers, type VarLayer } from '../inventory/precedence.ts';
import type { HostState, PlayCtx, RunCtx, Scope } from './run-context.ts';
import { hostVarsView, markTemplated } from '../template/index.ts';
import { LOCALHOST_NAMES } from '../py/localhost.ts';
import { modesOf } from './task-settings.ts';

/**
 * groupsOf computes `groups` (group → every host in it, children included) and each host's
 * `group_names` (its groups except `all`), once per run from the inventory.
 */
export function groupsOf(inv: Inventory): { groups: Record<string, string[]>; groupNames: Map<string, string[]> } {
  const groups: Record<string, string[]> = {};
  const groupNames = new Map<string, string[]>();
  for (const g of inv.groups.keys()) {
    let members: string[];
    try {
      members = inv.match(g);
    } catch {
      members = [];
    }
    groups[g] = members;
    if (g === 'all') continue;
    for (const h of members) {
      const list = groupNames.get(h) ?? [];
      list.push(g);
      groupNames.set(h, list);
    }
  }
  if (!groups['all']) groups['all'] = [...inv.hosts.keys()];
  for (const list of groupNames.values()) list.sort();
  return { groups, groupNames };
}

/** factVars exposes facts as Ansible does: each as a top-level `ansible_x` and under `ansible_facts.x`. */
export function factVars(facts: Vars): Vars {
  if (Object.keys(facts).length === 0) return {};
  const short: Vars = {};
  for (const [k, v] of Object.entries(facts)) short[k.startsWith('ansible_') ? k.slice(8) : k] = v;
  return { ...facts, ansible_facts: short };
}

/**
 * inventoryVars are a host's inventory-level variables; the inventory answers Ansible's implicit
 * localhost (`ansible_connection: local`) and gives nothing for a name it does not know (a delegate).
 */
export function inventoryVars(run: RunCtx, host: string): Vars {
  return run.inventory.hostVars(host);
}

/** LayeredInventory is an inventory that can also hand out its precedence layers (engine/inventory's AnsibleInventory). */
interface LayeredInventory extends Inventory {
  hostVarLayers(name: string, playbookDirs?: readonly string[]): VarLayer[];
}

/**
 * inventoryLayers are a host's inventory variables as precedence layers, with group_vars/ and
 * host_vars/ beside the playbook included (Ansible's "playbook group_vars" levels).
 */
export function inventoryLayers(run: RunCtx, host: string, playbookDir: string): readonly VarLayer[] {
  const key = `${host}\u0000${playbookDir}`;
  let layers = run.invLayers.get(key);
  if (!layers) {
    const inv = run.inventory as Partial<LayeredInventory> & Inventory;
    layers = typeof inv.hostVarLayers === 'function' ? inv.hostVarLayers(host, [playbookDir]) : [{ level: 'inventory_host_vars', vars: inventoryVars(run, host) }];
    run.invLayers.set(key, layers);
  }
  return layers;
}

/**
 * hostLevelVars are what Ansible's get_vars gives for a host outside any play or task (what
 * `hostvars[h]` and a delegate's connection see): inventory and playbook-side group_vars/host_vars
 * of the current play's playbook, facts, include_vars, set_fact/register, extra vars.
 */
export function hostLevelVars(run: RunCtx, host: string): Vars {
  const st = run.hosts.get(host);
  const facts = st ? factVars(st.facts) : {};
  const merged = mergeVarLayers([
    ...inventoryLayers(run, host, run.playbookDir),
    { level: 'host_facts', vars: facts },
    { level: 'include_vars', vars: st?.includeVars ?? {} },
    { level: 'set_facts_registered', vars: st?.dynVars ?? {} },
    { level: 'extra_vars', vars: run.extraVars },
  ]);
  return markTemplated(merged, templatedPart(merged, [facts, st?.dynVars ?? {}], [run.extraVars]));
}

/**
 * templatedPart is merged without the names whose winning value is data — facts, registered
 * results, set_fact values — which Ansible never templates again (a command's stdout may hold
 * `{{`); every other variable is rendered lazily when a template reads it.
 */
function templatedPart(merged: Vars, data: readonly Vars[], above: readonly Vars[]): Vars {
  const out: Vars = { ...merged };
  for (const d of data) for (const k of Object.keys(d)) if (!above.some((a) => Object.hasOwn(a, k))) delete out[k];
  return out;
}

/** groupNamesOf is a host's `group_names`; Ansible's implicit localhost is in no group at all. */
export function groupNamesOf(run: RunCtx, host: string): string[] {
  return run.groupNames.get(host) ?? (run.inventory.hosts.has(host) ? ['ungrouped'] : []);
}

/**
 * makeHostvars builds the `hostvars` mapping: one lazy getter per inventory host, so templates
 * that never look at other hosts pay nothing, and a lookup sees the other host's current facts.
 * The implicit localhost answers too, without being listed, as in Ansible.
 */
export function makeHostvars(inv: Inventory, run: () => RunCtx): Vars {
  const hv: Vars = {};
  // the other host's variables are templated against its own vars when read, as Ansible's HostVarsVars does
  const getter =
    (name: string): (() => Vars) =>
    (): Vars =>
      hostVarsView({ ...hostLevelVars(run(), name), inventory_hostname: name, inventory_hostname_short: name.split('.')[0] }, name);
  for (const name of inv.hosts.keys()) Object.defineProperty(hv, name, { enumerable: true, get: getter(name) });
  for (const name of LOCALHOST_NAMES) if (!inv.hosts.has(name)) Object.defineProperty(hv, name, { enumerable: false, get: getter(name) });
  return hv;
}

function rolesOf(pc: PlayCtx, current: RoleRef | undefined): RoleRef[] {
  // Ansible exposes every play role's defaults/vars to the play (private_role_vars off);
  // the task's own role goes last so its values win over a sibling role's.
  const out = pc.play.roles.filter((r) => r.name !== current?.name || r.path !== current?.path);
  if (current) out.push(current);
  return out;
}

/**
 * taskVars assembles what a task on a host sees, lowest precedence first: role defaults,
 * inventory, facts, play vars, vars_files, role vars, block vars, task vars, include_vars, set_fact/register,
 * role params, include params, extra vars; then the magic variables and any loop variables.
 */
export function taskVars(pc: PlayCtx, host: HostState, scope: Scope, task: Pick<Task, 'vars' | 'checkMode' | 'diff'> | undefined, extra: Vars = {}): Vars {
  const run = pc.run;
  const roles = rolesOf(pc, scope.role);
  const facts = factVars(host.facts);
  const includeParams = { ...scope.includeParams, ...(scope.hostParams?.get(host.name) ?? {}) };
  const merged = mergeVarLayers([
    ...roles.map((r) => ({ level: 'role_defaults' as const, vars: r.defaults })),
    ...inventoryLayers(run, host.name, pc.playbookDir),
    { level: 'host_facts' as const, vars: facts },
    { level: 'play_vars' as const, vars: pc.play.vars },
    { level: 'play_vars_files' as const, vars: pc.varsFilesVars },
    ...roles.map((r) => ({ level: 'role_vars' as const, vars: r.vars })),
    { level: 'block_vars' as const, vars: scope.vars },
    { level: 'task_vars' as const, vars: task?.vars ?? {} },
    { level: 'include_vars' as const, vars: host.includeVars },
    { level: 'set_facts_registered' as const, vars: host.dynVars },
    { level: 'role_params' as const, vars: scope.role?.params ?? {} },
    { level: 'include_params' as const, vars: includeParams },
    { level: 'extra_vars' as const, vars: run.extraVars },
  ]);
  const modes = modesOf(task, scope, run.opts);
  const active = pc.batch.filter((h) => {
    const st = run.hosts.get(h);
    return st !== undefined && !st.failed && !st.unreachable;
  });
  const templated = templatedPart(merged, [facts, host.dynVars], [scope.role?.params ?? {}, includeParams, run.extraVars]);
  const out: Vars = {
    ...merged,
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split('.')[0],
    groups: run.groups,
    group_names: groupNamesOf(run, host.name),
    hostvars: run.hostvars,
    play_hosts: active,
    ansible_play_hosts: active,
    ansible_play_batch: active,
    ansible_play_hosts_all: [...pc.allHosts],
    ansible_play_name: pc.play.name,
    ansible_check_mode: modes.check,
    ansible_diff_mode: modes.diff,
    ansible_verbosity: run.opts.verbosity,
    ansible_run_tags: run.opts.tags.length > 0 ? [...run.opts.tags] : ['all'],
    ansible_skip_tags: [...run.opts.skipTags],
    playbook_dir: pc.playbookDir,
    ...(scope.role ? { role_name: scope.role.name, role_path: scope.role.path } : {}),
    ...extra,
  };
  return markTemplated(out, templated);
}
