import { stringify as yamlStringify } from 'yaml';
import { parseCidr, macToDashes, type Cidr } from './ipaddr.ts';
import { shQuote } from '../py/quote.ts';
import { regexOp } from '../py/regex.ts';
import { pyStr } from '../py/repr.ts';
import { pyEqual, truthy } from '../py/values.ts';
import { jsonStringify } from '../py/json.ts';

/** HelperOptions is the part of Handlebars' helper options tsplay reads. */
export interface HelperOptions {
  readonly name: string;
  readonly loc?: { readonly start: { readonly line: number; readonly column: number } };
  readonly hash?: Record<string, unknown>;
  readonly fn?: (ctx: unknown) => string;
  readonly inverse?: (ctx: unknown) => string;
}

/** UndefinedHelperArg is thrown when a helper gets an undefined argument; the renderer names the variable from the AST. */
export class UndefinedHelperArg extends Error {
  readonly helper: string;
  readonly index: number;
  readonly loc: HelperOptions['loc'];
  constructor(helper: string, index: number, loc: HelperOptions['loc']) {
    super(`argument ${index + 1} of helper ${helper} is undefined`);
    this.helper = helper;
    this.index = index;
    this.loc = loc;
  }
}

/** HelperMisuse is thrown by a helper given a value it cannot work with; it becomes E_TEMPLATE_HELPER. */
export class HelperMisuse extends Error {}

type Helper = (...args: unknown[]) => unknown;

