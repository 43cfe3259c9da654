// What nm_team reads from the guest, kept as the tools printed it so the pure plan (and its data
// tests) start from real output: two round trips, the second only for the profiles and the team
// that the first one found.
import { fixedScript } from '../../connection/fixed-script.ts';
import { CONNECTION_SETTINGS, connectionListProbe, deviceStatusProbe, parseConnectionList } from '../../probes/nmcli.ts';
import { teamConfigProbe, teamStateProbe } from '../../probes/teamdctl.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { ModuleContext } from '../types.ts';

/** TeamCurrent is every layer of a team: profiles, teamd's running config and state, addresses. */
export interface TeamCurrent {
  /** paths of NetworkManager's team plugin and teamd found on the host ('' when neither) */
  readonly plugin: string;
  /** `nmcli -t -f NAME,UUID,TYPE,DEVICE connection show` */
  readonly connections: string;
  /** `nmcli -t -f DEVICE,TYPE,STATE,CONNECTION device status` */
  readonly devices: string;
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

/** readTeam reads the team's layers in two round trips. */
export async function readTeam(ctx: ModuleContext, device: string): Promise<TeamCurrent> {
  const opts = taskOpts(ctx);
  const [plugin, list, devs, addrs] = await ctx.conn.batch([fixedScript(PLUGIN_SCRIPT, 'tsplay-team', []), connectionListProbe().argv, deviceStatusProbe().argv, ['ip', '-j', 'addr', 'show']], opts);
  const rows = list!.rc === 0 ? parseConnectionList(list!).filter((r) => MANAGED_TYPES.has(r.type)) : [];
  const second = await ctx.conn.batch(
    [...rows.map((r) => ['nmcli', '-t', '-f', PROFILE_SETTINGS, 'connection', 'show', 'uuid', r.uuid]), teamConfigProbe(device).argv, teamStateProbe(device).argv],
    opts,
  );
  const profiles: Record<string, string> = {};
  rows.forEach((r, i) => {
    if (second[i]!.rc === 0) profiles[r.uuid] = second[i]!.stdout;
  });
  const cfg = second[rows.length]!;
  const st = second[rows.length + 1]!;
  return {
    plugin: plugin!.stdout.trim(),
    connections: list!.stdout,
    devices: devs!.stdout,
    addrs: addrs!.stdout,
    profiles,
    teamdConfig: cfg.rc === 0 ? cfg.stdout : null,
    teamdState: st.rc === 0 ? st.stdout : null,
  };
}
