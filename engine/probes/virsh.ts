// virsh probes (libvirt 9.0 output). All run as `virsh -c qemu:///system ...` on the hypervisor.
import type { Argv } from '../connection/types.ts';
import { mustSucceed, type Probe, type ProbeOutput } from './types.ts';
import { parseKeyValues, parseTable, yesNo } from './virsh-text.ts';
import { parseDomainXml, parseNetworkXml, type DomainXml, type NetworkXml } from './virsh-xml.ts';

// the XML parsers are part of the virsh probe set: callers keep one import
export * from './virsh-xml.ts';

const VIRSH = ['virsh', '-c', 'qemu:///system'] as const;

/** virshArgv builds a virsh command line against the system qemu driver. */
export function virshArgv(...args: string[]): Argv {
  return [...VIRSH, ...args];
}

/** DomainListEntry is one row of `virsh list --all`. */
export interface DomainListEntry {
  /** null for a domain that is not running (virsh prints "-") */
  readonly id: number | null;
  readonly name: string;
  /** e.g. "running", "shut off", "paused" */
  readonly state: string;
}

/** parseList parses `virsh list --all`. */
export function parseList(out: ProbeOutput): DomainListEntry[] {
  return parseTable(mustSucceed('virsh list', out)).map((r) => ({
    id: r['Id'] === '-' || r['Id'] === undefined ? null : Number(r['Id']),
    name: r['Name'] ?? '',
    state: r['State'] ?? '',
  }));
}

/** listProbe reads every domain with its state. */
export function listProbe(): Probe<DomainListEntry[]> {
  return { argv: virshArgv('list', '--all'), parse: parseList };
}

/** DomInfo is `virsh dominfo` as typed fields. */
export interface DomInfo {
  readonly id: number | null;
  readonly name: string;
  readonly uuid: string;
  readonly osType: string;
  readonly state: string;
  readonly cpus: number;
  /** CPU time in seconds; absent while shut off */
  readonly cpuTimeS: number | null;
  readonly maxMemoryKiB: number;
  readonly usedMemoryKiB: number;
  readonly persistent: boolean;
  readonly autostart: boolean;
  readonly managedSave: boolean;
  readonly securityModel: string;
}

function kib(v: string | undefined): number {
  const m = /^(\d+) KiB$/.exec(v ?? '');
  return m ? Number(m[1]) : 0;
}

/** parseDominfo parses `virsh dominfo DOM`. */
export function parseDominfo(out: ProbeOutput): DomInfo {
  const kv = parseKeyValues(mustSucceed('virsh dominfo', out));
  const id = kv.get('Id');
  const cpuTime = kv.get('CPU time');
  return {
    id: id === undefined || id === '-' ? null : Number(id),
    name: kv.get('Name') ?? '',
    uuid: kv.get('UUID') ?? '',
    osType: kv.get('OS Type') ?? '',
    state: kv.get('State') ?? '',
    cpus: Number(kv.get('CPU(s)') ?? 0),
    cpuTimeS: cpuTime === undefined ? null : Number.parseFloat(cpuTime),
    maxMemoryKiB: kib(kv.get('Max memory')),
    usedMemoryKiB: kib(kv.get('Used memory')),
    persistent: yesNo(kv.get('Persistent')),
    // dominfo says "enable"/"disable" here, unlike "yes"/"no" everywhere else
    autostart: yesNo(kv.get('Autostart')),
    managedSave: yesNo(kv.get('Managed save')),
    securityModel: kv.get('Security model') ?? '',
  };
}

/** dominfoProbe reads one domain's summary. */
export function dominfoProbe(dom: string): Probe<DomInfo> {
  return { argv: virshArgv('dominfo', dom), parse: parseDominfo };
}

/** DomState is `virsh domstate --reason`: e.g. running (booted), shut off (destroyed). */
export interface DomState {
  /** false when the domain does not exist (virsh fails with "failed to get domain") */
  readonly exists: boolean;
  readonly state: string;
  readonly reason: string;
}

/** parseDomstate parses `virsh domstate --reason DOM`; a missing domain is a value, not an error. */
export function parseDomstate(out: ProbeOutput): DomState {
  if (out.rc !== 0) {
    if (/failed to get domain|Domain not found/.test(out.stderr)) return { exists: false, state: '', reason: '' };
    mustSucceed('virsh domstate', out);
  }
  const m = /^(.+?)(?: \((.*)\))?$/.exec(out.stdout.trim());
  return { exists: true, state: m?.[1] ?? '', reason: m?.[2] ?? '' };
}

/** domstateProbe reads a domain's state and reason. */
export function domstateProbe(dom: string): Probe<DomState> {
  return { argv: virshArgv('domstate', '--reason', dom), parse: parseDomstate };
}

/** DomIface is one row of `virsh domiflist`. */
export interface DomIface {
  /** the host tap (vnetN); null while the domain is shut off ("-") */
  readonly target: string | null;
  readonly type: string;
  readonly source: string;
  readonly model: string;
  readonly mac: string;
}

/** parseDomiflist parses `virsh domiflist DOM`. */
export function parseDomiflist(out: ProbeOutput): DomIface[] {
  return parseTable(mustSucceed('virsh domiflist', out)).map((r) => ({
    target: !r['Interface'] || r['Interface'] === '-' ? null : r['Interface'],
    type: r['Type'] ?? '',
    source: r['Source'] ?? '',
    model: r['Model'] ?? '',
    mac: (r['MAC'] ?? '').toLowerCase(),
  }));
}

