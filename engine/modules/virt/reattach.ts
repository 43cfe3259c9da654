// Putting running guests back on a network tsplay restarted. net-destroy drops libvirt's network
// ports and unplugs the taps; libvirt 9.0 restores neither until libvirtd itself restarts. Seen
// in the lab: after net-destroy + net-start the taps were off the bridge, and `domiftune` on such
// an interface failed with "network port not found". So each port is created again with the
// uuid the guest still holds (its live XML's source@portid) and the tap is put back on the bridge.
import { virshArgv } from '../../probes/virsh.ts';
import { parseBridgeLinks } from '../../probes/bridge.ts';
import type { Argv } from '../../connection/types.ts';
import { attr, buildXml, kid, kids, parseXmlRoot, textOf, type XNode } from './xml-tree.ts';

/** Reattach is what a restart step needs to know about the guests on the network. */
export interface Reattach {
  readonly network: string;
  readonly bridge: string;
  readonly guests: readonly { readonly domain: string; readonly mac: string; readonly tap: string }[];
}

/** Must runs a command (optionally with stdin) and returns its stdout, throwing on failure. */
export type Must = (argv: Argv, stdin?: string) => Promise<string>;

/** portXml is the <networkport> that reclaims a guest interface's port under its old uuid (no <plug>: libvirt fills it). */
export function portXml(portid: string, domain: string, domainUuid: string, mac: string): string {
  const node: XNode = { uuid: [{ '#text': portid }], owner: [{ name: [{ '#text': domain }], uuid: [{ '#text': domainUuid }] }], mac: [{ '@address': mac }] };
  return buildXml('networkport', node);
}

/** reattachGuests re-creates the network ports of the guests' interfaces and re-plugs their taps, then checks both. */
export async function reattachGuests(must: Must, r: Reattach): Promise<void> {
  const existing = new Set(
    (await must(virshArgv('net-port-list', r.network, '--uuid')))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  const wanted: string[] = [];
  for (const domain of [...new Set(r.guests.map((g) => g.domain))]) {
    const root = parseXmlRoot(await must(virshArgv('dumpxml', domain)), 'domain');
    const uuid = textOf(kid(root, 'uuid'));
    for (const g of r.guests.filter((x) => x.domain === domain)) {
      const iface = kids(kid(root, 'devices'), 'interface').find((i) => attr(kid(i, 'mac'), 'address')?.toLowerCase() === g.mac);
      const portid = attr(kid(iface, 'source'), 'portid');
      if (portid === undefined) continue;
      wanted.push(portid);
      if (!existing.has(portid)) await must(virshArgv('net-port-create', r.network, '/dev/stdin'), portXml(portid, domain, uuid, g.mac));
    }
  }
  for (const g of r.guests) await must(['ip', 'link', 'set', 'dev', g.tap, 'master', r.bridge]);
  const ports = parseBridgeLinks({ rc: 0, stdout: await must(['bridge', '-j', 'link', 'show']), stderr: '' });
  const off = r.guests.filter((g) => !ports.some((p) => p.ifname === g.tap && p.master === r.bridge)).map((g) => g.tap);
  if (off.length > 0) throw new Error(`after the network restart ${off.join(', ')} are not on ${r.bridge}`);
  const now = new Set(
    (await must(virshArgv('net-port-list', r.network, '--uuid')))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  const lost = wanted.filter((p) => !now.has(p));
  if (lost.length > 0) throw new Error(`after the network restart libvirt has no port ${lost.join(', ')} on ${r.network}`);
}
