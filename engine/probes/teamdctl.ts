// teamdctl probes (libteam 1.31). All three dumps are JSON. Quirk: `state dump` reports the
// team's MAC for every port (activebackup gives all ports the team's address), so a port's own
// MAC is not visible here; the runner's active port is under runner.active_port.
import { mustSucceed, obj, parseJson, str, num, type Probe, type ProbeOutput } from './types.ts';

/** TeamPortState is one port's runtime state. */
export interface TeamPortState {
  readonly name: string;
  readonly linkUp: boolean;
  /** the link watchers' verdict (what the runner uses) */
  readonly linkWatchesUp: boolean;
  readonly downCount: number;
  readonly watchers: string[];
  /** the link's speed and duplex as teamd sees them (virtio reports -1; a down link 0 / half) */
  readonly speed: number | null;
  readonly duplex: string | null;
}

/** TeamState is `teamdctl TEAM state dump`. */
export interface TeamState {
  readonly runner: string;
  readonly activePort: string | null;
  readonly teamdPid: number | null;
  readonly ports: TeamPortState[];
}

/** parseTeamState parses `teamdctl TEAM state dump`. */
export function parseTeamState(out: ProbeOutput): TeamState {
  const o = obj(parseJson('teamdctl state dump', mustSucceed('teamdctl state dump', out)));
  const setup = obj(o['setup']);
  const ports = obj(o['ports']);
  return {
    runner: str(setup['runner_name']) ?? '',
    activePort: str(obj(o['runner'])['active_port']) || null,
    teamdPid: num(setup['pid']) ?? null,
    ports: Object.keys(ports)
      .sort()
      .map((name) => {
        const p = obj(ports[name]);
        const lw = obj(p['link_watches']);
        const list = obj(lw['list']);
        const watchers = Object.values(list).map((w) => obj(w));
        const link = obj(p['link']);
        return {
          name,
          linkUp: link['up'] === true,
          linkWatchesUp: lw['up'] === true,
          downCount: watchers.reduce((s, w) => s + (num(w['down_count']) ?? 0), 0),
          watchers: watchers.map((w) => str(w['name']) ?? ''),
          speed: num(link['speed']) ?? null,
          duplex: str(link['duplex']) ?? null,
        };
      }),
  };
}

/** teamStateProbe reads a team's runtime state. */
export function teamStateProbe(team: string): Probe<TeamState> {
  return { argv: ['teamdctl', team, 'state', 'dump'], parse: parseTeamState };
}

/** parseTeamConfig parses `teamdctl TEAM config dump actual` into the JSON object teamd runs with. */
export function parseTeamConfig(out: ProbeOutput): Record<string, unknown> {
  return obj(parseJson('teamdctl config dump', mustSucceed('teamdctl config dump', out)));
}

/** teamConfigProbe reads the config teamd actually runs (defaults such as notify_peers filled in). */
export function teamConfigProbe(team: string): Probe<Record<string, unknown>> {
  return { argv: ['teamdctl', team, 'config', 'dump', 'actual'], parse: parseTeamConfig };
}

/** teamPortConfigProbe reads one port's config ({"prio": 100, ...}). */
export function teamPortConfigProbe(team: string, port: string): Probe<Record<string, unknown>> {
  return { argv: ['teamdctl', team, 'port', 'config', 'dump', port], parse: parseTeamConfig };
}
