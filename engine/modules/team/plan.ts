// nm_team's pure plan: the desired team against the profile layer (team.config + each port's
// team-port.config), teamd's running config and the addresses, with the least disruptive way to
// get there. NetworkManager 1.42 cannot reapply team or team-port settings (NMDeviceTeam has no
// reapply hook), so: ipv4 = modify + `nmcli device reapply` (live); a port's prio/sticky/... =
// modify + `teamdctl T port config update` (live, the link stays up); runner, link watch,
// notify_peers, mcast_rejoin = modify + re-activation (`nmcli connection up`: teamd restarts and
// the link bounces), class `restart`, refused unless allow_restart.
import type { GuestTeam } from '../../guest/schema.ts';
import { portConfig, portProfileName, teamPart } from '../../guest/teamd-config.ts';
import type { Change, Plan, PlanContext } from '../types.ts';
import type { NmTeamArgs } from './args.ts';
import type { TeamCurrent } from './current.ts';
import { planBond } from './bond-plan.ts';
import { carrierOf, guardFor } from './guard.ts';
import { ipv4Diffs, ipv4Fields, nmcliWords } from './ipv4.ts';
import { parseProfiles, sortProfiles, type ProfileSort } from './profiles.ts';
import type { TeamPayload, TeamStep } from './steps.ts';
import { diffTeamd, normaliseTeamd, normalisePort, quietDiffs, type LeafDiff, type TeamdJson } from './teamd-json.ts';
import { parseTeamConfig } from '../../probes/teamdctl.ts';

/** macsOf maps each port to its MAC from the guest's nics, when given. */
export function macsOf(args: NmTeamArgs): Map<string, string> {
  return new Map((args.nics ?? []).filter((n) => args.team.ports.some((p) => p.nic === n.name)).map((n) => [n.name, n.mac]));
}

/** desiredTeamd is the normalised config the guest description asks teamd to run. */
export function desiredTeamd(team: GuestTeam): TeamdJson {
  return normaliseTeamd(desiredRaw(team));
}

// The teamd JSON as the description spells it, before defaults: what the user asked for.
function desiredRaw(team: GuestTeam): Record<string, unknown> {
  return { ...teamPart(team), ports: Object.fromEntries(team.ports.map((p) => [p.nic, portConfig(p)])) };
}

const jsonOrEmpty = (o: Record<string, unknown>): string => (Object.keys(o).length === 0 ? '' : JSON.stringify(o));

// The profile layer as teamd would get it: team.config, with each port profile's config on top.
function profileTeamd(sorted: ProfileSort): TeamdJson | null {
  if (!sorted.controller) return null;
  const ports: Record<string, unknown> = {};
  for (const [nic, p] of sorted.ports) ports[nic] = p.conn.teamPortConfig ?? {};
  return normaliseTeamd(sorted.controller.conn.teamConfig ?? {}, ports);
}

/** removeSteps deletes the profiles that would fight over the port devices. */
export function removeSteps(sorted: ProfileSort): { changes: Change[]; steps: TeamStep[] } {
  return {
    changes: sorted.remove.map((r) => ({ property: `profile ${r.profile.conn.id}`, before: r.why, after: null, class: 'live' as const })),
    steps: sorted.remove.map((r) => ({ run: ['nmcli', 'connection', 'delete', 'uuid', r.profile.conn.uuid], why: `delete profile ${r.profile.conn.id} (${r.why})` })),
  };
}

// One change per differing value; a value wrong in one layer only names that layer.
function layerChanges(profile: LeafDiff[], running: LeafDiff[], klass: (path: string) => Change['class']): Change[] {
  const paths = [...new Set([...profile, ...running].map((d) => d.path))].sort();
  return paths.map((path) => {
    const p = profile.find((d) => d.path === path);
    const r = running.find((d) => d.path === path);
    const suffix = p && r ? '' : p ? ' (profile only; teamd already runs it)' : ' (running teamd only; the profile has it: half-applied)';
    return { property: `${path}${suffix}`, before: (p ?? r)!.before, after: (p ?? r)!.after, class: klass(path) };
  });
}

