// virsh probes (libvirt 9.0 output). All run as `virsh -c qemu:///system ...` on the hypervisor.
import { XMLParser } from 'fast-xml-parser';
import type { Argv } from '../connection/types.ts';
import { mustSucceed, ProbeError, type Probe, type ProbeOutput } from './types.ts';
import { parseKeyValues, parseTable, yesNo } from './virsh-text.ts';

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

/** BandwidthSide is one direction of <bandwidth> (average/peak in KiB/s, burst in KiB). */
export interface BandwidthSide {
  readonly average: number;
  readonly peak?: number;
  readonly burst?: number;
  readonly floor?: number;
}

/** DomainInterface is an <interface> of a domain definition. */
export interface DomainInterface {
  readonly type: string;
  readonly mac: string | null;
  readonly network: string | null;
  readonly bridge: string | null;
  readonly model: string | null;
  readonly target: string | null;
  readonly linkState: string | null;
  readonly inbound: BandwidthSide | null;
  readonly outbound: BandwidthSide | null;
}

/** DomainDisk is a <disk> of a domain definition. */
export interface DomainDisk {
  readonly device: string;
  readonly driverType: string | null;
  readonly source: string | null;
  readonly target: string;
  readonly bus: string | null;
  readonly readonly: boolean;
}

/** DomainXml is the part of a domain definition tsplay compares. */
export interface DomainXml {
  readonly type: string;
  readonly name: string;
  readonly uuid: string | null;
  readonly memoryKiB: number;
  readonly vcpus: number;
  readonly kernel: string | null;
  readonly initrd: string | null;
  readonly cmdline: string | null;
  readonly disks: DomainDisk[];
  readonly interfaces: DomainInterface[];
}

// attributes keep their names with an "@" prefix; repeated elements always become arrays
const xml = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, parseTagValue: false,
  isArray: (name) => ['interface', 'disk', 'ip', 'host', 'range', 'dhcp'].includes(name),
});

type X = Record<string, unknown>;
const el = (v: unknown): X => (v !== null && typeof v === 'object' ? (v as X) : {});
const at = (v: unknown, a: string): string | null => {
  const x = el(v)[`@${a}`];
  return typeof x === 'string' ? x : null;
};
const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof el(v)['#text'] === 'string' ? (el(v)['#text'] as string) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

function memKiB(v: unknown): number {
  const n = Number(text(v) ?? 0);
  const unit = at(v, 'unit') ?? 'KiB';
  const f: Record<string, number> = { b: 1 / 1024, bytes: 1 / 1024, KiB: 1, k: 1, MiB: 1024, M: 1024, GiB: 1024 * 1024, G: 1024 * 1024 };
  return Math.round(n * (f[unit] ?? 1));
}

function side(v: unknown): BandwidthSide | null {
  if (v === undefined) return null;
  const n = (a: string): number | undefined => (at(v, a) === null ? undefined : Number(at(v, a)));
  const s: { average: number; peak?: number; burst?: number; floor?: number } = { average: n('average') ?? 0 };
  for (const k of ['peak', 'burst', 'floor'] as const) {
    const x = n(k);
    if (x !== undefined) s[k] = x;
  }
  return s;
}

