// Sorting a guest's NetworkManager profiles for one team (or its bond fallback): the controller
// profile, one port profile per port, and everything else bound to a port device — leftovers such
// as the seed's `eth1` or "Wired connection 1" that NetworkManager would otherwise activate
// instead of the port.
import { parseConnection, parseConnectionList, type ConnectionRow, type NmConnection } from '../../probes/nmcli.ts';
import type { TeamCurrent } from './current.ts';

/** Profile is one parsed profile with the device it is active on. */
export interface Profile {
  readonly conn: NmConnection;
  readonly activeOn: string | null;
}

/** ProfileSort is the outcome: what to keep, and what to delete with the reason. */
export interface ProfileSort {
  readonly controller: Profile | null;
  readonly ports: ReadonlyMap<string, Profile>;
  readonly remove: readonly { readonly profile: Profile; readonly why: string }[];
}

/** parseProfiles parses every profile read, in the order nmcli listed them. */
export function parseProfiles(cur: TeamCurrent): Profile[] {
  const rows: ConnectionRow[] = cur.connections.trim() === '' ? [] : parseConnectionList({ rc: 0, stdout: cur.connections, stderr: '' });
  return rows.flatMap((r) => {
    const text = cur.profiles[r.uuid];
    return text === undefined ? [] : [{ conn: parseConnection({ rc: 0, stdout: text, stderr: '' }), activeOn: r.device }];
  });
}

/**
 * sortProfiles picks the controller profile (type `kind`, interface `device`; the active one
 * first), one port profile per port (of that controller, on that interface), and lists the rest
 * that would fight over the same devices: duplicates, ports of this controller on other
 * interfaces, and any profile bound to a port device by name, MAC or activation.
 */
export function sortProfiles(all: readonly Profile[], kind: 'team' | 'bond', device: string, ports: readonly string[], macs: ReadonlyMap<string, string>): ProfileSort {
  const remove: { profile: Profile; why: string }[] = [];
  const controllers = all.filter((p) => p.conn.type === kind && p.conn.interfaceName === device).sort((a, b) => Number(b.activeOn === device) - Number(a.activeOn === device));
  const controller = controllers[0] ?? null;
  for (const d of controllers.slice(1)) remove.push({ profile: d, why: `a second ${kind} profile for ${device}` });
  const ids = new Set([device, controller?.conn.uuid, controller?.conn.id].filter((x): x is string => !!x));
  const mine = (p: Profile): boolean => p.conn.slaveType === kind && p.conn.master !== null && ids.has(p.conn.master);
  const portProfiles = new Map<string, Profile>();
  const kept = new Set<Profile>(controller ? [controller] : []);
  for (const p of all.filter(mine)) {
    const nic = p.conn.interfaceName;
    if (nic !== null && ports.includes(nic) && !portProfiles.has(nic)) {
      portProfiles.set(nic, p);
      kept.add(p);
    }
  }
  for (const p of all) {
    if (kept.has(p) || remove.some((r) => r.profile === p)) continue;
    const macNic = p.conn.macAddress ? [...macs].find(([, m]) => m.toLowerCase() === p.conn.macAddress!.toLowerCase())?.[0] : undefined;
    const bound = [p.conn.interfaceName, macNic, p.activeOn].find((d) => d && ports.includes(d));
    if (mine(p)) remove.push({ profile: p, why: bound ? `a second port profile for ${bound}` : `a port of ${device} on ${p.conn.interfaceName ?? 'no interface'}, which is not a port` });
    else if (bound) remove.push({ profile: p, why: `bound to port ${bound}; NetworkManager could activate it instead of the port` });
  }
  return { controller, ports: portProfiles, remove };
}
