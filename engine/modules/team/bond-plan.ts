// The fallback where NetworkManager has no team plugin (RHEL 10, or no NetworkManager-team): the
// same `team` value becomes a bond with the mapping the kickstart uses (engine/guest/bond-fallback.ts),
// with its warnings, or the task fails when team_fallback is `refuse`. NM can reapply bond options
// except the mode on a running bond; a mode change re-activates it (class restart).
import { bondFromTeam } from '../../guest/bond-fallback.ts';
import { portProfileName } from '../../guest/teamd-config.ts';
import type { Change, Plan, PlanContext } from '../types.ts';
import type { NmTeamArgs } from './args.ts';
import type { TeamCurrent } from './current.ts';
import { guardFor } from './guard.ts';
import { ipv4Diffs, ipv4Fields, nmcliWords } from './ipv4.ts';
import { parseProfiles, sortProfiles } from './profiles.ts';
import type { TeamPayload, TeamStep } from './steps.ts';

const NO_PLUGIN = 'NetworkManager on this host has no team plugin (RHEL 10, or NetworkManager-team / teamd not installed)';

function optionMap(text: string): Map<string, string> {
  return new Map(
    text
      .split(',')
      .map((kv) => kv.trim())
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
}

/** planBond plans the bond that stands in for the team, or refuses. */
export function planBond(args: NmTeamArgs, cur: TeamCurrent, ctx: PlanContext): Plan<TeamPayload> {
  if (args.team_fallback === 'refuse') return { changes: [], failed: true, msg: `${args.team.device}: ${NO_PLUGIN}, and team_fallback is refuse` };
  const bond = bondFromTeam(args.team);
  const device = bond.device;
  const sorted = sortProfiles(parseProfiles(cur), 'bond', device, bond.ports, new Map((args.nics ?? []).map((n) => [n.name, n.mac])));
  const v4 = ipv4Fields(args.team);
  const options = bond.options.join(',');
  const warn = [`${args.team.device} becomes bond ${device}: ${NO_PLUGIN}`, ...bond.warnings].join('; ');
  const changes: Change[] = [];
  const steps: TeamStep[] = [];
  const guard = guardFor(args, cur, ctx, device, bond.ports);
  const payload = (): TeamPayload => ({ steps, guard, device, verify: null });
  if (!sorted.controller) {
    changes.push({ property: `profile ${device}`, before: null, after: `bond ${options}`, class: 'live' });
    steps.push({ run: ['nmcli', 'connection', 'add', 'type', 'bond', 'con-name', device, 'ifname', device, 'bond.options', options, ...nmcliWords(v4)], why: `create bond profile ${device}` });
  } else {
    const ctl = sorted.controller.conn;
    const have = optionMap(ctl.fields['bond.options'] ?? '');
    const want = optionMap(options);
    let modeChange = false;
    for (const k of [...new Set([...have.keys(), ...want.keys()])].sort()) {
      if (have.get(k) === want.get(k) || (k !== 'mode' && !want.has(k))) continue;
      if (k === 'mode') modeChange = true;
      changes.push({ property: `bond.options.${k}`, before: have.get(k) ?? null, after: want.get(k) ?? null, class: k === 'mode' ? 'restart' : 'live' });
    }
    const v4Diffs = ipv4Diffs(ctl, v4);
    changes.push(...v4Diffs.map((d) => ({ property: d.path, before: d.before, after: d.after, class: 'live' as const })));
    const mods = [...(changes.some((c) => c.property.startsWith('bond.options.')) ? ['bond.options', options] : []), ...nmcliWords(Object.fromEntries(v4Diffs.map((d) => [d.path, d.after])))];
    if (mods.length > 0) {
      steps.push({ run: ['nmcli', 'connection', 'modify', 'uuid', ctl.uuid, ...mods], why: `modify ${ctl.id}` });
      steps.push(
        modeChange
          ? { run: ['nmcli', 'connection', 'up', 'uuid', ctl.uuid], why: `re-activate ${ctl.id} (a bond mode change)` }
          : { run: ['nmcli', 'device', 'reapply', device], why: `reapply ${ctl.id} (no link bounce)` },
      );
    }
  }
  const joins: string[] = [];
  for (const nic of bond.ports) {
    if (sorted.ports.has(nic)) continue;
    const name = portProfileName(device, nic);
    changes.push({ property: `profile ${name}`, before: null, after: `port ${nic} of ${device}`, class: 'live' });
    steps.push({ run: ['nmcli', 'connection', 'add', 'type', 'ethernet', 'con-name', name, 'ifname', nic, 'master', device, 'slave-type', 'bond'], why: `create port profile ${name}` });
    joins.push(name);
  }
  for (const r of sorted.remove) {
    changes.push({ property: `profile ${r.profile.conn.id}`, before: r.why, after: null, class: 'live' });
    steps.push({ run: ['nmcli', 'connection', 'delete', 'uuid', r.profile.conn.uuid], why: `delete profile ${r.profile.conn.id} (${r.why})` });
  }
  if (!sorted.controller) steps.push({ run: ['nmcli', 'connection', 'up', 'id', device], why: `activate ${device}` });
  for (const name of joins) steps.push({ run: ['nmcli', 'connection', 'up', 'id', name], why: `activate ${name}` });
  if (changes.length === 0) return { changes, reason: `${device} converged (bond fallback for ${args.team.device})`, msg: warn };
  const restart = changes.filter((c) => c.class === 'restart');
  if (restart.length > 0 && !args.allow_restart)
    return { changes, failed: true, payload: payload(), msg: `${warn}; ${device}: a bond mode change re-activates the bond (the link bounces); set allow_restart: true to allow it` };
  return { changes, payload: payload(), msg: warn };
}
