// A libvirt network as tsplay compares it: the desired tree (from a libvirt_networks entry or a
// full XML), libvirt's additions carried over from the existing object, and a normal form that
// splits what `net-update` can change live (DHCP hosts and ranges, DNS hosts) from the rest,
// which only a network restart applies.
import { attr, buildXml, clone, flatten, isEmpty, kid, kids, textOf, type XNode } from './xml-tree.ts';

/** NetSpec is a network as a `libvirt_networks` entry describes it, resolved by the module's schema. */
export interface NetSpec {
  readonly name: string;
  readonly forward: 'none' | 'nat' | 'route' | 'open';
  readonly bridge?: { readonly name?: string | undefined; readonly stp?: boolean | undefined; readonly delay?: number | undefined } | undefined;
  readonly address: string;
  readonly prefix: number;
  readonly dhcpRanges: readonly { readonly start: string; readonly end: string }[];
  readonly hosts: readonly { readonly mac: string; readonly ip: string; readonly name?: string | undefined; readonly dns?: boolean | undefined }[];
  readonly dns: boolean;
}

/** buildNetworkTree is the desired <network> of a spec, in libvirt's element order. */
export function buildNetworkTree(s: NetSpec): XNode {
  const n: XNode = { name: [{ '#text': s.name }] };
  if (s.forward !== 'none') n['forward'] = [{ '@mode': s.forward }];
  const br: XNode = {};
  if (s.bridge?.name !== undefined) br['@name'] = s.bridge.name;
  br['@stp'] = s.bridge?.stp === false ? 'off' : 'on';
  br['@delay'] = String(s.bridge?.delay ?? 0);
  n['bridge'] = [br];
  const named = s.hosts.filter((h) => h.name !== undefined && h.dns !== false);
  if (!s.dns) n['dns'] = [{ '@enable': 'no' }];
  else if (named.length > 0) n['dns'] = [{ host: named.map((h) => ({ '@ip': h.ip, hostname: [{ '#text': h.name! }] })) }];
  const ip: XNode = { '@address': s.address, '@prefix': String(s.prefix) };
  if (s.dhcpRanges.length > 0 || s.hosts.length > 0) {
    const dhcp: XNode = {};
    if (s.dhcpRanges.length > 0) dhcp['range'] = s.dhcpRanges.map((r) => ({ '@start': r.start, '@end': r.end }));
    if (s.hosts.length > 0) dhcp['host'] = s.hosts.map((h) => ({ '@mac': h.mac.toLowerCase(), ...(h.name !== undefined ? { '@name': h.name } : {}), '@ip': h.ip }));
    ip['dhcp'] = [dhcp];
  }
  n['ip'] = [ip];
  return n;
}

/**
 * carryOver completes a desired tree with what libvirt generated for the existing network
 * (uuid, bridge MAC, a generated bridge name) so a redefinition keeps them.
 */
