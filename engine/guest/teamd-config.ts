import type { GuestTeam, LinkWatch } from './schema.ts';

/** TeamdConfig is the teamd JSON (man teamd.conf) a guest's team runs with. */
export interface TeamdConfig {
  device: string;
  runner: Record<string, unknown>;
  link_watch: Record<string, unknown> | Record<string, unknown>[];
  notify_peers?: Record<string, unknown>;
  mcast_rejoin?: Record<string, unknown>;
  ports: Record<string, Record<string, unknown>>;
}

function pick<T extends object>(obj: T, keys: readonly (keyof T)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k as string] = obj[k];
  return out;
}

/** linkWatchJson renders one watcher with its options in teamd's key order. */
export function linkWatchJson(lw: LinkWatch): Record<string, unknown> {
  return { ...lw };
}

/** portConfig is the per-port teamd JSON: prio, sticky, queue_id and the LACP keys when set. */
export function portConfig(port: GuestTeam['ports'][number]): Record<string, unknown> {
  return pick(port, ['prio', 'sticky', 'queue_id', 'lacp_prio', 'lacp_key']);
}

/** teamdConfig builds the full teamd JSON for a team: runner, link_watch and every port. */
export function teamdConfig(team: GuestTeam): TeamdConfig {
  const ports: Record<string, Record<string, unknown>> = {};
  for (const p of team.ports) ports[p.nic] = portConfig(p);
  return { device: team.device, ...teamPart(team), ports };
}

/** teamPart is the team-wide JSON without device and ports: runner, link_watch and, when set, notify_peers and mcast_rejoin. */
export function teamPart(team: GuestTeam): Omit<TeamdConfig, 'device' | 'ports'> {
  const lw = Array.isArray(team.link_watch) ? team.link_watch.map(linkWatchJson) : linkWatchJson(team.link_watch);
  return {
    runner: { name: team.runner, ...team.runner_options },
    link_watch: lw,
    ...(team.notify_peers ? { notify_peers: { ...team.notify_peers } } : {}),
    ...(team.mcast_rejoin ? { mcast_rejoin: { ...team.mcast_rejoin } } : {}),
  };
}

/** installerTeamConfig is the `--teamconfig` part: the team JSON without device and ports (those are on the line). */
export function installerTeamConfig(team: GuestTeam): Record<string, unknown> {
  return { ...teamPart(team) };
}

/** portProfileName is the NetworkManager profile name of a team or bond port: `<device>-port-<nic>`. */
export function portProfileName(device: string, nic: string): string {
  return `${device}-port-${nic}`;
}
