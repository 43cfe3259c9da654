// The inventory graph, kept the way Ansible's InventoryData/Group/Host keep it
// (lib/ansible/inventory/{data,group,host}.py), because ansible-inventory's output order, group
// depth and the `ungrouped` rules all fall out of these exact bookkeeping steps.
import type { SourcePos } from '../errors/index.ts';
import { compareCodePoints } from '../py/compare.ts';
import { setVar } from './combine-vars.ts';
import type { Vars } from './types.ts';

/** GroupNode is one group with its graph links, depth and priority. */
export class GroupNode {
  readonly name: string;
  readonly hosts: HostNode[] = [];
  readonly children: GroupNode[] = [];
  readonly parents: GroupNode[] = [];
  vars: Vars = {};
  depth = 0;
  priority = 1;
  pos: SourcePos | undefined;

  constructor(name: string, pos?: SourcePos) {
    this.name = name;
    this.pos = pos;
  }

  /** ancestors returns every group above this one. */
  ancestors(): Set<GroupNode> {
    return walk(this, (g) => g.parents);
  }

  /** descendantsOrdered lists this group, its children, then deeper levels, as Ansible orders them. */
  descendantsOrdered(): GroupNode[] {
    const ordered: GroupNode[] = [this, ...this.children];
    const seen = new Set<GroupNode>();
    let level: GroupNode[] = [this, ...this.children];
    while (level.length > 0) {
      for (const g of level) seen.add(g);
      const next: GroupNode[] = [];
      for (const g of level) {
        for (const c of g.children) {
          if (!seen.has(c)) {
            ordered.push(c);
            if (!next.includes(c)) next.push(c);
          }
        }
      }
      level = next;
    }
    return ordered;
  }

  /** allHosts lists the hosts of this group and all groups below it, first appearance first. */
  allHosts(): HostNode[] {
    const out: HostNode[] = [];
    const seen = new Set<HostNode>();
    for (const g of this.descendantsOrdered()) {
      for (const h of g.hosts) {
        if (seen.has(h)) continue;
        seen.add(h);
        if (this.name === 'all' && h.implicit) continue;
        out.push(h);
      }
    }
    return out;
  }
}

function walk(start: GroupNode, rel: (g: GroupNode) => GroupNode[]): Set<GroupNode> {
  const seen = new Set<GroupNode>();
  let todo = [...rel(start)];
  while (todo.length > 0) {
    const next: GroupNode[] = [];
    for (const g of todo) {
      if (seen.has(g)) continue;
      seen.add(g);
      next.push(...rel(g));
    }
    todo = next;
  }
  return seen;
}

/** HostNode is one host with the variables set on it by inventory sources. */
export class HostNode {
  readonly name: string;
  vars: Vars = {};
  implicit = false;
  pos: SourcePos | undefined;
  /** the inventory source that first named this host (Ansible's inventory_file) */
  source: string | undefined;

  constructor(name: string, pos?: SourcePos) {
    this.name = name;
    this.pos = pos;
  }
}

/** InventoryGraphError is a relationship Ansible refuses (a loop, a group inside itself). */
export class InventoryGraphError extends Error {}