const field = (o: unknown, k: string): unknown => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined);
const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** guestsOn lists the hosts among `names` whose `hypervisor` var is `hypervisor` (a hypervisor role's guests, read from hostvars). */
function guestsOn(hostvars: unknown, names: unknown, hypervisor: unknown): string[] {
  return items(names)
    .map(String)
    .filter((n) => field(field(hostvars, n), 'hypervisor') === hypervisor);
}

/**
 * networkHosts is one libvirt network's DHCP + DNS hosts: every NIC with a static `address` on
 * `network`, of every guest of `hypervisor` ({mac, ip}); the guest's hostname goes on its first
 * such NIC only, because libvirt (and dnsmasq) refuse two DHCP hosts with one name.
 */
function networkHosts(hostvars: unknown, names: unknown, hypervisor: unknown, network: unknown): { mac: string; ip: string; name?: string }[] {
  return guestsOn(hostvars, names, hypervisor).flatMap((n) => {
    const g = field(field(hostvars, n), 'guest');
    return items(field(g, 'nics'))
      .filter((nic) => field(nic, 'network') === network && typeof field(nic, 'address') === 'string')
      .map((nic, i) => ({
        mac: String(field(nic, 'mac')).toLowerCase(),
        ip: String(field(nic, 'address')).split('/')[0]!,
        ...(i === 0 ? { name: String(field(g, 'hostname')) } : {}),
      }));
  });
}

const cidrPart =
  (part: keyof Cidr) =>
  (value: unknown): unknown => {
    const c = parseCidr(String(value));
    if (!c) throw new HelperMisuse(`"${String(value)}" is not an IPv4 address or CIDR (like 192.168.1.10/24)`);
    return c[part];
  };

/**
 * HELPERS is the one place template helpers are defined: Ansible's everyday filters spelled as
 * Handlebars helpers (`{{default x "y"}}`, `{{join list ","}}`) plus ipaddr-style ones for kickstart and XML.
 */
export const HELPERS: Readonly<Record<string, Helper>> = {
  default: (value: unknown, fallback: unknown) => (value === undefined || value === null ? fallback : value),
  json: (value: unknown, ...rest: unknown[]) => jsonStringify(value, typeof rest[0] === 'number' ? rest[0] : undefined),
  to_yaml: (value: unknown) => yamlStringify(value).replace(/\n$/, ''),
  join: (list: unknown, sep: unknown) => {
    if (!Array.isArray(list)) throw new HelperMisuse(`join needs a list, got ${JSON.stringify(list)}`);
    return list.map(pyStr).join(typeof sep === 'string' ? sep : ',');
  },
  // Ansible's `map(attribute='nic')`: a list of mappings to the list of one key's values
  map_attribute: (list: unknown, key: unknown) => {
    if (!Array.isArray(list)) throw new HelperMisuse(`map_attribute needs a list, got ${JSON.stringify(list)}`);
    return list.map((x) => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>)[pyStr(key)] : undefined));
  },
  quote: (value: unknown) => shQuote(pyStr(value)),
  upper: (value: unknown) => pyStr(value).toUpperCase(),
  lower: (value: unknown) => pyStr(value).toLowerCase(),
  trim: (value: unknown) => pyStr(value).trim(),
  replace: (value: unknown, from: unknown, to: unknown) => pyStr(value).split(pyStr(from)).join(pyStr(to)),
  regex_replace: (value: unknown, pattern: unknown, repl: unknown) => regexOp('sub', pyStr(pattern), 'm', pyStr(value), pyStr(repl)),
  indent: (value: unknown, width: unknown) => {
    const pad = ' '.repeat(typeof width === 'number' ? width : 4);
    return pyStr(value)
      .split('\n')
      .map((l, i) => (i === 0 || l === '' ? l : pad + l))
      .join('\n');
  },
  eq: (a: unknown, b: unknown) => pyEqual(a, b),
  ne: (a: unknown, b: unknown) => !pyEqual(a, b),
  lt: (a: unknown, b: unknown) => Number(a) < Number(b),
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  and: (...args: unknown[]) => args.every(truthy),
  or: (...args: unknown[]) => args.some(truthy),
  not: (a: unknown) => !truthy(a),
  ipaddr: (value: unknown, query: unknown) => {
    const q = query === undefined ? 'address' : String(query);
    if (!['address', 'prefix', 'netmask', 'network', 'broadcast'].includes(q)) throw new HelperMisuse(`ipaddr: unknown query "${q}" (address, prefix, netmask, network, broadcast)`);
    return cidrPart(q as keyof Cidr)(value);
  },
  ipaddr_address: cidrPart('address'),
  ipaddr_prefix: cidrPart('prefix'),
  ipaddr_netmask: cidrPart('netmask'),
  ipaddr_network: cidrPart('network'),
  ipaddr_broadcast: cidrPart('broadcast'),
  dict2items: (value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HelperMisuse('dict2items takes a mapping');
    return Object.entries(value as Record<string, unknown>).map(([key, v]) => ({ key, value: v }));
  },
  /** hostvar reads one variable of another host: `{{hostvar hostvars "vm1" "guest"}}` (Jinja: hostvars[h][k]) */
  hostvar: (hostvars: unknown, host: unknown, key: unknown) => field(field(hostvars, String(host)), String(key)),
  guests_on: guestsOn,
  network_hosts: networkHosts,
  mac_dashes: (value: unknown) => {
    const m = macToDashes(String(value));
    if (m === undefined) throw new HelperMisuse(`"${String(value)}" is not a MAC address`);
    return m;
  },
};

/**
 * LENIENT_HELPERS may receive undefined arguments: `default` exists to replace them. Every other
 * helper is wrapped so an undefined argument is an error, because Handlebars' strict mode only
 * checks `{{x}}` itself, not helper parameters (it passes them through as undefined).
 */
export const LENIENT_HELPERS: ReadonlySet<string> = new Set(['default']);

/** strictHelper wraps a helper so an undefined positional argument raises UndefinedHelperArg. */
export function strictHelper(name: string, fn: Helper): Helper {
  return function (this: unknown, ...args: unknown[]): unknown {
    const options = args.at(-1) as HelperOptions;
    for (let i = 0; i < args.length - 1; i++) if (args[i] === undefined) throw new UndefinedHelperArg(name, i, options.loc);
    return fn.apply(this, args.slice(0, -1));
  };
}
