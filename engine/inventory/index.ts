// The inventory stage: `-i` sources in, hosts, groups and per-host variables out, with Ansible's
// semantics (ansible-inventory is the oracle the tests compare against).
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Diagnostics } from '../errors/index.ts';
import { type GroupNode, type HostNode, InventoryData, InventoryGraphError, sortGroups } from './data.ts';
import { LOCALHOST_NAMES } from '../py/localhost.ts';
import { matchHosts, type PatternScope } from './patterns.ts';
import { mergeVarLayers, type VarLayer } from './precedence.ts';
import { combineVars } from './combine-vars.ts';
import { parseHostList, parseSourcePath } from './sources.ts';
import type { Inventory, InventoryGroup, InventoryHost, Vars } from './types.ts';
import { loadEntityVars } from './vars-files.ts';

export type { Inventory, InventoryGroup, InventoryHost, Vars } from './types.ts';
export { matchHosts, splitHostPattern } from './patterns.ts';
export { mergeVarLayers, PRECEDENCE, type PrecedenceLevel, precedenceMarkdown, type VarLayer } from './precedence.ts';

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** AnsibleInventory is the loaded inventory; beyond the Inventory contract it exposes the layers behind hostVars. */
export class AnsibleInventory implements Inventory {
  readonly hosts = new Map<string, InventoryHost>();
  readonly groups = new Map<string, InventoryGroup>();
  /** the directories whose group_vars/ and host_vars/ apply, one per file or directory source, in -i order */
  readonly varDirs: readonly string[];
  readonly data: InventoryData;
  private readonly diags: Diagnostics;
  private readonly scope: PatternScope;
  // Why caches: the executor asks for a host's vars for every task; the files do not change during a run
  private readonly entityCache = new Map<string, Vars>();
  private readonly layerCache = new Map<string, VarLayer[]>();
  // while the constructor reads every vars file, problems are collected for loadInventory to throw together
  private loading = true;

  constructor(data: InventoryData, varDirs: readonly string[], diags: Diagnostics) {
    this.data = data;
    this.varDirs = varDirs;
    this.diags = diags;
    for (const h of data.hosts.values()) {
      const groups = [...data.groups.values()].filter((g) => g.hosts.includes(h)).map((g) => g.name);
      this.hosts.set(h.name, { name: h.name, vars: combineVars(h.vars, this.fileVars('host_vars', h.name)), groups, pos: h.pos });
    }
    for (const g of data.groups.values()) {
      this.groups.set(g.name, {
        name: g.name,
        hosts: g.hosts.map((h) => h.name),
        children: g.children.map((c) => c.name),
        vars: combineVars(g.vars, this.fileVars('group_vars', g.name)),
        pos: g.pos,
      });
    }
    this.scope = {
      groupNames: () => data.groups.keys(),
      groupHosts: (name) =>
        data.groups
          .get(name)
          ?.allHosts()
          .map((h) => h.name) ?? [],
      hostNames: () => data.hosts.keys(),
      hasHost: (name) => data.hosts.has(name),
    };
    this.loading = false;
  }

  /** fileVars merges group_vars/<name> or host_vars/<name> over every inventory source directory, in -i order. */
  fileVars(subdir: 'group_vars' | 'host_vars', name: string, dirs: readonly string[] = this.varDirs): Vars {
    let out: Vars = {};
    for (const d of dirs) out = combineVars(out, this.entityVars(d, subdir, name));
    return out;
  }

  private entityVars(dir: string, subdir: 'group_vars' | 'host_vars', name: string): Vars {
    const key = `${dir}\0${subdir}\0${name}`;
    let v = this.entityCache.get(key);
    if (!v) {
      v = loadEntityVars(dir, subdir, name, this.diags);
      // a vars file read after loading (beside a playbook) can still be broken: report it now
      if (!this.loading) this.diags.throwIfAny();
      this.entityCache.set(key, v);
    }
    return v;
  }

  /** hostNode finds a host, answering localhost-like names with Ansible's implicit localhost. */
  hostNode(name: string): HostNode | undefined {
    const h = this.data.hosts.get(name);
    if (h) return h;
    if (!LOCALHOST_NAMES.includes(name)) return undefined;
    return this.data.implicitLocalhost(name);
  }

  /** groupsOfHost lists the groups whose vars apply to a host (not `all`), in merge order. */
  groupsOfHost(h: HostNode): GroupNode[] {
    return sortGroups(this.data.groupsOf(h).filter((g) => g.name !== 'all'));
  }

