// A libvirt domain as tsplay compares it. The desired tree says only what the user asked for;
// libvirt adds much more (uuid, PCI addresses, controllers, aliases, currentMemory, the
// expanded machine type ...). So the comparison is a subset one — what the desired tree says
// must hold, what libvirt added is ignored — and a redefinition starts from the desired tree
// filled with what exists, so nothing libvirt generated (uuid, MACs, addresses) is regenerated.
import type { DomainSpec } from './domain-args.ts';
import { attr, flatten, kid, kids, textOf, type XNode } from './xml-tree.ts';

const el = (attrs: Record<string, string | undefined>, children: Record<string, XNode[] | string | undefined> = {}): XNode => {
  const n: XNode = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) n[`@${k}`] = v;
  for (const [k, v] of Object.entries(children)) if (v !== undefined) n[k] = v;
  return n;
};
const txt = (t: string): XNode[] => [{ '#text': t }];

type Nic = NonNullable<DomainSpec['nics']>[number];
type Side = { average: number; peak?: number | undefined; burst?: number | undefined };

function bandwidthNode(bw: Nic['bandwidth']): XNode[] | undefined {
  if (!bw || (!bw.inbound && !bw.outbound)) return undefined;
  const side = (s: Side | undefined): XNode[] | undefined => (s ? [el({ average: String(s.average), peak: s.peak?.toString(), burst: s.burst?.toString() })] : undefined);
  return [el({}, { inbound: side(bw.inbound), outbound: side(bw.outbound) })];
}

/** nicNode is one guest NIC as a libvirt <interface>: network, MAC, model, link state, bandwidth. */
export function nicNode(n: Nic): XNode {
  return el(
    { type: 'network' },
    {
      mac: [el({ address: n.mac.toLowerCase() })],
      source: [el({ network: n.network })],
      bandwidth: bandwidthNode(n.bandwidth),
      model: [el({ type: n.model })],
      link: n.link === 'down' ? [el({ state: 'down' })] : undefined,
    },
  );
}

/** buildDomainTree is the desired <domain> of a description; what it leaves out is libvirt's to choose. */
export function buildDomainTree(s: DomainSpec): XNode {
  const boot = s.boot;
  const os = el(
    {},
    {
      type: [el({ arch: s.arch, machine: s.machine }, { '#text': 'hvm' })],
      ...(boot && 'kernel' in boot
        ? { kernel: txt(boot.kernel), initrd: boot.initrd === undefined ? undefined : txt(boot.initrd), cmdline: boot.cmdline === undefined ? undefined : txt(boot.cmdline) }
        : { boot: boot ? boot.devices.map((d) => el({ dev: d })) : undefined }),
    },
  );
  const features = el({}, { acpi: [{}], tcg: s.tb_cache === undefined ? undefined : [el({}, { 'tb-cache': [el({ unit: 'KiB' }, { '#text': String(s.tb_cache * 1024) })] })] });
  const cpu =
    s.cpu === undefined
      ? undefined
      : s.cpu === 'host-passthrough'
        ? [el({ mode: 'host-passthrough' })]
        : [el({ mode: 'custom', match: 'exact' }, { model: [el({ fallback: 'allow' }, { '#text': s.cpu })] })];
  const devices = el(
    {},
    {
      disk: (s.disks ?? []).map((d) =>
        el(
          { type: 'file', device: 'disk' },
          {
            driver: [el({ name: 'qemu', type: d.format, cache: d.cache })],
            source: [el({ file: d.path })],
            target: [el({ dev: d.target, bus: d.bus })],
            readonly: d.readonly ? [{}] : undefined,
          },
        ),
      ),
      interface: (s.nics ?? []).map(nicNode),
      serial: s.console_log === undefined ? undefined : [el({ type: 'file' }, { source: [el({ path: s.console_log })], target: [el({ port: '0' })] })],
      channel: s.guest_agent ? [el({ type: 'unix' }, { target: [el({ type: 'virtio', name: 'org.qemu.guest_agent.0' })] })] : undefined,
      rng: s.rng ? [el({ model: 'virtio' }, { backend: [el({ model: 'random' }, { '#text': '/dev/urandom' })] })] : undefined,
      memballoon: s.memballoon === undefined ? undefined : [el({ model: s.memballoon ? 'virtio' : 'none' })],
    },
  );
  // no type: the existing domain's stays (a new one gets kvm where it is defined)
  return el(
    { type: s.type },
    {
      name: txt(s.name),
      memory: s.memory === undefined ? undefined : [el({ unit: 'KiB' }, { '#text': String(s.memory * 1024) })],
      vcpu: s.vcpus === undefined ? undefined : txt(String(s.vcpus)),
      os: [os],
      features: [features],
      cpu,
      clock: [el({ offset: 'utc' })],
      devices: [devices],
    },
  );
}

