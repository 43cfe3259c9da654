// The half of the inventory's guest data check that needs more than one host: MACs and static
// addresses used twice, one hostname as the DHCP host name of two guests on a network, NICs on networks their hypervisor does not define or addressed outside
// them, hypervisors that are not in the inventory, and bandwidth whose peak is below its average.
// Each value is read from the raw description, one NIC at a time, so a mistake in one field never
// hides these (the schema's own findings come from per-host.ts in the same pass).
import type { SourcePos } from '../../errors/index.ts';
import { deepMerge, formatVarPath } from '../../guest/schema.ts';
import type { Vars } from '../../inventory/types.ts';
import { locateValue } from '../../inventory/value-pos.ts';
import { MAC_RE, parseCidr } from '../../template/ipaddr.ts';
import type { DataProblem } from './per-host.ts';

type Path = readonly (string | number)[];

/** GuestHost is one host with a `guest` variable, with its vars and a way to find where a guest path is written. */
export interface GuestHost {
  readonly host: string;
  readonly vars: Vars;
  readonly locate: (path: Path) => SourcePos | undefined;
}

/** HostLookup answers what the check needs of other hosts: whether one exists and its variables. */
export interface HostLookup {
  has(host: string): boolean;
  vars(host: string): Vars;
}

const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** NetworksOf is which networks a guest's NICs may use and who defines them; undefined when nothing says. */
interface NetworksOf {
  readonly defs: Record<string, unknown>;
  readonly owner: string;
}

/**
 * crossHostProblems checks the guests against each other and against their hypervisors' networks.
 * The first holder of a MAC or address keeps it; each later one is reported at its own place.
 */
export function crossHostProblems(guests: readonly GuestHost[], hosts: HostLookup): DataProblem[] {
  const out: DataProblem[] = [];
  const macs = new Map<string, string>();
  const addresses = new Map<string, string>();
  const dhcpNames = new Map<string, string>();
  for (const g of guests) {
    const add = (path: Path, message: string): void => void out.push({ host: g.host, path: formatVarPath(path), message, pos: g.locate(path) });
    const networks = networksOf(g, hosts, (message) => out.push({ host: g.host, path: 'hypervisor', message, pos: locateValue(g.vars, ['hypervisor'])?.pos ?? g.locate([]) }));
    const guest = obj(deepMerge(g.vars['guest_defaults'] ?? {}, g.vars['guest'])) ?? {};
    const nics = Array.isArray(guest['nics']) ? guest['nics'] : [];
    const nicNets = new Map<string, string>();
    const claim = (address: string, path: Path, who: string): void => {
      const other = addresses.get(address);
      if (other !== undefined) add(path, `address ${address} is also used by ${other}`);
      else addresses.set(address, who);
    };
    nics.forEach((raw, i) => {
      const nic = obj(raw);
      if (!nic) return;
      const name = str(nic['name']) ?? `#${i}`;
      const mac = str(nic['mac']);
      if (mac !== undefined && !MAC_RE.test(mac)) add(['nics', i, 'mac'], `NIC ${name}: "${mac}" is not a MAC address (six hex pairs with colons, e.g. 52:54:00:12:34:56)`);
      else if (mac !== undefined) {
        const other = macs.get(mac.toLowerCase());
        if (other !== undefined) add(['nics', i, 'mac'], `MAC ${mac.toLowerCase()} is also used by ${other}`);
        else macs.set(mac.toLowerCase(), `${g.host} (NIC ${name})`);
      }
      const net = str(nic['network']);
      if (net !== undefined) nicNets.set(name, net);
      if (net !== undefined && networks && obj(networks.defs[net]) === undefined) {
        const known = Object.keys(networks.defs).join(', ') || 'none defined';
        add(['nics', i, 'network'], `NIC ${name}: network ${net} is not in the libvirt_networks of ${networks.owner} (${known})`);
      }
      const address = str(nic['address']);
      if (address !== undefined) {
        const a = parseCidr(address);
        if (a) {
          claim(a.address, ['nics', i, 'address'], `${g.host} (NIC ${name})`);
          const outside = net !== undefined && networks ? outsideOf(a.address, networks.defs[net]) : undefined;
          if (outside) add(['nics', i, 'address'], `NIC ${name}: address ${a.address} is outside network ${net} (${outside})`);
        }
      }
      const bw = obj(nic['bandwidth']);
      for (const dir of ['inbound', 'outbound'] as const) {
        const d = obj(bw?.[dir]);
        const avg = d?.['average'];
        const peak = d?.['peak'];
        if (typeof avg === 'number' && typeof peak === 'number' && peak < avg) add(['nics', i, 'bandwidth', dir, 'peak'], `NIC ${name}: ${dir} peak ${peak} is below its average ${avg} (KiB/s)`);
      }
    });
    const clash = dhcpNameClash(g, guest, nics, networks, dhcpNames);
    if (clash) add(['hostname'], clash);
    const team = obj(guest['team']);
    const ipv4 = obj(team?.['ipv4']);
    const teamAddr = ipv4?.['method'] === 'static' ? parseCidr(str(ipv4['address']) ?? '') : undefined;
    if (team && teamAddr) {
      claim(teamAddr.address, ['team', 'ipv4', 'address'], `${g.host} (team)`);
      const ports = Array.isArray(team['ports']) ? team['ports'] : [];
      const portNets = new Set(ports.map((p) => nicNets.get(str(obj(p)?.['nic']) ?? '')).filter((n): n is string => n !== undefined));
      for (const net of portNets) {
        const outside = networks ? outsideOf(teamAddr.address, networks.defs[net]) : undefined;
        if (outside) add(['team', 'ipv4', 'address'], `address ${teamAddr.address} is outside network ${net} (${outside}) of the team's ports`);
      }
    }
  }
  return out;
}

