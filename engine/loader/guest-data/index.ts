// The inventory's guest data, checked before a playbook contacts any host (README "The guest
// description"): a role that passes `guest.team` to nm_team or builds virt_network arguments from
// `libvirt_networks` would otherwise learn of a mistake only at run time, without its inventory place.
import { TsplayError } from '../../errors/index.ts';
import { locateGuestPath } from '../../guest/locate.ts';
import type { Inventory } from '../../inventory/types.ts';
import { crossHostProblems, type GuestHost } from './cross-host.ts';
import { guestProblems, networkProblems } from './per-host.ts';

/**
 * checkGuestData validates every host's `guest` and `libvirt_networks` (when any host has them) and
 * the guests against each other and their hypervisors; it returns every mistake found, as E_KS_DATA
 * errors at the inventory place of the offending value (the host's own line when that is unknown).
 */
export function checkGuestData(inventory: Inventory): TsplayError[] {
  // the hosts' and groups' own vars (host_vars and group_vars files included) say whether any host
  // can have these variables: most inventories have none, and merging every host's vars costs time
  const defines = (vars: Readonly<Record<string, unknown>>): boolean => vars['guest'] !== undefined || vars['libvirt_networks'] !== undefined;
  if (![...inventory.hosts.values(), ...inventory.groups.values()].some((e) => defines(e.vars))) return [];
  const guests: GuestHost[] = [];
  const problems = [];
  for (const [host, h] of inventory.hosts) {
    const vars = inventory.hostVars(host);
    if (vars['libvirt_networks'] !== undefined) problems.push(...networkProblems(host, vars, h.pos));
    if (vars['guest'] === undefined) continue;
    const locate = (path: readonly (string | number)[]) => locateGuestPath(vars, path) ?? h.pos;
    problems.push(...guestProblems(host, vars, locate));
    guests.push({ host, vars, locate });
  }
  if (guests.length > 0) problems.push(...crossHostProblems(guests, { has: (n) => inventory.hosts.has(n), vars: (n) => inventory.hostVars(n) }));
  return problems.map((p) => new TsplayError({ code: 'E_KS_DATA', message: `${p.path}: ${p.message}`, pos: p.pos, host: p.host }));
}
