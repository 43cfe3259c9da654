import type { SourcePos } from '../../errors/index.ts';
import { parseCidr } from '../../template/ipaddr.ts';
import type { GuestParts } from '../../guest/schema.ts';
import { atLeast, type OsTarget } from '../os-target.ts';
import { MAC_RE } from '../../template/ipaddr.ts';
import type { Finding } from './finding.ts';

/** GuestEntry is one guest (only its valid fields when it has schema errors) with a way to find where a var path is written. */
export interface GuestEntry {
  readonly host: string;
  readonly guest: GuestParts;
  readonly os?: OsTarget | undefined;
  /** the host's own `libvirt_networks` names, when it has that variable */
  readonly networkNames?: readonly string[] | undefined;
  readonly locate: (path: (string | number)[]) => SourcePos | undefined;
}

/** NetworkDefs are the libvirt networks' IPv4 ranges from the `libvirt_networks` var. */
export type NetworkDefs = Readonly<Record<string, { cidr?: string | undefined } | undefined>>;

/**
 * lintGuests checks what only shows across guests or against the networks: MAC format, multicast
 * MACs, MACs, static IPs and host names used twice, NICs on networks `libvirt_networks` does not
 * define, and static addresses (and gateways) outside their network. Fields a guest lacks (they
 * failed the schema) are skipped, so these findings come in the same pass as the schema's.
 */
export function lintGuests(entries: readonly GuestEntry[], networks: NetworkDefs): Finding[] {
  const out: Finding[] = [];
  const add = (e: GuestEntry, code: string, path: (string | number)[], message: string): void => {
    out.push({ code, severity: 'error', message, host: e.host, pos: e.locate(path) });
  };
  const macs = new Map<string, string>();
  const ips = new Map<string, string>();
  const names = new Map<string, string>();
  for (const e of entries) {
    const g = e.guest;
    g.nics?.forEach((n, i) => {
      if (e.networkNames && !e.networkNames.includes(n.network)) {
        add(e, 'KS_UNKNOWN_NETWORK', ['nics', i, 'network'], `NIC ${n.name}: network ${n.network} is not in libvirt_networks (${e.networkNames.join(', ') || 'none defined'})`);
      }
      if (!MAC_RE.test(n.mac)) {
        add(e, 'KS_MAC_FORMAT', ['nics', i, 'mac'], `NIC ${n.name}: "${n.mac}" is not a MAC address (six hex pairs with colons, e.g. 52:54:00:12:34:56)`);
        return;
      }
      // the I/G bit (least significant bit of the first octet) marks a group address: no NIC may own it, PXE never answers it
      if (parseInt(n.mac.slice(0, 2), 16) & 1) {
        add(e, 'KS_MAC_MULTICAST', ['nics', i, 'mac'], `NIC ${n.name}: ${n.mac.toLowerCase()} is a multicast address (the first octet is odd); a NIC needs a unicast MAC such as 52:54:00:12:34:56`);
        return;
      }
      const mac = n.mac.toLowerCase();
      const other = macs.get(mac);
      if (other !== undefined) add(e, 'KS_DUP_MAC', ['nics', i, 'mac'], `MAC ${mac} is also used by ${other}`);
      else macs.set(mac, `${e.host} ${n.name}`);
    });
    const hn = g.hostname?.toLowerCase();
    if (hn !== undefined) {
      const otherName = names.get(hn);
      if (otherName !== undefined) add(e, 'KS_DUP_HOSTNAME', ['hostname'], `host name ${hn} is also used by ${otherName}`);
      else names.set(hn, e.host);
    }
    const ip = g.team?.ipv4;
    if (g.team && ip?.method === 'static') {
      const c = parseCidr(ip.address)!;
      const otherIp = ips.get(c.address);
      if (otherIp !== undefined) add(e, 'KS_DUP_IP', ['team', 'ipv4', 'address'], `address ${c.address} is also used by ${otherIp}`);
      else ips.set(c.address, e.host);
      if (ip.gateway && parseCidr(`${ip.gateway}/${c.prefix}`)?.network !== c.network) {
        add(e, 'KS_IP_OUTSIDE_NET', ['team', 'ipv4', 'gateway'], `gateway ${ip.gateway} is outside ${c.network}/${c.prefix}`);
      }
      const checked = new Set<string>();
      for (const p of g.team.ports) {
        const nic = g.nics?.find((n) => n.name === p.nic);
        if (!nic || checked.has(nic.network)) continue;
        checked.add(nic.network);
        const net = networks[nic.network];
        const cidr = net?.cidr ? parseCidr(net.cidr) : undefined;
        if (!nic || !cidr) continue;
        if (parseCidr(`${c.address}/${cidr.prefix}`)?.network !== cidr.network) {
          add(e, 'KS_IP_OUTSIDE_NET', ['team', 'ipv4', 'address'], `address ${c.address} is outside network ${nic.network} (${cidr.network}/${cidr.prefix}) of port ${nic.name}`);
        }
      }
    }
    // the old ks= spelling was dropped with the non-inst. boot options (EL 9, Fedora 34)
    if (g.pxe?.legacy_ks && e.os && atLeast(e.os, { rhel: 8, fedora: 20 })) {
      add(e, 'KS_BOOT_ARG', ['pxe', 'legacy_ks'], `legacy_ks (ks=, ksdevice=) is for EL 7 only; ${e.os.name} takes inst.ks=`);
    }
  }
  return out;
}