/**
 * dhcpNameClash claims the guest's hostname as the DHCP host name on each network where it has a
 * static address (network_hosts names a guest's first static NIC of a network): libvirt refuses a
 * second DHCP host with a name already listed, so two guests with one hostname cannot share a
 * network. Returns the message for the first network where another guest holds the name.
 */
function dhcpNameClash(g: GuestHost, guest: Record<string, unknown>, nics: readonly unknown[], networks: NetworksOf | undefined, claimed: Map<string, string>): string | undefined {
  const hostname = str(guest['hostname']);
  if (hostname === undefined || !networks) return undefined;
  const owner = str(g.vars['hypervisor']) ?? g.host;
  const nets = new Set(nics.map(obj).flatMap((n) => (n && str(n['address']) !== undefined && str(n['network']) !== undefined ? [str(n['network'])!] : [])));
  for (const net of nets) {
    const key = `${owner}\0${net}\0${hostname.toLowerCase()}`;
    const other = claimed.get(key);
    if (other !== undefined) return `hostname ${hostname} is also the DHCP host name of ${other} on network ${net} of ${networks.owner} (libvirt refuses one name twice)`;
    claimed.set(key, g.host);
  }
  return undefined;
}

/** networksOf finds the networks a guest's NICs join: its hypervisor's `libvirt_networks`, else its own. */
function networksOf(g: GuestHost, hosts: HostLookup, problem: (message: string) => void): NetworksOf | undefined {
  const hv = g.vars['hypervisor'];
  if (hv === undefined) {
    const own = obj(g.vars['libvirt_networks']);
    return own ? { defs: own, owner: g.host } : undefined;
  }
  if (typeof hv !== 'string' || !hosts.has(hv)) {
    problem(`hypervisor ${JSON.stringify(hv)} is not a host in the inventory`);
    return undefined;
  }
  const defs = hosts.vars(hv)['libvirt_networks'];
  // a malformed libvirt_networks is reported on its own; every NIC is not wrong because of it
  if (defs !== undefined && !obj(defs)) return undefined;
  return { defs: obj(defs) ?? {}, owner: `hypervisor ${hv}` };
}

/** outsideOf says which network (`10.0.0.0/24`) an address falls outside of; undefined when inside or the network has no usable cidr. */
function outsideOf(address: string, entry: unknown): string | undefined {
  const cidr = parseCidr(str(obj(entry)?.['cidr']) ?? '');
  if (!cidr) return undefined;
  return parseCidr(`${address}/${cidr.prefix}`)?.network === cidr.network ? undefined : `${cidr.network}/${cidr.prefix}`;
}
