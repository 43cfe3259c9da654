// teamd_state's pure check of `teamdctl T state dump`: runner, active port, every port's link
// and link watch. A mismatch fails the task with every unmet point, so `until`/`retries` can wait
// for a failover to settle.
import { z } from 'zod';
import { TEAM_RUNNERS } from '../../guest/schema.ts';
import { parseTeamState } from '../../probes/teamdctl.ts';
import { abool } from '../support/args.ts';
import type { Plan } from '../types.ts';

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
});

/** TeamdStateArgs is teamd_state's validated arguments. */
export type TeamdStateArgs = z.infer<typeof teamdStateArgsSchema>;

/** planTeamdState checks the state dump (null: teamd does not answer) against the assertions. */
export function planTeamdState(args: TeamdStateArgs, dump: string | null): Plan {
  if (dump === null) return { changes: [], failed: true, msg: `${args.device}: no teamd answers (teamdctl ${args.device} state dump failed)` };
  const st = parseTeamState({ rc: 0, stdout: dump, stderr: '' });
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
  const result = { runner: st.runner, active_port: st.activePort, ports: st.ports.map((p) => ({ name: p.name, link_up: p.linkUp, link_watches_up: p.linkWatchesUp, down_count: p.downCount })) };
  if (bad.length > 0) return { changes: [], failed: true, msg: `${args.device}: ${bad.join('; ')}`, result };
  return { changes: [], reason: `${args.device}: teamd state as asserted`, result };
}
