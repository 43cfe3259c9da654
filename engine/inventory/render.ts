// What `ansible-inventory --list / --graph / --host` prints, reproduced byte for byte
// (lib/ansible/cli/inventory.py): JSON as Python's json.dumps(indent=4, sort_keys=True),
// the graph with `@group:` and `  |--` prefixes, variables as `{name = str(value)}`.
import type { GroupNode, HostNode } from './data.ts';
import type { AnsibleInventory } from './index.ts';
import { mergeVarLayers } from './precedence.ts';
import { compareCodePoints } from '../py/compare.ts';
import { pyJson } from '../py/json.ts';
import { pyStrAt } from '../py/repr.ts';
import { combineVars } from './combine-vars.ts';
import type { Vars } from './types.ts';

// Variables Ansible computes itself and hides from ansible-inventory's output.
const INTERNAL_VARS = new Set([
  'ansible_diff_mode',
  'ansible_config_file',
  'ansible_facts',
  'ansible_forks',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_playbook_python',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'groups',
  'group_names',
  'omit',
  'playbook_dir',
]);

function removeInternal(v: Vars): Vars {
  const out: Vars = combineVars({}, v);
  for (const k of INTERNAL_VARS) delete out[k];
  return out;
}

// ansible-inventory: json.dumps(indent=4, sort_keys=True) through an encoder marking unsafe strings
const INVENTORY_JSON = { indent: 4, sortKeys: true, unsafeMarkers: true } as const;
/** RenderOptions are the ansible-inventory flags that change what is shown. */
export interface RenderOptions {
  /** --export: group vars per group, only host-level vars per host */
  readonly exportMode: boolean;
  /** --playbook-dir: group_vars/ and host_vars/ there count as playbook vars */
  readonly playbookDirs: readonly string[];
}

/** groupDisplayVars are a group's own vars plus its group_vars files, as --export and --graph --vars show them. */
export function groupDisplayVars(inv: AnsibleInventory, g: GroupNode, o: RenderOptions): Vars {
  let res = combineVars(g.vars, inv.fileVars('group_vars', g.name));
  res = combineVars(res, inv.fileVars('group_vars', g.name, o.playbookDirs));
  if (g.priority !== 1) res['ansible_group_priority'] = g.priority;
  return removeInternal(res);
}

/** hostDisplayVars are a host's vars: all merged, or (export) only those set on the host itself. */
export function hostDisplayVars(inv: AnsibleInventory, h: HostNode, o: RenderOptions): Vars {
  if (o.exportMode) {
    const own = combineVars(h.vars, inv.fileVars('host_vars', h.name));
    return removeInternal(combineVars(own, inv.fileVars('host_vars', h.name, o.playbookDirs)));
  }
  return removeInternal(mergeVarLayers(inv.hostVarLayers(h.name, o.playbookDirs)));
}

/** renderList prints `--list` (optionally `--export`) JSON. */
export function renderList(inv: AnsibleInventory, o: RenderOptions): string {
  const results: Record<string, Vars> = {};
  const seen = new Set<string>();
  const formatGroup = (g: GroupNode): void => {
    const entry: Vars = {};
    results[g.name] = entry;
    if (g.name !== 'all') entry['hosts'] = g.hosts.map((h) => h.name);
    entry['children'] = g.children.map((c) => c.name);
    for (const c of g.children) {
      if (!seen.has(c.name)) {
        formatGroup(c);
        seen.add(c.name);
      }
    }
    if (o.exportMode) entry['vars'] = groupDisplayVars(inv, g, o);
    for (const k of ['hosts', 'vars', 'children']) {
      const v = entry[k];
      if (v !== undefined && (Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0)) delete entry[k];
    }
    if (Object.keys(entry).length === 0) delete results[g.name];
  };
  const all = inv.data.groups.get('all');
  if (all) formatGroup(all);
  const hostvars: Record<string, Vars> = {};
  for (const h of all?.allHosts() ?? []) {
    const hv = hostDisplayVars(inv, h, o);
    if (Object.keys(hv).length > 0) hostvars[h.name] = hv;
  }
  results['_meta'] = { hostvars };
  return pyJson(results, INVENTORY_JSON);
}

function graphName(name: string, depth: number): string {
  return depth ? `${'  |'.repeat(depth)}--${name}` : name;
}

function showVars(vars: Vars, depth: number): string[] {
  return Object.keys(vars)
    .sort(compareCodePoints)
    .map((k) => graphName(`{${k} = ${pyStrAt(vars, k)}}`, depth));
}

/** renderGraph prints `--graph [--vars]` from a group (default `all`); undefined if there is no such group. */
export function renderGraph(inv: AnsibleInventory, groupName: string, withVars: boolean, o: RenderOptions): string | undefined {
  const start = inv.data.groups.get(groupName);
  if (!start) return undefined;
  const walk = (g: GroupNode, depth: number): string[] => {
    const out = [graphName(`@${g.name}:`, depth)];
    const d = depth + 1;
    for (const c of g.children) out.push(...walk(c, d));
    if (g.name !== 'all') {
      for (const h of g.hosts) {
        out.push(graphName(h.name, d));
        if (withVars) out.push(...showVars(hostDisplayVars(inv, h, { ...o, exportMode: false }), d + 1));
      }
    }
    if (withVars) out.push(...showVars(groupDisplayVars(inv, g, o), d));
    return out;
  };
  return walk(start, 0).join('\n');
}

/** renderHost prints `--host NAME` JSON for one host. */
export function renderHost(inv: AnsibleInventory, h: HostNode, o: RenderOptions): string {
  return pyJson(hostDisplayVars(inv, h, { ...o, exportMode: false }), INVENTORY_JSON);
}
