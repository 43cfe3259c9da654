// What nm_team reads from the guest, kept as the tools printed it so the pure plan (and its data
// tests) start from real output: two round trips, the second only for the profiles and the team
// that the first one found, all profiles in one nmcli call (parseProfiles says why).
import { fixedScript } from '../../connection/fixed-script.ts';
import { CONNECTION_SETTINGS, connectionListProbe, parseConnectionList, profilesProbe } from '../../probes/nmcli.ts';
import { teamConfigProbe, teamStateProbe } from '../../probes/teamdctl.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { ModuleContext } from '../types.ts';

/** TeamCurrent is every layer of a team: profiles, teamd's running config and state, addresses. */
export interface TeamCurrent {
  /** paths of NetworkManager's team plugin and teamd found on the host ('' when neither) */
  readonly plugin: string;
  /** `nmcli -t -f NAME,UUID,TYPE,DEVICE connection show` */
  readonly connections: string;
  /** `ip -j addr show`, to find the device that carries the controller's address */
  readonly addrs: string;
  /** `nmcli -t -f SETTINGS connection show UUID` of every team, bond and ethernet profile, by UUID */
  readonly profiles: Readonly<Record<string, string>>;
  /** `teamdctl DEV config dump actual` (null: no teamd runs for the device) */
  readonly teamdConfig: string | null;
  /** `teamdctl DEV state dump` (null: no teamd) */
  readonly teamdState: string | null;
}

/** PLUGIN_SCRIPT prints NetworkManager's team plugin and the teamd binary when both exist (a fixed script, no user data). */
export const PLUGIN_SCRIPT =
  'p=$(ls /usr/lib*/NetworkManager/*/libnm-device-plugin-team.so /usr/lib/*/NetworkManager/*/libnm-device-plugin-team.so 2>/dev/null | head -n 1); t=$(command -v teamd); [ -n "$p" ] && [ -n "$t" ] && echo "$p $t"; exit 0';

/** PROFILE_SETTINGS are the settings read per profile: the probe's list and the bond for the fallback. */
export const PROFILE_SETTINGS = `${CONNECTION_SETTINGS},bond`;

const MANAGED_TYPES = new Set(['team', 'bond', '802-3-ethernet']);

/** readTeam reads the team's layers in two round trips (a third only for a profile the second missed). */
export async function readTeam(ctx: ModuleContext, device: string): Promise<TeamCurrent> {
  const opts = taskOpts(ctx);
  const [plugin, list, addrs] = await ctx.conn.batch([fixedScript(PLUGIN_SCRIPT, 'tsplay-team', []), connectionListProbe().argv, ['ip', '-j', 'addr', 'show']], opts);
  const rows = list!.rc === 0 ? parseConnectionList(list!).filter((r) => MANAGED_TYPES.has(r.type)) : [];
  const uuids = rows.map((r) => r.uuid);
  const all = profilesProbe(PROFILE_SETTINGS, uuids);
  const [cfg, st, shown] = await ctx.conn.batch([teamConfigProbe(device).argv, teamStateProbe(device).argv, ...(uuids.length > 0 ? [all.argv] : [])], opts);
  const profiles: Record<string, string> = shown ? all.parse(shown) : {};
  // a profile deleted between the list and the show ends nmcli's output there: the rest one by one
  const rest = uuids.filter((u) => profiles[u] === undefined);
  if (rest.length > 0) {
    const alone = await ctx.conn.batch(
      rest.map((u) => profilesProbe(PROFILE_SETTINGS, [u]).argv),
      opts,
    );
    rest.forEach((u, i) => {
      if (alone[i]!.rc === 0) profiles[u] = alone[i]!.stdout;
    });
  }
  return {
    plugin: plugin!.stdout.trim(),
    connections: list!.stdout,
    addrs: addrs!.stdout,
    profiles,
    teamdConfig: cfg!.rc === 0 ? cfg!.stdout : null,
    teamdState: st!.rc === 0 ? st!.stdout : null,
  };
}
