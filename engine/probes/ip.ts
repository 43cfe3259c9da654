// ip probes (iproute2 6.1): links, addresses and named network namespaces.
import { arr, mustSucceed, num, obj, parseJson, ProbeError, str, type Probe, type ProbeOutput } from './types.ts';

/** Link is one entry of `ip -j link show`. */
export interface Link {
  readonly ifindex: number;
  readonly ifname: string;
  readonly flags: string[];
  readonly mtu: number;
  readonly operstate: string;
  readonly master: string | null;
  readonly address: string | null;
  readonly linkType: string;
  readonly qdisc: string | null;
}

/** parseLinks parses `ip -j link show`. */
export function parseLinks(out: ProbeOutput): Link[] {
  return arr(parseJson('ip link', mustSucceed('ip link', out))).map((l) => {
    const o = obj(l);
    return {
      ifindex: num(o['ifindex']) ?? 0,
      ifname: str(o['ifname']) ?? '',
      flags: arr(o['flags']).filter((x): x is string => typeof x === 'string'),
      mtu: num(o['mtu']) ?? 0,
      operstate: str(o['operstate']) ?? '',
      master: str(o['master']) ?? null,
      address: str(o['address']) ?? null,
      linkType: str(o['link_type']) ?? '',
      qdisc: str(o['qdisc']) ?? null,
    };
  });
}

/** linkProbe reads every link (or one device). */
export function linkProbe(dev?: string): Probe<Link[]> {
  return { argv: ['ip', '-j', 'link', 'show', ...(dev ? ['dev', dev] : [])], parse: parseLinks };
}

/** AddrInfo is one address of a link. */
export interface AddrInfo {
  readonly family: string;
  readonly local: string;
  readonly prefixlen: number;
  readonly scope: string;
}

/** LinkAddrs is one entry of `ip -j addr show`. */
export interface LinkAddrs {
  readonly ifname: string;
  readonly operstate: string;
  readonly addrs: AddrInfo[];
}

/** parseAddrs parses `ip -j addr show`. */
export function parseAddrs(out: ProbeOutput): LinkAddrs[] {
  return arr(parseJson('ip addr', mustSucceed('ip addr', out))).map((l) => {
    const o = obj(l);
    return {
      ifname: str(o['ifname']) ?? '',
      operstate: str(o['operstate']) ?? '',
      addrs: arr(o['addr_info']).map((a) => {
        const x = obj(a);
        return { family: str(x['family']) ?? '', local: str(x['local']) ?? '', prefixlen: num(x['prefixlen']) ?? 0, scope: str(x['scope']) ?? '' };
      }),
    };
  });
}

/** addrProbe reads every address (or one device's). */
export function addrProbe(dev?: string): Probe<LinkAddrs[]> {
  return { argv: ['ip', '-j', 'addr', 'show', ...(dev ? ['dev', dev] : [])], parse: parseAddrs };
}

/** Netns is one entry of `ip -j netns list`; `id` is the peer id, present only once one is assigned. */
export interface Netns {
  readonly name: string;
  readonly id: number | null;
}

/** parseNetnsList parses `ip -j netns list` (no namespaces: no output at all). */
export function parseNetnsList(out: ProbeOutput): Netns[] {
  return arr(parseJson('ip netns', mustSucceed('ip netns', out))).map((n) => {
    const o = obj(n);
    return { name: str(o['name']) ?? '', id: num(o['id']) ?? null };
  });
}

/** netnsListProbe reads the named network namespaces (those under /run/netns). */
export function netnsListProbe(): Probe<Netns[]> {
  return { argv: ['ip', '-j', 'netns', 'list'], parse: parseNetnsList };
}

/** parseNetnsPids parses `ip netns pids NAME`: one PID per line (it has no JSON form). */
export function parseNetnsPids(out: ProbeOutput): number[] {
  return mustSucceed('ip netns pids', out)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const n = Number(l.trim());
      if (!Number.isInteger(n) || n <= 0) throw new ProbeError('ip netns pids', `not a PID: ${JSON.stringify(l)}`);
      return n;
    });
}

/** netnsPidsProbe reads the PIDs of every process inside a named network namespace. */
export function netnsPidsProbe(name: string): Probe<number[]> {
  return { argv: ['ip', 'netns', 'pids', name], parse: parseNetnsPids };
}
