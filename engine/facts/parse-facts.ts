import type { Vars } from '../inventory/types.ts';

/** Facts is the small fact set tsplay gathers, named as Ansible names them. */
export interface Facts extends Vars {
  ansible_hostname: string;
  ansible_nodename: string;
  ansible_fqdn: string;
  ansible_kernel: string;
  ansible_architecture: string;
  ansible_os_family: string;
  ansible_distribution: string;
  ansible_distribution_version: string;
  ansible_distribution_major_version: string;
  ansible_default_ipv4: { address?: string; interface?: string; gateway?: string };
  ansible_interfaces: string[];
}

function sections(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of out.split('\n')) {
    const m = /^@@([a-z-]+)$/.exec(line);
    if (m) {
      cur = [];
      map.set(m[1] as string, cur);
    } else cur?.push(line);
  }
  return map;
}

function osRelease(lines: readonly string[]): Map<string, string> {
  const kv = new Map<string, string>();
  for (const l of lines) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(l.trim());
    if (!m) continue;
    let v = m[2] as string;
    // os-release values are shell-quoted: strip one level of quotes
    if (/^".*"$|^'.*'$/.test(v)) v = v.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    kv.set(m[1] as string, v);
  }
  return kv;
}

/** DISTRIBUTION maps os-release IDs to Ansible's ansible_distribution names. */
const DISTRIBUTION: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  centos: 'CentOS',
  rhel: 'RedHat',
  fedora: 'Fedora',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  ol: 'OracleLinux',
  alpine: 'Alpine',
  arch: 'Archlinux',
  opensuse: 'openSUSE',
  'opensuse-leap': 'openSUSE Leap',
  sles: 'SLES',
};

/** FAMILY maps Ansible distributions to ansible_os_family. */
const FAMILY: Record<string, string> = {
  Debian: 'Debian',
  Ubuntu: 'Debian',
  CentOS: 'RedHat',
  RedHat: 'RedHat',
  Fedora: 'RedHat',
  Rocky: 'RedHat',
  AlmaLinux: 'RedHat',
  OracleLinux: 'RedHat',
  Alpine: 'Alpine',
  Archlinux: 'Archlinux',
  openSUSE: 'Suse',
  'openSUSE Leap': 'Suse',
  SLES: 'Suse',
};

function hexToIpv4(hex: string): string {
  // /proc/net/route prints addresses as little-endian hex
  const n = Number.parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function fqdnOf(hostname: string, hosts: readonly string[]): string {
  for (const raw of hosts) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [, ...names] = line.split(/\s+/);
    if (names.includes(hostname) || names.some((n) => n.split('.')[0] === hostname && n.includes('.'))) {
      // as getfqdn(): the first name of the entry that has a dot, else the canonical name
      return names.find((n) => n.includes('.')) ?? names[0] ?? hostname;
    }
  }
  return hostname;
}

/**
 * parseFacts turns GATHER_SCRIPT's output into Ansible-named facts. Quirks handled here:
 * Debian's precise version is in /etc/debian_version (os-release has only the major), CentOS's
 * in /etc/redhat-release ("7.9.2009"); per-interface facts use `ansible_<name>` with `-` → `_`.
 */
export function parseFacts(out: string): Facts {
  const s = sections(out);
  const first = (name: string): string => (s.get(name) ?? []).map((l) => l.trim()).find((l) => l !== '') ?? '';
  const nodename = first('hostname');
  const hostname = nodename.split('.')[0] ?? nodename;
  const os = osRelease(s.get('os-release') ?? []);
  const id = (os.get('ID') ?? '').toLowerCase();
  const distribution = DISTRIBUTION[id] ?? (os.get('NAME') ?? 'Unknown').split(' ')[0] ?? 'Unknown';
  let version = os.get('VERSION_ID') ?? '';
  const debianVersion = first('debian-version');
  const redhat = first('redhat-release');
  if (distribution === 'Debian' && /^\d+(\.\d+)*$/.test(debianVersion)) version = debianVersion;
  const rh = /release\s+(\d+(?:\.\d+)*)/.exec(redhat);
  if (FAMILY[distribution] === 'RedHat' && rh) version = rh[1] as string;
  const osFamily = FAMILY[distribution] ?? distribution;

  const facts: Facts = {
    ansible_hostname: hostname,
    ansible_nodename: nodename,
    ansible_fqdn: fqdnOf(nodename, s.get('hosts') ?? []),
    ansible_kernel: first('kernel'),
    ansible_architecture: first('arch'),
    ansible_os_family: osFamily,
    ansible_distribution: distribution,
    ansible_distribution_version: version,
    ansible_distribution_major_version: version.split('.')[0] ?? '',
    ansible_default_ipv4: {},
    ansible_interfaces: [],
  };

  const addrs = new Map<string, { address: string; prefix: number }[]>();
  for (const l of s.get('addr') ?? []) {
    // "2: eth0    inet 10.0.0.2/24 brd ... scope global eth0\       valid_lft ..."
    const m = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(l);
    if (!m) continue;
    const dev = (m[1] as string).replace(/@.*$/, '');
    const list = addrs.get(dev) ?? [];
    list.push({ address: m[2] as string, prefix: Number(m[3]) });
    addrs.set(dev, list);
  }
  const macs = new Map<string, string>();
  for (const l of s.get('mac') ?? []) {
    const [dev, mac] = l.trim().split(/\s+/);
    if (dev) macs.set(dev, mac ?? '');
  }
  facts.ansible_interfaces = [...macs.keys()].sort();
  for (const dev of facts.ansible_interfaces) {
    const v4 = addrs.get(dev)?.[0];
    facts[`ansible_${dev.replace(/[-:.]/g, '_')}`] = {
      device: dev,
      // Ansible reports no MAC for loopback-like all-zero addresses
      ...(macs.get(dev) && macs.get(dev) !== '00:00:00:00:00:00' ? { macaddress: macs.get(dev) } : {}),
      ...(v4 ? { ipv4: { address: v4.address, prefix: String(v4.prefix) } } : {}),
    };
  }
  // the default route with the lowest metric wins, as the kernel picks it
  let best: { iface: string; gw: string; metric: number } | undefined;
  for (const l of (s.get('route') ?? []).slice(1)) {
    const f = l.trim().split(/\s+/);
    if (f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000') continue;
    const metric = Number(f[6]);
    if (!best || metric < best.metric) best = { iface: f[0] as string, gw: hexToIpv4(f[2] as string), metric };
  }
  if (best) {
    const v4 = addrs.get(best.iface)?.[0];
    facts.ansible_default_ipv4 = {
      interface: best.iface,
      gateway: best.gw,
      ...(v4 ? { address: v4.address } : {}),
      ...(macs.get(best.iface) && macs.get(best.iface) !== '00:00:00:00:00:00' ? { macaddress: macs.get(best.iface) } : {}),
    };
  }
  return facts;
}