/** InventoryData holds hosts and groups and keeps their relationships consistent. */
export class InventoryData {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();
  currentSource: string | undefined;
  private readonly implicit = new Map<string, HostNode>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  /** addGroup adds a group if it is new and returns it. */
  addGroup(name: string, pos?: SourcePos): GroupNode {
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupNode(name, pos);
      this.groups.set(name, g);
    }
    return g;
  }

  /** addHost adds a host if it is new (with its port) and puts it in a group. */
  addHost(name: string, group: string | undefined, port: number | undefined, pos?: SourcePos): HostNode {
    let h = this.hosts.get(name);
    if (!h) {
      h = new HostNode(name, pos);
      if (port) h.vars['ansible_port'] = port;
      h.source = this.currentSource;
      this.hosts.set(name, h);
    }
    if (group !== undefined) {
      const g = this.groups.get(group);
      if (!g) throw new InventoryGraphError(`Could not find group ${group} in inventory`);
      if (!g.hosts.includes(h)) g.hosts.push(h);
    }
    return h;
  }

  /** implicitLocalhost returns Ansible's implicit localhost for a name not in the inventory (connection local, in no group). */
  implicitLocalhost(name: string): HostNode {
    let h = this.implicit.get(name);
    if (!h) {
      h = new HostNode(name);
      h.implicit = true;
      h.vars = { ansible_connection: 'local' };
      this.implicit.set(name, h);
    }
    return h;
  }

  /** addChild makes a group or host a member of a group, checking for loops as Ansible does. */
  addChild(parentName: string, childName: string): void {
    const parent = this.groups.get(parentName);
    if (!parent) throw new InventoryGraphError(`${parentName} is not a known group`);
    const child = this.groups.get(childName);
    if (child) {
      addChildGroup(parent, child);
      return;
    }
    const host = this.hosts.get(childName);
    if (!host) throw new InventoryGraphError(`${childName} is not a known host nor group`);
    if (!parent.hosts.includes(host)) parent.hosts.push(host);
  }

  /** setGroupVar sets a group variable; ansible_group_priority sets the priority instead. */
  setGroupVar(group: GroupNode, key: string, from: object, fromKey: string | number): void {
    if (key === 'ansible_group_priority') {
      const v = (from as Record<string | number, unknown>)[fromKey];
      const n = typeof v === 'number' ? Math.trunc(v) : typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw new InventoryGraphError(`ansible_group_priority must be an integer, got ${JSON.stringify(v)}`);
      group.priority = n;
      return;
    }
    setVar(group.vars, key, from, fromKey);
  }

  /** groupsOf returns every group a host belongs to, directly or through ancestors. */
  groupsOf(host: HostNode): GroupNode[] {
    const out: GroupNode[] = [];
    for (const g of this.groups.values()) {
      if (g.hosts.includes(host)) {
        for (const a of [...g.ancestors(), g]) if (!out.includes(a)) out.push(a);
      }
    }
    return out;
  }

  /** reconcile applies Ansible's final rules: top groups under `all`, `ungrouped` only for groupless hosts. */
  reconcile(): void {
    const all = this.groups.get('all');
    const ungrouped = this.groups.get('ungrouped');
    if (!all || !ungrouped) return;
    for (const g of this.groups.values()) {
      if (g !== all && g.ancestors().size === 0) addChildGroup(all, g);
    }
    for (const h of this.hosts.values()) {
      const mine = this.groupsOf(h);
      if (mine.includes(ungrouped)) {
        if (mine.some((g) => g !== all && g !== ungrouped)) ungrouped.hosts.splice(ungrouped.hosts.indexOf(h), 1);
      } else if (!h.implicit) {
        if (mine.length === 0 || (mine.length === 1 && mine[0] === all)) ungrouped.hosts.push(h);
      }
    }
  }
}

function addChildGroup(parent: GroupNode, child: GroupNode): void {
  if (parent === child) throw new InventoryGraphError(`can't add group ${child.name} to itself`);
  if (parent.children.includes(child)) return;
  if (parent.ancestors().has(child)) {
    throw new InventoryGraphError(`Adding group '${child.name}' as child to '${parent.name}' creates a recursive dependency loop.`);
  }
  parent.children.push(child);
  child.depth = Math.max(parent.depth + 1, child.depth);
  deepenChildren(child);
  if (!child.parents.includes(parent)) child.parents.push(parent);
}

function deepenChildren(g: GroupNode): void {
  let level = [...g.children];
  let depth = g.depth;
  while (level.length > 0) {
    depth++;
    const next: GroupNode[] = [];
    for (const c of level) {
      if (c.depth < depth) {
        c.depth = depth;
        next.push(...c.children);
      }
    }
    level = next;
  }
}

/** sortGroups orders groups as Ansible merges their vars: depth, then priority, then name. */
export function sortGroups(groups: readonly GroupNode[]): GroupNode[] {
  return [...groups].sort((a, b) => a.depth - b.depth || a.priority - b.priority || compareCodePoints(a.name, b.name));
}
