import type { SourcePos } from '../errors/index.ts';

/** Vars is a variable mapping as Ansible keeps it: plain JSON-like data. */
export type Vars = Record<string, unknown>;

/** InventoryHost is one host with the variables set directly on it (host line, host_vars). */
export interface InventoryHost {
  readonly name: string;
  vars: Vars;
  /** groups the host is a direct member of, in definition order */
  readonly groups: string[];
  readonly pos?: SourcePos;
}

/** InventoryGroup is one group: direct hosts, child groups and its own vars. */
export interface InventoryGroup {
  readonly name: string;
  readonly hosts: string[];
  readonly children: string[];
  vars: Vars;
  readonly pos?: SourcePos;
}

/** Inventory is the merged result of all `-i` sources. */
export interface Inventory {
  readonly hosts: Map<string, InventoryHost>;
  readonly groups: Map<string, InventoryGroup>;
  /** the variables Ansible would give a host from the inventory alone, precedence applied */
  hostVars(host: string): Vars;
  /** hosts matching an Ansible host pattern, in inventory order */
  match(pattern: string): string[];
}
