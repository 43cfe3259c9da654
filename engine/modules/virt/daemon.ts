// Which process runs libvirt's network driver on a host, found from the listening socket it
// holds (`ss -xlpnH`), so a reload reaches that daemon and no other: the lab runs one libvirtd
// per hypervisor namespace, all visible by name in one pid namespace.

/** NETWORK_DAEMON_SOCKETS are the sockets of the monolithic libvirtd and of the modular network daemon. */
export const NETWORK_DAEMON_SOCKETS: Readonly<Record<string, string>> = {
  '/run/libvirt/libvirt-sock': 'libvirtd',
  '/run/libvirt/virtnetworkd-sock': 'virtnetworkd',
};

/** SS_ARGV lists listening unix sockets with their processes. */
export const SS_ARGV: readonly string[] = ['ss', '-xlpnH'];

/**
 * networkDaemonPids reads `ss -xlpnH` and returns the pids of the daemons that own libvirt's
 * network driver. systemd holds the same socket under socket activation: only the daemon's own
 * name counts, so pid 1 is never signalled.
 */
export function networkDaemonPids(ss: string): number[] {
  const pids = new Set<number>();
  for (const line of ss.split('\n')) {
    const w = line.trim().split(/\s+/);
    const daemon = NETWORK_DAEMON_SOCKETS[w[4] ?? ''];
    if (daemon === undefined) continue;
    for (const m of line.matchAll(/\("([^"]+)",pid=(\d+),/g)) if (m[1] === daemon) pids.add(Number(m[2]));
  }
  return [...pids];
}