/** parseDomainXml parses `virsh dumpxml [--inactive] DOM`. */
export function parseDomainXml(out: ProbeOutput): DomainXml {
  const doc = el(xml.parse(mustSucceed('virsh dumpxml', out)));
  const d = el(doc['domain']);
  if (!doc['domain']) throw new ProbeError('virsh dumpxml', 'no <domain> element');
  const os = el(d['os']);
  const devices = el(d['devices']);
  return {
    type: at(d, 'type') ?? '',
    name: text(d['name']) ?? '',
    uuid: text(d['uuid']),
    memoryKiB: memKiB(d['memory']),
    vcpus: Number(text(d['vcpu']) ?? 1),
    kernel: text(os['kernel']),
    initrd: text(os['initrd']),
    cmdline: text(os['cmdline']),
    disks: list(devices['disk']).map((x) => ({
      device: at(x, 'device') ?? 'disk',
      driverType: at(el(x)['driver'], 'type'),
      source: at(el(x)['source'], 'file') ?? at(el(x)['source'], 'dev'),
      target: at(el(x)['target'], 'dev') ?? '',
      bus: at(el(x)['target'], 'bus'),
      readonly: el(x)['readonly'] !== undefined,
    })),
    interfaces: list(devices['interface']).map((x) => {
      const bw = el(el(x)['bandwidth']);
      return {
        type: at(x, 'type') ?? '',
        mac: at(el(x)['mac'], 'address'),
        network: at(el(x)['source'], 'network'),
        bridge: at(el(x)['source'], 'bridge'),
        model: at(el(x)['model'], 'type'),
        // only in the live XML: the tap libvirt created for this start
        target: at(el(x)['target'], 'dev'),
        linkState: at(el(x)['link'], 'state'),
        inbound: side(bw['inbound']),
        outbound: side(bw['outbound']),
      };
    }),
  };
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

/** NetworkXml is the part of a network definition tsplay compares. */
export interface NetworkXml {
  readonly name: string;
  readonly uuid: string | null;
  /** absent <forward> = isolated */
  readonly forwardMode: string | null;
  readonly bridge: { readonly name: string | null; readonly stp: string | null; readonly delay: string | null };
  readonly mac: string | null;
  readonly dnsEnabled: boolean;
  readonly ips: {
    readonly address: string;
    readonly prefix: number | null;
    readonly netmask: string | null;
    readonly dhcpRanges: { readonly start: string; readonly end: string }[];
    readonly dhcpHosts: { readonly mac: string | null; readonly name: string | null; readonly ip: string | null }[];
  }[];
}

/** parseNetworkXml parses `virsh net-dumpxml [--inactive] NET`. */
export function parseNetworkXml(out: ProbeOutput): NetworkXml {
  const doc = el(xml.parse(mustSucceed('virsh net-dumpxml', out)));
  if (!doc['network']) throw new ProbeError('virsh net-dumpxml', 'no <network> element');
  const n = el(doc['network']);
  const fwd = n['forward'];
  return {
    name: text(n['name']) ?? '',
    uuid: text(n['uuid']),
    forwardMode: fwd === undefined ? null : (at(fwd, 'mode') ?? 'nat'),
    bridge: { name: at(n['bridge'], 'name'), stp: at(n['bridge'], 'stp'), delay: at(n['bridge'], 'delay') },
    mac: at(n['mac'], 'address'),
    dnsEnabled: at(n['dns'], 'enable') !== 'no',
    ips: list(n['ip']).map((ip) => {
      const dhcp = el(list(el(ip)['dhcp'])[0]);
      return {
        address: at(ip, 'address') ?? '',
        prefix: at(ip, 'prefix') === null ? null : Number(at(ip, 'prefix')),
        netmask: at(ip, 'netmask'),
        dhcpRanges: list(dhcp['range']).map((r) => ({ start: at(r, 'start') ?? '', end: at(r, 'end') ?? '' })),
        dhcpHosts: list(dhcp['host']).map((h) => ({ mac: at(h, 'mac'), name: at(h, 'name'), ip: at(h, 'ip') })),
      };
    }),
  };
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
    name: kv.get('Name') ?? '', uuid: kv.get('UUID') ?? '', active: yesNo(kv.get('Active')),
    persistent: yesNo(kv.get('Persistent')), autostart: yesNo(kv.get('Autostart')), bridge: kv.get('Bridge') ?? '',
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
    expiry: r['Expiry Time'] ?? '', mac: r['MAC address'] ?? '', protocol: r['Protocol'] ?? '',
    address: r['IP address'] ?? '', hostname: dash(r['Hostname']), clientId: dash(r['Client ID or DUID']),
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
