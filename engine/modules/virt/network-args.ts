// The virt_network module's arguments: a `libvirt_networks` entry (or a full XML), the DHCP/DNS
// hosts derived from guests, and the lifecycle. Every check that can be made without the host
// is made here, at load time, with the path of the offending value.
import { z } from 'zod';
import { parseCidr } from '../../template/ipaddr.ts';
import { MAC_RE } from '../../template/ipaddr.ts';
import { abool, astr, moduleArgs, type ArgProblem } from '../support/args.ts';
import type { NetSpec } from './network-xml.ts';

/** NET_NAME_RE is what tsplay accepts as a libvirt network name (it is also a file name in the ageing hook). */
export const NET_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const IFNAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
const HOSTNAME_RE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

const ipv4 = z.ipv4();
const range = z.strictObject({ start: ipv4, end: ipv4 });

/** networkEntrySchema is one `libvirt_networks` entry. */
export const networkEntrySchema = z.strictObject({
  /** the network (10.61.1.0/24) or the bridge's address with its prefix (10.61.1.1/24) */
  cidr: z.cidrv4(),
  /** the bridge's address; default: the cidr's address, or its first host when cidr names the network */
  address: ipv4.optional(),
  bridge: z
    .strictObject({
      name: z.string().regex(IFNAME_RE, 'a bridge name: 1-15 letters, digits, _ . -').optional(),
      stp: abool.optional(),
      delay: z.number().int().nonnegative().optional(),
      /** seconds; 0 = never learn (flood), kept across restarts by a libvirt network hook */
      ageing: z.number().int().nonnegative().max(1_000_000).optional(),
    })
    .optional(),
  forward: z.enum(['none', 'nat', 'route', 'open']).default('nat'),
  dhcp: z.union([range, z.array(range)]).optional(),
  dns: abool.default(true),
});

const hostSchema = z.strictObject({
  mac: z.string().regex(MAC_RE, 'a MAC address: six hex pairs with colons, e.g. 52:54:00:12:34:56'),
  ip: ipv4,
  name: z.string().regex(HOSTNAME_RE, 'a host name (letters, digits, -, dots)').optional(),
  /** also a DNS host record for the name (default true) */
  dns: abool.default(true),
});

const toInt = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const fromInt = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** resolveAddress gives the bridge's address and prefix from an entry's cidr/address. */
export function resolveAddress(entry: { cidr: string; address?: string | undefined }): { address: string; prefix: number; network: string; broadcast: string } {
  const c = parseCidr(entry.cidr)!;
  const address = entry.address ?? (c.address === c.network && c.prefix < 31 ? fromInt(toInt(c.network) + 1) : c.address);
  return { address, prefix: c.prefix, network: c.network, broadcast: c.broadcast };
}

function inside(ip: string, net: { network: string; broadcast: string }): boolean {
  const n = toInt(ip);
  return n > toInt(net.network) && n < toInt(net.broadcast);
}

function checks(a: Readonly<Record<string, unknown>>): ArgProblem[] {
  const out: ArgProblem[] = [];
  const state = (a['state'] as string | undefined) ?? 'active';
  if (state !== 'absent' && a['network'] === undefined && a['xml'] === undefined) {
    out.push({ code: 'E_ARG_REQUIRED', message: `state ${state} needs network (a libvirt_networks entry) or xml` });
  }
  const entry = a['network'] as z.output<typeof networkEntrySchema> | undefined;
  // a malformed cidr is already reported by its own type check
  if (!entry || parseCidr(entry.cidr) === undefined) return out;
  const net = resolveAddress(entry);
  if (entry.address !== undefined && !inside(entry.address, net))
    out.push({ code: 'E_ARG_TYPE', message: `address ${entry.address} is outside ${net.network}/${net.prefix}`, path: ['network', 'address'] });
  const ranges = entry.dhcp === undefined ? [] : Array.isArray(entry.dhcp) ? entry.dhcp : [entry.dhcp];
  ranges.forEach((r, i) => {
    const path = Array.isArray(entry.dhcp) ? ['network', 'dhcp', String(i)] : ['network', 'dhcp'];
    if (!inside(r.start, net) || !inside(r.end, net)) out.push({ code: 'E_ARG_TYPE', message: `DHCP range ${r.start}-${r.end} is outside ${net.network}/${net.prefix}`, path });
    else if (toInt(r.start) > toInt(r.end)) out.push({ code: 'E_ARG_TYPE', message: `DHCP range starts after it ends: ${r.start}-${r.end}`, path });
  });
  const hosts = (a['hosts'] as z.output<typeof hostSchema>[] | undefined) ?? [];
  // libvirt refuses a second DHCP host with a MAC, address or name already listed (dnsmasq would
  // hand out one of the two): each is reported at its second use
  const seen = { mac: new Set<string>(), ip: new Set<string>(), name: new Set<string>() };
  const twice = (kind: keyof typeof seen, value: string | undefined, i: number, what: string): void => {
    if (value === undefined) return;
    const k = value.toLowerCase();
    if (seen[kind].has(k)) out.push({ code: 'E_ARG_CONFLICT', message: `DHCP host ${what} ${value} is listed twice`, path: ['hosts', String(i), kind] });
    seen[kind].add(k);
  };
  hosts.forEach((h, i) => {
    if (!inside(h.ip, net)) out.push({ code: 'E_ARG_TYPE', message: `DHCP host ${h.mac} ${h.ip} is outside ${net.network}/${net.prefix}`, path: ['hosts', String(i), 'ip'] });
    if (h.ip === net.address) out.push({ code: 'E_ARG_TYPE', message: `DHCP host ${h.mac} has the bridge's own address ${h.ip}`, path: ['hosts', String(i), 'ip'] });
    twice('mac', h.mac, i, 'MAC');
    twice('ip', h.ip, i, 'address');
    twice('name', h.name, i, 'name');
  });
  return out;
}

/** networkArgsSchema is the virt_network module's argument schema. */
export const networkArgsSchema = moduleArgs(
  {
    name: z.string().regex(NET_NAME_RE, 'a libvirt network name: letters, digits, _ . - (at most 64)'),
    state: z.enum(['present', 'active', 'inactive', 'absent']),
    autostart: abool,
    allow_restart: abool,
    network: networkEntrySchema,
    hosts: z.array(hostSchema),
    xml: astr,
  },
  {
    required: ['name'],
    exclusive: [
      ['network', 'xml'],
      ['hosts', 'xml'],
    ],
    custom: checks,
  },
);

/** NetworkArgs are the checked arguments of virt_network. */
export type NetworkArgs = z.output<typeof networkArgsSchema>;

/** specOf turns a checked entry and its hosts into the NetSpec the XML is built from. */
export function specOf(name: string, entry: z.output<typeof networkEntrySchema>, hosts: NetworkArgs['hosts']): NetSpec {
  const net = resolveAddress(entry);
  const ranges = entry.dhcp === undefined ? [] : Array.isArray(entry.dhcp) ? entry.dhcp : [entry.dhcp];
  return {
    name,
    forward: entry.forward,
    bridge: entry.bridge,
    address: net.address,
    prefix: net.prefix,
    dhcpRanges: ranges,
    hosts: hosts ?? [],
    dns: entry.dns,
  };
}