  /**
   * hostVarLayers returns the inventory's variable layers for a host, each tagged with its
   * precedence level; `playbookDirs` adds group_vars/ and host_vars/ found beside playbooks.
   */
  hostVarLayers(name: string, playbookDirs: readonly string[] = []): VarLayer[] {
    const key = `${name}\0${playbookDirs.join('\0')}`;
    const cached = this.layerCache.get(key);
    if (cached) return cached;
    const layers = this.computeLayers(name, playbookDirs);
    this.layerCache.set(key, layers);
    return layers;
  }

  private computeLayers(name: string, playbookDirs: readonly string[]): VarLayer[] {
    const h = this.hostNode(name);
    if (!h) return [];
    const all = this.data.groups.get('all');
    const groups = this.groupsOfHost(h);
    let fileGroupVars: Vars = all ? all.vars : {};
    for (const g of groups) fileGroupVars = combineVars(fileGroupVars, g.vars);
    const perGroup = (dirs: readonly string[]): Vars => {
      let out: Vars = {};
      // per source directory, then per group in merge order, as get_vars_from_inventory_sources does
      for (const d of dirs) for (const g of groups) out = combineVars(out, this.entityVars(d, 'group_vars', g.name));
      return out;
    };
    return [
      { level: 'inventory_file_group_vars', vars: fileGroupVars },
      { level: 'inventory_group_vars_all', vars: this.fileVars('group_vars', 'all') },
      { level: 'playbook_group_vars_all', vars: this.fileVars('group_vars', 'all', playbookDirs) },
      { level: 'inventory_group_vars', vars: perGroup(this.varDirs) },
      { level: 'playbook_group_vars', vars: perGroup(playbookDirs) },
      { level: 'inventory_file_host_vars', vars: h.source === undefined ? h.vars : combineVars(sourceVars(h.source), h.vars) },
      { level: 'inventory_host_vars', vars: this.fileVars('host_vars', h.name) },
      { level: 'playbook_host_vars', vars: this.fileVars('host_vars', h.name, playbookDirs) },
    ];
  }

  /** hostVars is the merge of the inventory layers for one host, as ansible-inventory --host shows it. */
  hostVars(host: string): Vars {
    return mergeVarLayers(this.hostVarLayers(host));
  }

  /** match evaluates an Ansible host pattern; it throws TsplayError E_PATTERN for a malformed one. */
  match(pattern: string): string[] {
    return matchHosts(this.scope, pattern);
  }
}

/**
 * sourceVars are the inventory_file and inventory_dir Ansible's InventoryData.add_host sets on a
 * host from the source that first named it, before any variable of its own (a host line's
 * `inventory_dir=` still wins); a `h1,h2,` list has no directory (None).
 */
function sourceVars(source: string): Vars {
  return { inventory_file: source, inventory_dir: source.includes(',') && !isAbsolute(source) ? null : dirname(source) };
}

/** resolveSource turns one `-i` value into a path, trying `<baseDir>/inventories/<name>` for a bare name. */
export function resolveSource(source: string, baseDir: string, diags: Diagnostics): string | undefined {
  if (existsSync(source)) return resolve(source);
  if (!source.includes('/')) {
    const named = join(baseDir, 'inventories', source);
    if (existsSync(named)) return resolve(named);
    diags.add({ code: 'E_INV_SOURCE', message: `inventory source "${source}" does not exist`, hint: `looked for ./${source} and ${named}` });
    return undefined;
  }
  diags.add({ code: 'E_INV_SOURCE', message: `inventory source "${source}" does not exist` });
  return undefined;
}

/**
 * loadInventory reads `-i` sources (files, directories, `h1,h2,` lists, or names under
 * `<baseDir>/inventories/`) into one inventory; every problem is collected and thrown as
 * TsplayErrors. With no source the inventory holds only Ansible's implicit localhost.
 */
export function loadInventory(sources: readonly string[], opts: { baseDir: string }): AnsibleInventory {
  const diags = new Diagnostics();
  const data = new InventoryData();
  const varDirs: string[] = [];
  for (const s of sources) {
    if (!s) continue;
    if (s.includes(',') && !existsSync(s)) {
      parseHostList(s, data);
      continue;
    }
    const path = resolveSource(s, opts.baseDir, diags);
    if (!path) continue;
    parseSourcePath(path, data, diags);
    varDirs.push(isDir(path) ? path : dirname(path));
  }
  try {
    data.reconcile();
  } catch (e) {
    if (!(e instanceof InventoryGraphError)) throw e;
    diags.add({ code: 'E_INV_GROUP', message: e.message });
  }
  diags.throwIfAny();
  const inv = new AnsibleInventory(data, varDirs, diags);
  // vars files are read while building the public maps; a broken one is a load error too
  diags.throwIfAny();
  return inv;
}
