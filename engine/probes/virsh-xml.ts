// The XML virsh prints (libvirt 9.0): a domain's and a network's definition, read into the parts
// tsplay compares. Text forms are in virsh.ts; both are one tool, split by output format.
import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import { mustSucceed, ProbeError, type ProbeOutput } from './types.ts';

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
// Why required on first use: fast-xml-parser is some 25 files that every start would load, and
// only a virt probe parses XML
let parser: XMLParser | undefined;
const xml = (): XMLParser =>
  (parser ??= new (createRequire(import.meta.url)('fast-xml-parser') as typeof import('fast-xml-parser')).XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (name) => ['interface', 'disk', 'ip', 'host', 'range', 'dhcp'].includes(name),
  }));

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
  const doc = el(xml().parse(mustSucceed('virsh dumpxml', out)));
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
  const doc = el(xml().parse(mustSucceed('virsh net-dumpxml', out)));
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