const UNITS: Record<string, number> = { b: 1 / 1024, bytes: 1 / 1024, KiB: 1, k: 1, K: 1, KB: 1000 / 1024, MiB: 1024, M: 1024, MB: 1e6 / 1024, GiB: 1024 ** 2, G: 1024 ** 2, GB: 1e9 / 1024 };

function toKiB(n: XNode | undefined): void {
  if (!n) return;
  const f = UNITS[attr(n, 'unit') ?? 'KiB'] ?? 1;
  n['#text'] = String(Math.round(Number(textOf(n)) * f));
  n['@unit'] = 'KiB';
}

/** normalizeDomain spells sizes in KiB and MACs in lower case, in place, so both sides compare. */
export function normalizeDomain(root: XNode): XNode {
  for (const k of ['memory', 'currentMemory', 'maxMemory']) toKiB(kid(root, k));
  for (const f of kids(kid(root, 'features'), 'tcg')) toKiB(kid(f, 'tb-cache'));
  for (const i of kids(kid(root, 'devices'), 'interface')) {
    const m = kid(i, 'mac');
    if (m && attr(m, 'address')) m['@address'] = attr(m, 'address')!.toLowerCase();
  }
  return root;
}

/** machineMatches is true when the wanted machine type is the existing one or an alias libvirt expanded (pc → pc-i440fx-7.2). */
export function machineMatches(want: string, have: string | undefined): boolean {
  if (have === undefined) return false;
  if (want === have) return true;
  const alias: Record<string, RegExp> = { pc: /^pc-i440fx-/, q35: /^pc-q35-/, virt: /^virt-/ };
  return alias[want]?.test(have) ?? false;
}

// Elements libvirt never adds by itself: absent from the desired tree means "remove".
const USER_ONLY = new Set(['os/kernel', 'os/initrd', 'os/cmdline', 'features/tcg', 'devices/disk/readonly', 'devices/interface/link', 'devices/interface/bandwidth']);
// Device lists the description owns whole: an existing one it does not name is removed.
const OWNED = new Set(['devices/disk', 'devices/interface']);

const strip = (p: string): string => p.replace(/\[[^\]]*\]/g, '');

/**
 * undescribed lists the user-only elements and owned device lists a description leaves out:
 * they are kept as they are, not removed (a task naming only the memory keeps the disks).
 */
export function undescribed(s: DomainSpec): Set<string> {
  const out = new Set<string>();
  if (s.boot === undefined) for (const p of ['os/kernel', 'os/initrd', 'os/cmdline']) out.add(p);
  if (s.tb_cache === undefined) out.add('features/tcg');
  if (s.disks === undefined) for (const p of ['devices/disk', 'devices/disk/readonly']) out.add(p);
  if (s.nics === undefined) for (const p of ['devices/interface', 'devices/interface/link', 'devices/interface/bandwidth']) out.add(p);
  return out;
}

function keyOf(listPath: string, n: XNode, i: number): string {
  if (listPath === 'devices/interface') return attr(kid(n, 'mac'), 'address') ?? `#${i + 1}`;
  if (listPath === 'devices/disk') return attr(kid(n, 'target'), 'dev') ?? `#${i + 1}`;
  return `#${i + 1}`;
}

function pairs(listPath: string, want: XNode[], have: XNode[]): { w?: XNode; h?: XNode; key: string }[] {
  const hk = have.map((h, i) => keyOf(listPath, h, i));
  const out: { w?: XNode; h?: XNode; key: string }[] = [];
  const used = new Set<number>();
  want.forEach((w, i) => {
    const key = keyOf(listPath, w, i);
    const j = hk.indexOf(key);
    if (j >= 0) used.add(j);
    out.push(j >= 0 ? { w, h: have[j]!, key } : { w, key });
  });
  have.forEach((h, j) => {
    if (!used.has(j)) out.push({ h, key: hk[j]! });
  });
  return out;
}

