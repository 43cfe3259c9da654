// teamd_state's pure check of `teamdctl T state dump` (and `config dump actual` for the ports'
// prio and stickiness): runner, active port, every port's link and link watch, and whether the
// active port is the one activebackup's prio rule picks. A mismatch fails the task with every unmet
// point, so `until`/`retries` can wait for a failover to settle.
import { z } from 'zod';
import { TEAM_RUNNERS } from '../../guest/schema.ts';
import { parseTeamConfig, parseTeamState, type TeamState } from '../../probes/teamdctl.ts';
import { abool } from '../support/args.ts';
import type { Plan } from '../types.ts';
import { normaliseTeamd } from './teamd-json.ts';

const ifname = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'an interface name: 1-15 letters, digits, _ . -');

/** teamdStateArgsSchema is what teamd_state asserts. */
export const teamdStateArgsSchema = z.strictObject({
  device: ifname.default('team0'),
  runner: z.enum(TEAM_RUNNERS).optional(),
  /** a port name, or `any` for "some port is active" */
  active_port: z.union([z.literal('any'), ifname]).optional(),
  /** ports that must be in the team (default: whatever teamd has) */
  ports: z.array(ifname).optional(),
  /** every port's link and link watch up (default true); false asserts nothing about links */
  links_up: abool.default(true),
  /** the link watcher every port must use */
  link_watch: z.enum(['ethtool', 'arp_ping', 'nsna_ping']).optional(),
  /** activebackup: the active port is the highest-prio port whose link is up, unless the active one is sticky (default true) */
  active_by_prio: abool.default(true),
});

/** TeamdStateArgs is teamd_state's validated arguments. */
export type TeamdStateArgs = z.infer<typeof teamdStateArgsSchema>;

/** TeamdDumps is what teamd_state reads: `state dump` and `config dump actual` (null: the command failed). */
export interface TeamdDumps {
  readonly state: string | null;
  readonly config: string | null;
}

type PortPrefs = Record<string, { prio: number; sticky: boolean }>;

/** portPrefs is every port's prio and stickiness from teamd's running config, teamd's defaults (prio 0, not sticky) filled in. */
function portPrefs(config: string): PortPrefs {
  const ports = normaliseTeamd(parseTeamConfig({ rc: 0, stdout: config, stderr: '' })).ports;
  return Object.fromEntries(Object.entries(ports).map(([n, p]) => [n, { prio: typeof p['prio'] === 'number' ? p['prio'] : 0, sticky: p['sticky'] === true }]));
}

const named = (names: readonly string[], prefs: PortPrefs): string => names.map((n) => `${n} (prio ${prefs[n]?.prio ?? 0})`).join(', ');

/**
 * activeVsPrio says where the active port disagrees with activebackup's choice (null: it agrees, or
 * the rule does not decide). teamd (libteam 1.31 ab_link_watch_handler) counts a port as up when its
 * link watches are, keeps an up sticky active port, else makes the up port with the highest prio
 * active, keeping the current one on a tie. Its comparison also takes a faster port over a higher
 * prio (ab_best_port_check_set tests speed on its own), so the rule is only decided among up ports
 * of one speed and duplex; `undecided` says when it was not.
 */
function activeVsPrio(st: TeamState, prefs: PortPrefs): { bad: string | null; undecided?: string } {
  const up = st.ports.filter((p) => p.linkWatchesUp);
  if (up.length === 0) return { bad: null };
  const active = st.activePort;
  if (!active)
    return {
      bad: `no port is active though ${named(
        up.map((p) => p.name),
        prefs,
      )} ${up.length === 1 ? 'has its' : 'have their'} link up`,
    };
  const cur = st.ports.find((p) => p.name === active);
  if (!cur?.linkWatchesUp)
    return {
      bad: `active port ${active} has its link watch down while ${named(
        up.map((p) => p.name),
        prefs,
      )} ${up.length === 1 ? 'is' : 'are'} up`,
    };
  if (prefs[active]?.sticky) return { bad: null };
  if (new Set(up.map((p) => `${p.speed}/${p.duplex}`)).size > 1)
    return { bad: null, undecided: `ports with their link up differ in speed/duplex (${up.map((p) => `${p.name} ${p.speed}/${p.duplex}`).join(', ')}): teamd may prefer the faster port over prio` };
  const top = Math.max(...up.map((p) => prefs[p.name]?.prio ?? 0));
  const mine = prefs[active]?.prio ?? 0;
  if (mine >= top) return { bad: null };
  const better = up.filter((p) => (prefs[p.name]?.prio ?? 0) === top).map((p) => p.name);
  return {
    bad: `active port ${active} (prio ${mine}) disagrees with the ports' prio: ${named(better, prefs)} ${better.length === 1 ? 'has its' : 'have their'} link up and ${active} is not sticky, so activebackup should have made ${better.length === 1 ? better[0] : `one of ${better.join(', ')}`} active`,
  };
}

/** planTeamdState checks the dumps (state null: teamd does not answer) against the assertions. */
export function planTeamdState(args: TeamdStateArgs, dumps: TeamdDumps): Plan {
  if (dumps.state === null) return { changes: [], failed: true, msg: `${args.device}: no teamd answers (teamdctl ${args.device} state dump failed)` };
  const st = parseTeamState({ rc: 0, stdout: dumps.state, stderr: '' });
  const prefs = dumps.config === null ? null : portPrefs(dumps.config);
  const bad: string[] = [];
  if (args.runner && st.runner !== args.runner) bad.push(`runner is ${st.runner}, not ${args.runner}`);
  if (args.active_port === 'any' && !st.activePort) bad.push('no port is active');
  else if (args.active_port && args.active_port !== 'any' && st.activePort !== args.active_port) bad.push(`active port is ${st.activePort ?? 'none'}, not ${args.active_port}`);
  const names = st.ports.map((p) => p.name);
  for (const p of args.ports ?? []) if (!names.includes(p)) bad.push(`port ${p} is not in the team`);
  for (const p of st.ports) {
    if (args.links_up && !p.linkUp) bad.push(`port ${p.name}: link down`);
    if (args.links_up && !p.linkWatchesUp) bad.push(`port ${p.name}: link watch ${p.watchers.join('+')} down (${p.downCount} downs)`);
    if (args.link_watch && !p.watchers.includes(args.link_watch)) bad.push(`port ${p.name} watches with ${p.watchers.join('+') || 'nothing'}, not ${args.link_watch}`);
  }
  let prioNote: string | undefined;
  if (args.active_by_prio && st.runner === 'activebackup') {
    if (prefs === null) bad.push(`teamdctl ${args.device} config dump actual failed: the active port cannot be checked against the ports' prio`);
    else {
      const v = activeVsPrio(st, prefs);
      if (v.bad) bad.push(v.bad);
      prioNote = v.undecided;
    }
  }
  const result = {
    runner: st.runner,
    active_port: st.activePort,
    ports: st.ports.map((p) => ({
      name: p.name,
      link_up: p.linkUp,
      link_watches_up: p.linkWatchesUp,
      down_count: p.downCount,
      prio: prefs?.[p.name]?.prio ?? null,
      sticky: prefs?.[p.name]?.sticky ?? null,
    })),
    ...(prioNote ? { active_by_prio: `not decided: ${prioNote}` } : {}),
  };
  if (bad.length > 0) return { changes: [], failed: true, msg: `${args.device}: ${bad.join('; ')}`, result };
  return { changes: [], reason: `${args.device}: teamd state as asserted${prioNote ? ` (active port vs prio not decided: ${prioNote})` : ''}`, result };
}
