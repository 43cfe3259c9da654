// tc -j probes (iproute2 6.1). Quirks: rates in JSON are BYTES per second (the text output says
// "1024Kbit"); an empty device prints nothing or "[]"; filter output repeats a filter as several
// entries (one header without options, one per hash table/key) that share the same pref.
// Two iproute2 6.1 JSON bugs are handled here: the fw classifier prints its options as bare
// text (`"options":{handle 0x1 classid :1 }`, not JSON), and a u32 filter's police action is
// merged INTO the filter's options ("kind":"police" next to "fh") and carries no rate at all —
// read the police rate from `tc filter show` text or from libvirt, never from tc -j.
import type { Argv } from '../connection/types.ts';
import { arr, mustSucceed, num, obj, parseJson, str, type Probe, type ProbeOutput } from './types.ts';

/** Qdisc is one entry of `tc -j qdisc show dev DEV`. */
export interface Qdisc {
  readonly kind: string;
  readonly handle: string;
  /** "root", "ffff:fff1" for ingress, or the parent class like "1:1" */
  readonly parent: string;
  readonly dev: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** qdiscArgv lists the qdiscs of a device. */
export function qdiscArgv(dev: string): Argv {
  return ['tc', '-j', 'qdisc', 'show', 'dev', dev];
}

/** parseQdiscs parses `tc -j qdisc show`. */
export function parseQdiscs(out: ProbeOutput): Qdisc[] {
  return arr(parseJson('tc qdisc', mustSucceed('tc qdisc', out))).map((q) => {
    const o = obj(q);
    return {
      kind: str(o['kind']) ?? '',
      handle: str(o['handle']) ?? '',
      parent: o['root'] === true ? 'root' : (str(o['parent']) ?? ''),
      dev: str(o['dev']) ?? '',
      options: obj(o['options']),
    };
  });
}

/** qdiscProbe reads a device's qdiscs. */
export function qdiscProbe(dev: string): Probe<Qdisc[]> {
  return { argv: qdiscArgv(dev), parse: parseQdiscs };
}

/** TcClass is one entry of `tc -j class show dev DEV` (htb fields in bytes/s and bytes). */
export interface TcClass {
  readonly kind: string;
  readonly handle: string;
  readonly parent: string;
  readonly rateBps: number | null;
  readonly ceilBps: number | null;
  readonly burst: number | null;
  readonly cburst: number | null;
  readonly leaf: string | null;
}

/** parseTcRate turns tc's printed rate ("1024Kbit", "2Mbit", "800bit") into bytes per second (k = 1000). */
export function parseTcRate(v: string): number {
  const m = /^([\d.]+)([KMG]?)bit$/.exec(v);
  if (!m) return Number.NaN;
  const f = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[m[2] as '' | 'K' | 'M' | 'G'];
  return Math.round((Number(m[1]) * f) / 8);
}

/** parseTcSize turns tc's printed size ("64Kb", "1599b", "2Mb") into bytes (k = 1024). */
export function parseTcSize(v: string): number {
  const m = /^([\d.]+)([KMG]?)b$/.exec(v);
  if (!m) return Number.NaN;
  const f = { '': 1, K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 }[m[2] as '' | 'K' | 'M' | 'G'];
  return Math.round(Number(m[1]) * f);
}

function classFromText(line: string): TcClass {
  // "class htb 1:1 root leaf 2: prio 0 rate 1024Kbit ceil 2048Kbit burst 64Kb cburst 1599b"
  const w = line.trim().split(/\s+/);
  const after = (k: string): string | undefined => {
    const i = w.indexOf(k);
    return i >= 0 ? w[i + 1] : undefined;
  };
  const rate = after('rate');
  const ceil = after('ceil');
  const burst = after('burst');
  const cburst = after('cburst');
  return {
    kind: w[1] ?? '',
    handle: w[2] ?? '',
    parent: w[3] === 'root' ? 'root' : (after('parent') ?? ''),
    rateBps: rate ? parseTcRate(rate) : null,
    ceilBps: ceil ? parseTcRate(ceil) : null,
    burst: burst ? parseTcSize(burst) : null,
    cburst: cburst ? parseTcSize(cburst) : null,
    leaf: after('leaf') ?? null,
  };
}

/**
 * parseClasses parses `tc -j class show`. Quirk: iproute2 6.1 has no JSON for htb classes and
 * prints the text form even with -j; JSON output (newer iproute2) is read when present.
 */
export function parseClasses(out: ProbeOutput): TcClass[] {
  const text = mustSucceed('tc class', out).trim();
  if (!text.startsWith('[') && text !== '') {
    return text
      .split('\n')
      .filter((l) => l.startsWith('class '))
      .map(classFromText);
  }
  return arr(parseJson('tc class', text)).map((c) => {
    const o = obj(c);
    return {
      kind: str(o['class']) ?? '',
      handle: str(o['handle']) ?? '',
      parent: o['root'] === true ? 'root' : (str(o['parent']) ?? ''),
      rateBps: num(o['rate']) ?? null,
      ceilBps: num(o['ceil']) ?? null,
      burst: num(o['burst']) ?? null,
      cburst: num(o['cburst']) ?? null,
      leaf: str(o['leaf']) ?? null,
    };
  });
}

/** classProbe reads a device's classes. */
export function classProbe(dev: string): Probe<TcClass[]> {
  return { argv: ['tc', '-j', 'class', 'show', 'dev', dev], parse: parseClasses };
}

/** TcAction is one action of a filter (police, mirred, ...). */
export interface TcAction {
  readonly kind: string;
  /** police: rate in bytes/s; mirred: the redirect target */
  readonly rateBps: number | null;
  readonly burst: number | null;
  readonly toDev: string | null;
  readonly control: string | null;
}

/** TcFilter is one filter, merged from tc's several entries for it. */
export interface TcFilter {
  readonly kind: string;
  readonly protocol: string;
  readonly pref: number;
  readonly handle: string | null;
  readonly flowid: string | null;
  readonly actions: TcAction[];
}

/** filterArgv lists the filters of a device under a parent ("ffff:" for ingress, "1:" for htb). */
export function filterArgv(dev: string, parent: string): Argv {
  return ['tc', '-j', 'filter', 'show', 'dev', dev, 'parent', parent];
}

function action(a: unknown): TcAction {
  const o = obj(a);
  const control = obj(o['control_action']);
  return {
    kind: str(o['kind']) ?? '',
    rateBps: num(o['rate']) ?? null,
    burst: num(o['burst']) ?? null,
    toDev: str(o['to_dev']) ?? null,
    control: str(control['type']) ?? (typeof o['control_action'] === 'string' ? (o['control_action'] as string) : null),
  };
}

/** repairTcJson rewrites the fw classifier's bare-text options into JSON (see the file comment). */
export function repairTcJson(text: string): string {
  return text.replace(/"options":\{([^{}"]*)\}/g, (_m, body: string) => {
    const words = body.trim().split(/\s+/).filter(Boolean);
    const pairs: string[] = [];
    for (let i = 0; i + 1 < words.length; i += 2) {
      const key = words[i] === 'handle' ? 'fh' : words[i];
      pairs.push(`${JSON.stringify(key)}:${JSON.stringify(words[i + 1])}`);
    }
    return `"options":{${pairs.join(',')}}`;
  });
}

/** parseFilters parses `tc -j filter show`, keeping one entry per filter that carries a rule. */
export function parseFilters(out: ProbeOutput): TcFilter[] {
  const result: TcFilter[] = [];
  for (const f of arr(parseJson('tc filter', repairTcJson(mustSucceed('tc filter', out))))) {
    const o = obj(f);
    const opts = obj(o['options']);
    // u32 prints a header entry (no options) and a hash-table entry (ht_divisor) before the rule
    if (Object.keys(opts).length === 0 || opts['ht_divisor'] !== undefined) continue;
    const police = opts['police'] !== undefined ? [action({ kind: 'police', ...obj(opts['police']) })] : typeof opts['kind'] === 'string' ? [action(opts)] : [];
    result.push({
      kind: str(o['kind']) ?? '',
      protocol: str(o['protocol']) ?? '',
      pref: num(o['pref']) ?? 0,
      handle: str(opts['fh']) ?? (num(opts['fh']) !== undefined ? String(opts['fh']) : null),
      flowid: str(opts['flowid']) ?? str(opts['classid']) ?? null,
      actions: [...police, ...arr(opts['actions']).map(action)],
    });
  }
  return result;
}

/** filterProbe reads a device's filters under one parent. */
export function filterProbe(dev: string, parent: string): Probe<TcFilter[]> {
  return { argv: filterArgv(dev, parent), parse: parseFilters };
}