const summary = (n: XNode): Record<string, string> => Object.fromEntries(flatten(n));
const childNames = (n: XNode): string[] => Object.keys(n).filter((k) => !k.startsWith('@') && k !== '#text' && Array.isArray(n[k]));

/** DomainDiff is one property the desired tree states and the existing one lacks or spells differently. */
export interface DomainDiff {
  readonly property: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * subsetDiff lists what `want` states that `have` does not hold (attributes, text, elements),
 * plus the user-only elements and owned devices `have` has and `want` leaves out. Interfaces are
 * left to the NIC comparison (`skipInterfaces`).
 */
export function subsetDiff(want: XNode, have: XNode, skipInterfaces = true, keep: ReadonlySet<string> = new Set()): DomainDiff[] {
  const out: DomainDiff[] = [];
  const walk = (w: XNode, h: XNode, path: string, shown: string): void => {
    const bare = strip(path);
    for (const [k, v] of Object.entries(w)) {
      if (!k.startsWith('@') || typeof v !== 'string') continue;
      const hv = attr(h, k.slice(1));
      if (bare === 'os/type' && k === '@machine' ? machineMatches(v, hv) : hv === v) continue;
      out.push({ property: `${shown.replace(/\.$/, '')}${k}`, before: hv ?? null, after: v });
    }
    const wt = textOf(w);
    if (wt !== '' && wt !== textOf(h)) out.push({ property: shown === '' ? '#text' : shown.replace(/\.$/, ''), before: textOf(h) || null, after: wt });
    for (const name of new Set([...childNames(w), ...childNames(h)])) {
      const p = path === '' ? name : `${path}/${name}`;
      const bp = strip(p);
      if (skipInterfaces && bp === 'devices/interface') continue;
      const wl = kids(w, name);
      const hl = kids(h, name);
      if (wl.length === 0 && ((!USER_ONLY.has(bp) && !OWNED.has(bp)) || keep.has(bp))) continue;
      for (const { w: wi, h: hi, key } of pairs(bp, wl, hl)) {
        const label = `${shown}${name}${wl.length > 1 || hl.length > 1 || OWNED.has(bp) ? `[${key}]` : ''}`;
        if (wi && hi) walk(wi, hi, `${p}[${key}]`, `${label}.`);
        else if (wi) out.push({ property: label, before: null, after: summary(wi) });
        else if (hi && (OWNED.has(bp) || USER_ONLY.has(bp))) out.push({ property: label, before: summary(hi), after: null });
      }
    }
  };
  walk(want, have, '', '');
  return out;
}

// libvirt's schema wants some elements in sequence (currentMemory right after memory): keep the
// desired order and put each element only the existing tree has before the next one both have.
function mergedOrder(want: string[], have: string[]): string[] {
  const out: string[] = [];
  let hi = 0;
  for (const n of want) {
    const at = have.indexOf(n);
    if (at >= hi) {
      for (; hi < at; hi++) if (!want.includes(have[hi]!)) out.push(have[hi]!);
      hi = at + 1;
    }
    out.push(n);
  }
  for (; hi < have.length; hi++) if (!want.includes(have[hi]!)) out.push(have[hi]!);
  return out.filter((n, i) => out.indexOf(n) === i);
}

/**
 * fillFrom completes the desired tree with what exists (uuid, MACs, PCI addresses, controllers,
 * the expanded machine type, libvirt's defaults) so a redefinition regenerates none of it. What
 * the description owns (user-only elements, listed disks and interfaces) is not carried over, and
 * neither is currentMemory when the memory changes.
 */
export function fillFrom(want: XNode, have: XNode | undefined, keep: ReadonlySet<string> = new Set()): XNode {
  if (!have) return want;
  // another machine type has another bus layout: libvirt must assign addresses and controllers anew
  const machine = attr(kid(kid(want, 'os'), 'type'), 'machine');
  const newBoard = machine !== undefined && !machineMatches(machine, attr(kid(kid(have, 'os'), 'type'), 'machine'));
  const fill = (w: XNode, h: XNode, path: string): XNode => {
    const bare = strip(path);
    const out: XNode = {};
    for (const [k, v] of Object.entries(w)) if (k.startsWith('@')) out[k] = v;
    for (const [k, v] of Object.entries(h)) if (k.startsWith('@') && out[k] === undefined) out[k] = v;
    if (bare === 'os/type' && typeof w['@machine'] === 'string' && machineMatches(w['@machine'], attr(h, 'machine'))) out['@machine'] = attr(h, 'machine');
    const t = textOf(w) !== '' ? textOf(w) : textOf(h);
    if (t !== '') out['#text'] = t;
    for (const name of mergedOrder(childNames(w), childNames(h))) {
      const p = path === '' ? name : `${path}/${name}`;
      const bp = strip(p);
      const wl = kids(w, name);
      if (wl.length === 0) {
        if ((USER_ONLY.has(bp) || OWNED.has(bp)) && !keep.has(bp)) continue;
        if (newBoard && (name === 'address' || bp === 'devices/controller')) continue;
        if (bp === 'currentMemory' && textOf(kid(w, 'memory')) !== '' && textOf(kid(w, 'memory')) !== textOf(kid(h, 'memory'))) continue;
        out[name] = structuredClone(kids(h, name));
        continue;
      }
      const filled: XNode[] = [];
      for (const { w: wi, h: hi, key } of pairs(bp, wl, kids(h, name))) {
        if (wi) filled.push(hi ? fill(wi, hi, `${p}[${key}]`) : structuredClone(wi));
      }
      out[name] = filled;
    }
    return out;
  };
  return fill(want, have, '');
}

/**
 * adoptMacs gives each desired interface without a MAC the MAC of the existing interface on the
 * same network in the same order (Ansible's ADD_MAC_ADDRESSES_FUZZY), so MACs are never regenerated.
 */
export function adoptMacs(want: XNode, have: XNode | undefined): void {
  const wantIfs = kids(kid(want, 'devices'), 'interface');
  const haveIfs = kids(kid(have, 'devices'), 'interface');
  const taken = new Set(wantIfs.map((i) => attr(kid(i, 'mac'), 'address')).filter((m) => m !== undefined));
  for (const i of wantIfs) {
    if (kid(i, 'mac')) continue;
    const net = attr(kid(i, 'source'), 'network');
    const match = haveIfs.find((h) => attr(kid(h, 'source'), 'network') === net && !taken.has(attr(kid(h, 'mac'), 'address') ?? ''));
    const mac = attr(kid(match, 'mac'), 'address');
    if (mac === undefined) continue;
    taken.add(mac);
    i['mac'] = [{ '@address': mac }];
  }
}

/** IfaceState is one interface as the comparison sees it. */
export interface IfaceState {
  readonly mac: string;
  readonly network: string | null;
  readonly model: string | null;
  readonly link: 'up' | 'down';
  readonly inbound: Side | null;
  readonly outbound: Side | null;
  readonly node: XNode;
}

function sideOf(n: XNode | undefined): Side | null {
  const avg = Number(attr(n, 'average') ?? 0);
  if (!n || !avg) return null;
  const peak = Number(attr(n, 'peak') ?? 0);
  const burst = Number(attr(n, 'burst') ?? 0);
  return { average: avg, ...(peak ? { peak } : {}), ...(burst ? { burst } : {}) };
}

/** interfacesOf lists a domain tree's interfaces by MAC (ones without a MAC are left out). */
export function interfacesOf(root: XNode | undefined): IfaceState[] {
  return kids(kid(root, 'devices'), 'interface').flatMap((i) => {
    const mac = attr(kid(i, 'mac'), 'address')?.toLowerCase();
    if (mac === undefined) return [];
    const bw = kid(i, 'bandwidth');
    return [
      {
        mac,
        network: attr(kid(i, 'source'), 'network') ?? attr(kid(i, 'source'), 'bridge') ?? null,
        model: attr(kid(i, 'model'), 'type') ?? null,
        link: attr(kid(i, 'link'), 'state') === 'down' ? ('down' as const) : ('up' as const),
        inbound: sideOf(kid(bw, 'inbound')),
        outbound: sideOf(kid(bw, 'outbound')),
        node: i,
      },
    ];
  });
}

/** deviceXml is the minimal <interface> virsh needs to find an existing NIC (type, MAC, source, model). */
export function deviceNode(i: IfaceState): XNode {
  const src = kid(i.node, 'source');
  return el(
    { type: attr(i.node, 'type') ?? 'network' },
    {
      mac: [el({ address: i.mac })],
      source: src ? [el({ network: attr(src, 'network'), bridge: attr(src, 'network') ? undefined : attr(src, 'bridge') })] : undefined,
      model: i.model === null ? undefined : [el({ type: i.model })],
    },
  );
}
