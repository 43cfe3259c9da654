// bridge -j probes (iproute2 6.1) and the bridge's ageing time from sysfs.
import { arr, mustSucceed, num, obj, parseJson, ProbeError, str, type Probe, type ProbeOutput } from './types.ts';

/** FdbEntry is one forwarding-database entry. */
export interface FdbEntry {
  readonly mac: string;
  readonly ifname: string;
  readonly vlan: number | null;
  readonly master: string | null;
  /** "permanent", "static", or "" for a learned (ageing) entry */
  readonly state: string;
  readonly flags: string[];
}

/** parseFdb parses `bridge -j fdb show br BR`. */
export function parseFdb(out: ProbeOutput): FdbEntry[] {
  return arr(parseJson('bridge fdb', mustSucceed('bridge fdb', out))).map((e) => {
    const o = obj(e);
    return {
      mac: str(o['mac']) ?? '',
      ifname: str(o['ifname']) ?? '',
      vlan: num(o['vlan']) ?? null,
      master: str(o['master']) ?? null,
      state: str(o['state']) ?? '',
      flags: arr(o['flags']).filter((x): x is string => typeof x === 'string'),
    };
  });
}

/** fdbProbe reads a bridge's forwarding database. */
export function fdbProbe(bridge: string): Probe<FdbEntry[]> {
  return { argv: ['bridge', '-j', 'fdb', 'show', 'br', bridge], parse: parseFdb };
}

/** BridgePort is one entry of `bridge -j link`. */
export interface BridgePort {
  readonly ifname: string;
  readonly master: string | null;
  /** "forwarding", "disabled", "blocking", ... */
  readonly state: string;
  readonly priority: number | null;
  readonly cost: number | null;
  readonly flags: string[];
}

/** parseBridgeLinks parses `bridge -j link show`. */
export function parseBridgeLinks(out: ProbeOutput): BridgePort[] {
  return arr(parseJson('bridge link', mustSucceed('bridge link', out))).map((e) => {
    const o = obj(e);
    return {
      ifname: str(o['ifname']) ?? '',
      master: str(o['master']) ?? null,
      state: str(o['state']) ?? '',
      priority: num(o['priority']) ?? null,
      cost: num(o['cost']) ?? null,
      flags: arr(o['flags']).filter((x): x is string => typeof x === 'string'),
    };
  });
}

/** bridgeLinkProbe reads the bridge ports. */
export function bridgeLinkProbe(): Probe<BridgePort[]> {
  return { argv: ['bridge', '-j', 'link', 'show'], parse: parseBridgeLinks };
}

/** parseAgeing turns sysfs ageing_time (centiseconds: USER_HZ) into seconds; 0 means "never learn". */
export function parseAgeing(out: ProbeOutput): number {
  const t = mustSucceed('ageing_time', out).trim();
  if (!/^\d+$/.test(t)) throw new ProbeError('ageing_time', `not a number: ${JSON.stringify(t)}`);
  return Number(t) / 100;
}

/** ageingProbe reads a bridge's ageing time (`brctl setageing BR 0` writes the same file). */
export function ageingProbe(bridge: string): Probe<number> {
  return { argv: ['cat', `/sys/class/net/${bridge}/bridge/ageing_time`], parse: parseAgeing };
}
