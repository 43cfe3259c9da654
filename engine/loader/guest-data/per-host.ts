// The per-host half of the inventory's guest data check: each `guest` against the one guest schema,
// each `libvirt_networks` entry against virt_network's own argument schema, so a role that hands
// these values to nm_team or virt_network cannot meet a mistake the inventory check let through.
import type { SourcePos } from '../../errors/index.ts';
import { deepMerge, formatVarPath, parseGuestParts } from '../../guest/schema.ts';
import type { Vars } from '../../inventory/types.ts';
import { locateValue } from '../../inventory/value-pos.ts';
import { networkArgsSchema } from '../../modules/virt/network-args.ts';

/** DataProblem is one mistake in a host's guest data: the variable path, the message, and where it is written. */
export interface DataProblem {
  readonly host: string;
  readonly path: string;
  readonly message: string;
  readonly pos: SourcePos | undefined;
}

type Path = readonly (string | number)[];

/** varPath renders `['libvirt_networks','lab','dhcp',0]` as `libvirt_networks.lab.dhcp[0]` (numbers are list indexes). */
function varPath(path: Path): string {
  return path.reduce<string>((acc, p, i) => (typeof p === 'number' ? `${acc}[${p}]` : i === 0 ? p : `${acc}.${p}`), '');
}

/** indexed turns the string indexes module checks give (`'0'`) into numbers where the value is a list. */
function indexed(root: unknown, path: Path): Path {
  let v = root;
  return path.map((k) => {
    const key = Array.isArray(v) && typeof k === 'string' && /^\d+$/.test(k) ? Number(k) : k;
    v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined;
    return key;
  });
}

/**
 * withValue adds the offending scalar to a schema message that does not show it (`Invalid IPv4
 * range (got "300.1.1.0/24")`): in an INI inventory the place is the start of the whole JSON value.
 */
function withValue(message: string, root: unknown, path: Path): string {
  let v = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return message;
  const shown = JSON.stringify(v);
  return message.includes(String(v)) ? message : `${message} (got ${shown})`;
}

/** guestProblems checks one host's `guest` (laid over `guest_defaults`) with the guest schema. */
export function guestProblems(host: string, vars: Vars, locate: (path: Path) => SourcePos | undefined): DataProblem[] {
  const raw = deepMerge(vars['guest_defaults'] ?? {}, vars['guest']);
  return parseGuestParts(vars).issues.map((i) => ({ host, path: formatVarPath(i.path), message: withValue(i.message, raw, i.path), pos: locate(i.path) }));
}

/** networkProblems checks one host's `libvirt_networks`: a mapping of network name to a virt_network `network` entry. */
export function networkProblems(host: string, vars: Vars, hostPos: SourcePos | undefined): DataProblem[] {
  const nets = vars['libvirt_networks'];
  const at = (path: Path): SourcePos | undefined => locateValue(vars, ['libvirt_networks', ...path])?.pos ?? hostPos;
  if (nets === null || typeof nets !== 'object' || Array.isArray(nets)) {
    return [{ host, path: 'libvirt_networks', message: 'must be a mapping of network name to its definition (cidr, bridge, forward, dhcp, dns)', pos: at([]) }];
  }
  const out: DataProblem[] = [];
  for (const [name, entry] of Object.entries(nets as Record<string, unknown>)) {
    const r = networkArgsSchema.safeParse({ name, network: entry });
    if (r.success) continue;
    for (const i of r.error.issues) {
      const inner = i.path.filter((p): p is string | number => typeof p !== 'symbol');
      // the module's paths start at its argument (`network`, `name`); in the inventory the entry sits under its name
      const path = indexed(nets, inner[0] === 'network' ? [name, ...inner.slice(1)] : [name]);
      out.push({ host, path: varPath(['libvirt_networks', ...path]), message: withValue(i.message, nets, path), pos: at(path) });
    }
  }
  return out;
}
