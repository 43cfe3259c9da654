// Edited copies of the lab's inventory (inventories/lab), for a run that changes one thing: the
// directory copied, hosts.yml parsed, edited and written back. The types name only the parts the
// lab tests edit.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { LAB_INVENTORY } from './lab.ts';

/** LabNic is one NIC of a guest description. */
export interface LabNic {
  name: string;
  mac: string;
  network: string;
  address?: string;
  bandwidth?: { inbound?: { average: number } };
}

/** LabGuest is the part of a `guest` description the tests edit. */
export interface LabGuest {
  hostname: string;
  nics: LabNic[];
  team: { ports: { nic: string; prio: number }[] };
}

/** LabNetwork is one `libvirt_networks` entry. */
export interface LabNetwork {
  cidr: string;
  bridge: { name: string; stp: boolean; delay: number; ageing: number };
  [k: string]: unknown;
}

/** LabInventory is hosts.yml as the tests see it. */
export interface LabInventory {
  all: {
    children: {
      hypervisors: { vars: Record<string, unknown>; hosts: Record<string, { libvirt_networks: Record<string, LabNetwork> } & Record<string, unknown>> };
      vms: { children: { guests: { hosts: Record<string, { guest: LabGuest }> } } };
    };
  };
}

/** editedInventory copies the lab's inventory to `dir`/`name` with `edit` applied to hosts.yml, and returns the copy's path. */
export function editedInventory(dir: string, name: string, edit: (inv: LabInventory) => void = () => undefined): string {
  const to = join(dir, name);
  cpSync(LAB_INVENTORY, to, { recursive: true });
  const inv = parse(readFileSync(join(to, 'hosts.yml'), 'utf8')) as LabInventory;
  edit(inv);
  writeFileSync(join(to, 'hosts.yml'), stringify(inv));
  return to;
}

/** guestOf is a guest's `guest` description in an inventory being edited. */
export const guestOf = (inv: LabInventory, host: string): LabGuest => inv.all.children.vms.children.guests.hosts[host]!.guest;

/** hypervisorVars is a hypervisor's host entry (its vars) in an inventory being edited. */
export const hypervisorVars = (inv: LabInventory, host: string): LabInventory['all']['children']['hypervisors']['hosts'][string] => inv.all.children.hypervisors.hosts[host]!;