/** planTeam compares the desired team with every layer and lists the steps, least disruptive first. */
export function planTeam(args: NmTeamArgs, cur: TeamCurrent, ctx: PlanContext): Plan<TeamPayload> {
  if (cur.plugin === '') return planBond(args, cur, ctx);
  const team = args.team;
  const device = team.device;
  const nics = team.ports.map((p) => p.nic);
  const sorted = sortProfiles(parseProfiles(cur), 'team', device, nics, macsOf(args));
  const want = desiredTeamd(team);
  const teamJson = JSON.stringify(teamPart(team));
  const v4 = ipv4Fields(team);
  const changes: Change[] = [];
  const steps: TeamStep[] = [];
  const removal = removeSteps(sorted);
  const guard = guardFor(args, cur, ctx, device, nics);
  const payload = (s: TeamStep[]): TeamPayload => ({ steps: s, guard, device, verify: want });

  if (!sorted.controller) return planCreate({ team, device, nics, teamJson, v4, removal, guard }, payload);

  const ctl = sorted.controller.conn;
  const raw = desiredRaw(team);
  const profile = profileTeamd(sorted)!;
  const profileDiffs = quietDiffs(diffTeamd(profile, want), profile, raw);
  const running = cur.teamdConfig === null ? null : normaliseTeamd(parseTeamConfig({ rc: 0, stdout: cur.teamdConfig, stderr: '' }));
  const runningDiffs = running ? quietDiffs(diffTeamd(running, want), running, raw) : [];
  const teamLevel = (d: LeafDiff): boolean => !d.path.startsWith('ports.');
  const reactivate = running === null || runningDiffs.some(teamLevel);
  changes.push(...layerChanges(profileDiffs, runningDiffs, (path) => (!path.startsWith('ports.') && running !== null ? 'restart' : 'live')));
  if (running === null) changes.push({ property: `${device} active`, before: false, after: true, class: 'live' });

  // profile layer: team.config, ipv4, port profiles (created where missing)
  const v4Diffs = ipv4Diffs(ctl, v4);
  changes.push(...v4Diffs.map((d) => ({ property: d.path, before: d.before, after: d.after, class: 'live' as const })));
  const ctlMods = [...(profileDiffs.some(teamLevel) ? ['team.config', teamJson] : []), ...nmcliWords(Object.fromEntries(v4Diffs.map((d) => [d.path, d.after])))];
  if (ctlMods.length > 0) steps.push({ run: ['nmcli', 'connection', 'modify', 'uuid', ctl.uuid, ...ctlMods], why: `modify ${ctl.id}` });
  const joins: string[] = [];
  for (const p of team.ports) {
    const prof = sorted.ports.get(p.nic);
    const json = jsonOrEmpty(portConfig(p));
    if (!prof) {
      const name = portProfileName(device, p.nic);
      changes.push({ property: `profile ${name}`, before: null, after: `port ${p.nic} of ${device}`, class: 'live' });
      steps.push({
        run: ['nmcli', 'connection', 'add', 'type', 'ethernet', 'con-name', name, 'ifname', p.nic, 'master', device, 'slave-type', 'team', 'team-port.config', json],
        why: `create port profile ${name}`,
      });
      joins.push(name);
    } else if (profileDiffs.some((d) => d.path === `ports.${p.nic}` || d.path.startsWith(`ports.${p.nic}.`))) {
      steps.push({ run: ['nmcli', 'connection', 'modify', 'uuid', prof.conn.uuid, 'team-port.config', json], why: `modify ${prof.conn.id}` });
    }
  }
  changes.push(...removal.changes);
  steps.push(...removal.steps);

  planActivation({ team, device, ctl, sorted, running, runningDiffs, v4, v4Diffs, joins, reactivate, cur }, changes, steps);

  if (changes.length === 0) return { changes, reason: `${device} converged: profiles and running teamd match (teamd defaults filled in)` };
  const restart = changes.filter((c) => c.class === 'restart');
  const how = reactivate ? `re-activate ${ctl.id} (the link bounces)` : 'modify + reapply / teamdctl port update (no link bounce)';
  if (restart.length > 0 && !args.allow_restart) {
    return {
      changes,
      failed: true,
      payload: payload(steps),
      msg: `${device}: ${restart.map((c) => c.property).join(', ')} need${restart.length === 1 ? 's' : ''} a re-activation of the team (teamd restarts, the link bounces); set allow_restart: true to allow it`,
    };
  }
  return { changes, payload: payload(steps), msg: `${device}: ${how}${guard ? guardText(guard) : ''}` };
}