export function carryOver(desired: XNode, existing: XNode | undefined): XNode {
  if (!existing) return desired;
  const out: XNode = {};
  const put = (k: string, v: XNode[] | undefined): void => {
    if (v && v.length > 0) out[k] = v;
  };
  for (const [k, v] of Object.entries(desired)) if (k.startsWith('@')) out[k] = v;
  put('name', kids(desired, 'name'));
  put('uuid', kids(desired, 'uuid').length > 0 ? kids(desired, 'uuid') : kids(existing, 'uuid'));
  for (const [k, v] of Object.entries(desired)) {
    if (k.startsWith('@') || k === 'name' || k === 'uuid' || !Array.isArray(v)) continue;
    if (k === 'bridge') {
      const b = { ...v[0]! };
      if (attr(b, 'name') === undefined && attr(kid(existing, 'bridge'), 'name') !== undefined) b['@name'] = attr(kid(existing, 'bridge'), 'name');
      out['bridge'] = [b];
      if (kids(desired, 'mac').length === 0) put('mac', kids(existing, 'mac'));
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** DhcpHostItem, DhcpRangeItem and DnsHostItem are the parts net-update changes, keyed for set comparison. */
export interface LiveItem {
  readonly section: 'ip-dhcp-host' | 'ip-dhcp-range' | 'dns-host';
  /** identity: a host's MAC (or name), a range's start-end, a DNS host's address */
  readonly key: string;
  /** index of the <ip> element it belongs to (net-update --parent-index) */
  readonly ipIndex: number;
  /** the element alone, as net-update takes it */
  readonly node: XNode;
  /** the element's meaning, for the plan's before/after */
  readonly value: Readonly<Record<string, unknown>>;
}

/** NetModel is a network in normal form: the restart-only rest as path = value, and the live parts. */
export interface NetModel {
  readonly rest: Map<string, string>;
  readonly items: readonly LiveItem[];
  readonly bridge: string | undefined;
}

const DEFAULT_NAT_PORTS = (nat: XNode | undefined): boolean => {
  if (!nat) return false;
  const ports = kids(nat, 'port');
  const keys = Object.keys(nat).filter((k) => nat[k] !== undefined && !(k === '#text' && nat[k] === ''));
  return keys.length === 1 && ports.length === 1 && attr(ports[0], 'start') === '1024' && attr(ports[0], 'end') === '65535' && Object.keys(ports[0]!).filter((k) => k !== '#text').length === 2;
};

function withoutAttr(n: XNode, a: string): void {
  delete n[`@${a}`];
}

/**
 * normalizeNetwork brings a <network> to normal form. Dropped or defaulted, because libvirt adds
 * or spells them differently: the uuid and bridge MAC, the live XML's `connections`, bridge
 * stp='on' delay='0', a missing forward (= none, isolated) and nat's default port range,
 * netmask (= prefix), family='ipv4', <dns enable='yes'> and empty <dns>/<dhcp>.
 */
export function normalizeNetwork(root: XNode): NetModel {
  const n = clone(root);
  withoutAttr(n, 'connections');
  delete n['uuid'];
  delete n['mac'];
  const br = kid(n, 'bridge');
  if (br) {
    br['@stp'] ??= 'on';
    br['@delay'] ??= '0';
  }
  const fwd = kid(n, 'forward');
  if (!fwd) n['forward'] = [{ '@mode': 'none' }];
  else {
    fwd['@mode'] ??= 'nat';
    if (DEFAULT_NAT_PORTS(kid(fwd, 'nat'))) delete fwd['nat'];
  }
  const items: LiveItem[] = [];
  kids(n, 'ip').forEach((ip, i) => {
    const mask = attr(ip, 'netmask');
    if (mask !== undefined && attr(ip, 'prefix') === undefined) {
      const bits = mask.split('.').reduce((a, o) => a + (Number(o) >>> 0).toString(2).replace(/0/g, '').length, 0);
      ip['@prefix'] = String(bits);
    }
    withoutAttr(ip, 'netmask');
    if (attr(ip, 'family') === 'ipv4') withoutAttr(ip, 'family');
    const dhcp = kid(ip, 'dhcp');
    if (dhcp) {
      for (const h of kids(dhcp, 'host')) {
        const mac = attr(h, 'mac')?.toLowerCase();
        const node: XNode = { ...h, ...(mac ? { '@mac': mac } : {}) };
        items.push({
          section: 'ip-dhcp-host',
          key: mac ?? `name:${attr(h, 'name') ?? attr(h, 'ip')}`,
          ipIndex: i,
          node,
          value: { mac: mac ?? null, name: attr(h, 'name') ?? null, ip: attr(h, 'ip') ?? null },
        });
      }
      for (const r of kids(dhcp, 'range')) {
        items.push({ section: 'ip-dhcp-range', key: `${attr(r, 'start')}-${attr(r, 'end')}`, ipIndex: i, node: r, value: { start: attr(r, 'start') ?? null, end: attr(r, 'end') ?? null } });
      }
      delete dhcp['host'];
      delete dhcp['range'];
      if (isEmpty(dhcp)) delete ip['dhcp'];
    }
  });
  const dns = kid(n, 'dns');
  if (dns) {
    for (const h of kids(dns, 'host')) {
      const names = kids(h, 'hostname').map(textOf).sort();
      items.push({ section: 'dns-host', key: attr(h, 'ip') ?? '', ipIndex: 0, node: h, value: { ip: attr(h, 'ip') ?? null, hostnames: names } });
    }
    delete dns['host'];
    if (attr(dns, 'enable') === 'yes') withoutAttr(dns, 'enable');
    if (isEmpty(dns)) delete n['dns'];
  }
  return { rest: flatten(n), items, bridge: attr(kid(n, 'bridge'), 'name') };
}

/** RestDiff is one restart-only property that differs. */
export interface RestDiff {
  readonly property: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** diffRest lists the restart-only properties of `want` that `have` lacks or spells differently. */
export function diffRest(want: NetModel, have: NetModel): RestDiff[] {
  const keys = [...new Set([...want.rest.keys(), ...have.rest.keys()])].sort();
  return keys
    .filter((k) => want.rest.get(k) !== have.rest.get(k))
    .map((k) => ({ property: k.replace(/^\//, '').replace(/\//g, '.'), before: have.rest.get(k) ?? null, after: want.rest.get(k) ?? null }));
}

/** UpdateOp is one `virsh net-update` command, before its --live/--config flags are chosen. */
export interface UpdateOp {
  readonly command: 'add' | 'delete' | 'modify';
  readonly section: LiveItem['section'];
  readonly ipIndex: number;
  readonly xml: string;
  readonly key: string;
  readonly before: unknown;
  readonly after: unknown;
}

const ELEMENT: Record<LiveItem['section'], string> = { 'ip-dhcp-host': 'host', 'ip-dhcp-range': 'range', 'dns-host': 'host' };
const same = (a: LiveItem, b: LiveItem): boolean => JSON.stringify(a.value) === JSON.stringify(b.value);

/**
 * updateOps lists the net-update commands that turn one layer's live parts into the desired
 * ones. DHCP hosts are modified in place; ranges and DNS hosts have no modify in libvirt 9, so
 * they are deleted and added.
 */
export function updateOps(want: NetModel, have: NetModel): UpdateOp[] {
  const ops: UpdateOp[] = [];
  const id = (i: LiveItem): string => `${i.section} ${i.key}`;
  const haveBy = new Map(have.items.map((i) => [id(i), i]));
  const wantBy = new Map(want.items.map((i) => [id(i), i]));
  const xml = (i: LiveItem): string => buildXml(ELEMENT[i.section], i.node).trim();
  for (const h of have.items) {
    const w = wantBy.get(id(h));
    if (w && (same(w, h) || h.section === 'ip-dhcp-host')) continue;
    ops.push({ command: 'delete', section: h.section, ipIndex: h.ipIndex, xml: xml(h), key: h.key, before: h.value, after: w ? undefined : null });
  }
  for (const w of want.items) {
    const h = haveBy.get(id(w));
    if (h && same(w, h)) continue;
    const modify = h !== undefined && w.section === 'ip-dhcp-host';
    ops.push({ command: modify ? 'modify' : 'add', section: w.section, ipIndex: w.ipIndex, xml: xml(w), key: w.key, before: h ? h.value : null, after: w.value });
  }
  return ops;
}