/** domiflistProbe maps a domain's MACs to its taps. */
export function domiflistProbe(dom: string): Probe<DomIface[]> {
  return { argv: virshArgv('domiflist', dom), parse: parseDomiflist };
}

/** dumpxmlProbe reads a domain's definition; compare against --inactive (what was defined). */
export function dumpxmlProbe(dom: string, inactive = true): Probe<DomainXml> {
  return { argv: virshArgv('dumpxml', ...(inactive ? ['--inactive'] : []), dom), parse: parseDomainXml };
}

/** NetworkListEntry is one row of `virsh net-list --all`. */
export interface NetworkListEntry {
  readonly name: string;
  readonly active: boolean;
  readonly autostart: boolean;
  readonly persistent: boolean;
}

/** parseNetList parses `virsh net-list --all`. */
export function parseNetList(out: ProbeOutput): NetworkListEntry[] {
  return parseTable(mustSucceed('virsh net-list', out)).map((r) => ({
    name: r['Name'] ?? '',
    active: r['State'] === 'active',
    autostart: yesNo(r['Autostart']),
    persistent: yesNo(r['Persistent']),
  }));
}

/** netListProbe reads every network. */
export function netListProbe(): Probe<NetworkListEntry[]> {
  return { argv: virshArgv('net-list', '--all'), parse: parseNetList };
}

/** netDumpxmlProbe reads a network's definition. */
export function netDumpxmlProbe(net: string, inactive = true): Probe<NetworkXml> {
  return { argv: virshArgv('net-dumpxml', ...(inactive ? ['--inactive'] : []), net), parse: parseNetworkXml };
}

/** NetInfo is `virsh net-info NET`. */
export interface NetInfo {
  readonly name: string;
  readonly uuid: string;
  readonly active: boolean;
  readonly persistent: boolean;
  readonly autostart: boolean;
  readonly bridge: string;
}

/** parseNetInfo parses `virsh net-info NET`. */
export function parseNetInfo(out: ProbeOutput): NetInfo {
  const kv = parseKeyValues(mustSucceed('virsh net-info', out));
  return {
    name: kv.get('Name') ?? '',
    uuid: kv.get('UUID') ?? '',
    active: yesNo(kv.get('Active')),
    persistent: yesNo(kv.get('Persistent')),
    autostart: yesNo(kv.get('Autostart')),
    bridge: kv.get('Bridge') ?? '',
  };
}

/** netInfoProbe reads a network's summary. */
export function netInfoProbe(net: string): Probe<NetInfo> {
  return { argv: virshArgv('net-info', net), parse: parseNetInfo };
}

/** DhcpLease is one row of `virsh net-dhcp-leases`. */
export interface DhcpLease {
  readonly expiry: string;
  readonly mac: string;
  readonly protocol: string;
  /** with its prefix, as virsh prints it: 192.168.122.5/24 */
  readonly address: string;
  readonly hostname: string | null;
  readonly clientId: string | null;
}

/** parseDhcpLeases parses `virsh net-dhcp-leases NET` (an isolated network without DHCP: empty). */
export function parseDhcpLeases(out: ProbeOutput): DhcpLease[] {
  const dash = (v: string | undefined): string | null => (!v || v === '-' ? null : v);
  return parseTable(mustSucceed('virsh net-dhcp-leases', out)).map((r) => ({
    expiry: r['Expiry Time'] ?? '',
    mac: r['MAC address'] ?? '',
    protocol: r['Protocol'] ?? '',
    address: r['IP address'] ?? '',
    hostname: dash(r['Hostname']),
    clientId: dash(r['Client ID or DUID']),
  }));
}

/** dhcpLeasesProbe reads a network's leases. */
export function dhcpLeasesProbe(net: string): Probe<DhcpLease[]> {
  return { argv: virshArgv('net-dhcp-leases', net), parse: parseDhcpLeases };
}

/** IfaceTune is `virsh domiftune DOM IFACE` with no limits given: the current values (0 = none). */
export interface IfaceTune {
  readonly inbound: { readonly average: number; readonly peak: number; readonly burst: number; readonly floor: number };
  readonly outbound: { readonly average: number; readonly peak: number; readonly burst: number };
}

/** parseDomiftune parses domiftune's "inbound.average: 0" lines (keys are space-padded). */
export function parseDomiftune(out: ProbeOutput): IfaceTune {
  const kv = parseKeyValues(mustSucceed('virsh domiftune', out));
  const n = (k: string): number => Number(kv.get(k) ?? 0);
  return {
    inbound: { average: n('inbound.average'), peak: n('inbound.peak'), burst: n('inbound.burst'), floor: n('inbound.floor') },
    outbound: { average: n('outbound.average'), peak: n('outbound.peak'), burst: n('outbound.burst') },
  };
}

/** domiftuneProbe reads the live bandwidth of one interface (tap name or MAC). */
export function domiftuneProbe(dom: string, iface: string, config = false): Probe<IfaceTune> {
  return { argv: virshArgv('domiftune', dom, iface, config ? '--config' : '--live'), parse: parseDomiftune };
}
