// The team's (or bond's) IPv4 settings as nmcli words and as the profile fields they set; NM
// can take all of them on a running device with `nmcli device reapply`.
import type { GuestTeam } from '../../guest/schema.ts';
import type { NmConnection } from '../../probes/nmcli.ts';

/** ipv4Fields is the desired value of each ipv4.* property, as `nmcli -t` prints it back. */
export function ipv4Fields(team: GuestTeam): Record<string, string> {
  const v4 = team.ipv4;
  return v4.method === 'dhcp'
    ? { 'ipv4.method': 'auto', 'ipv4.addresses': '', 'ipv4.gateway': '', 'ipv4.dns': v4.dns.join(',') }
    : { 'ipv4.method': 'manual', 'ipv4.addresses': v4.address, 'ipv4.gateway': v4.gateway ?? '', 'ipv4.dns': v4.dns.join(',') };
}

/** ipv4Diffs lists the ipv4.* properties whose profile value differs from the desired one. */
export function ipv4Diffs(conn: NmConnection, want: Record<string, string>): { path: string; before: string; after: string }[] {
  return Object.entries(want).flatMap(([k, after]) => {
    const before = conn.fields[k] ?? '';
    return before === after ? [] : [{ path: k, before, after }];
  });
}

/** nmcliWords turns properties into `nmcli connection add|modify` words: name, value, name, value. */
export function nmcliWords(props: Record<string, string>): string[] {
  return Object.entries(props).flat();
}