/** planCreate is the plan for a guest without the team profile: create team and ports, drop the leftovers, activate. */
function planCreate(
  c: { team: NmTeamArgs['team']; device: string; nics: string[]; teamJson: string; v4: ReturnType<typeof ipv4Fields>; removal: ReturnType<typeof removeSteps>; guard: ReturnType<typeof guardFor> },
  payload: (s: TeamStep[]) => TeamPayload,
): Plan<TeamPayload> {
  const { team, device, nics, teamJson, v4, removal, guard } = c;
  const changes: Change[] = [];
  const steps: TeamStep[] = [];
  changes.push({ property: `profile ${device}`, before: null, after: `team ${team.runner} over ${nics.join(', ')}`, class: 'live' });
  steps.push({ run: ['nmcli', 'connection', 'add', 'type', 'team', 'con-name', device, 'ifname', device, 'team.config', teamJson, ...nmcliWords(v4)], why: `create team profile ${device}` });
  for (const p of team.ports) {
    const name = portProfileName(device, p.nic);
    steps.push({
      run: ['nmcli', 'connection', 'add', 'type', 'ethernet', 'con-name', name, 'ifname', p.nic, 'master', device, 'slave-type', 'team', 'team-port.config', jsonOrEmpty(portConfig(p))],
      why: `create port profile ${name}`,
    });
  }
  changes.push(...removal.changes);
  steps.push(...removal.steps, { run: ['nmcli', 'connection', 'up', 'id', device], why: `activate ${device}` });
  for (const n of nics) steps.push({ run: ['nmcli', 'connection', 'up', 'id', portProfileName(device, n)], why: `activate port ${n}` });
  return { changes, payload: payload(steps), msg: `create ${device} and activate it${guard ? guardText(guard) : ''}` };
}

/**
 * planActivation brings the running teamd to the profiles with the least disruption: a
 * re-activation where a team-level setting changed, else port configs updated in place and
 * addresses reapplied (NM cannot reapply team-port settings; teamd takes them live).
 */
function planActivation(
  a: {
    team: NmTeamArgs['team'];
    device: string;
    ctl: { uuid: string; id: string };
    sorted: ReturnType<typeof sortProfiles>;
    running: ReturnType<typeof normaliseTeamd> | null;
    runningDiffs: LeafDiff[];
    v4: ReturnType<typeof ipv4Fields>;
    v4Diffs: ReturnType<typeof ipv4Diffs>;
    joins: string[];
    reactivate: boolean;
    cur: TeamCurrent;
  },
  changes: Change[],
  steps: TeamStep[],
): void {
  const { team, device, ctl, sorted, running, runningDiffs, v4, v4Diffs, joins, reactivate, cur } = a;
  if (reactivate) {
    steps.push({ run: ['nmcli', 'connection', 'up', 'uuid', ctl.uuid], why: `re-activate ${ctl.id} (teamd restarts with the new config)` });
    for (const p of team.ports) {
      const prof = sorted.ports.get(p.nic);
      steps.push({ run: ['nmcli', 'connection', 'up', ...(prof ? ['uuid', prof.conn.uuid] : ['id', portProfileName(device, p.nic)])], why: `re-activate port ${p.nic}` });
    }
  } else {
    // live: teamd takes a port's config in place; NM cannot reapply team-port settings
    for (const p of team.ports) {
      const joined = running!.ports[p.nic] !== undefined;
      if (!joined) {
        if (!joins.includes(portProfileName(device, p.nic)) && !changes.some((c) => c.property.startsWith(`ports.${p.nic}`)))
          changes.push({ property: `ports.${p.nic} (running teamd)`, before: null, after: normalisePort(portConfig(p)), class: 'live' });
        const prof = sorted.ports.get(p.nic);
        steps.push({ run: ['nmcli', 'connection', 'up', ...(prof ? ['uuid', prof.conn.uuid] : ['id', portProfileName(device, p.nic)])], why: `activate port ${p.nic}` });
      } else if (runningDiffs.some((d) => d.path.startsWith(`ports.${p.nic}.`))) {
        steps.push({ run: ['teamdctl', device, 'port', 'config', 'update', p.nic, JSON.stringify(portConfig(p))], why: `update ${p.nic}'s config in the running teamd` });
      }
    }
    if (v4Diffs.length > 0 || staticMissing(team, cur)) {
      if (v4Diffs.length === 0) changes.push({ property: `ipv4.addresses (running ${device}; the profile has it: half-applied)`, before: null, after: v4['ipv4.addresses'], class: 'live' });
      steps.push({ run: ['nmcli', 'device', 'reapply', device], why: `reapply ${ctl.id} to ${device} (no link bounce)` });
    }
  }
}

function staticMissing(team: GuestTeam, cur: TeamCurrent): boolean {
  if (team.ipv4.method !== 'static' || cur.addrs.trim() === '') return false;
  return carrierOf(cur.addrs, team.ipv4.address.split('/')[0]!) !== team.device;
}

/** guardText is the plan's note on a checkpoint-guarded change. */
export function guardText(g: NonNullable<TeamPayload['guard']>): string {
  return `; guarded by a NetworkManager checkpoint, rollback after ${g.timeout} s (the controller reaches ${g.controller}${g.carrier ? ` through ${g.carrier}` : ''}${g.reconnectTo ? `; it reconnects to ${g.reconnectTo}` : ''})`;
}
