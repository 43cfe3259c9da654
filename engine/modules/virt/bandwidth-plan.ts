// The pure plan of virt_nic_bandwidth: one guest interface's <bandwidth> against the inactive
// XML (config), `domiftune --live` (running) and the tc objects libvirt built on its tap.
import { parseDomainXml, parseDomiflist, parseDomiftune, parseDomstate, virshArgv, type BandwidthSide } from '../../probes/virsh.ts';
import { parseClasses, parseFilters, parseQdiscs } from '../../probes/tc.ts';
import type { Argv } from '../../connection/types.ts';
import type { Change, Plan } from '../types.ts';
import type { Step, VirtPayload } from './steps.ts';
import { burstToBytes, bytesToBurst, bytesToRate, closeEnough, rateToBytes } from './units.ts';

/** Side is one direction as asked for: average/peak in libvirt's rate unit, burst in KiB. */
export interface Side {
  readonly average: number;
  readonly peak?: number | undefined;
  readonly burst?: number | undefined;
}

/** Bandwidth is both directions; a missing direction means no limit. */
export interface Bandwidth {
  readonly inbound?: Side | undefined;
  readonly outbound?: Side | undefined;
}

/** BandwidthCurrent is what read found, as the tools printed it (null: not available, e.g. shut off). */
export interface BandwidthCurrent {
  readonly domstate: string | null;
  readonly inactive: string | null;
  readonly domiflist: string | null;
  readonly domiftune: string | null;
  readonly tc: { readonly qdisc: string; readonly class: string; readonly filterRoot: string; readonly filterIngress: string } | null;
}

type Dir = 'inbound' | 'outbound';
const DIRS: readonly Dir[] = ['inbound', 'outbound'];
const out = (text: string) => ({ rc: 0, stdout: text, stderr: '' });

// 0 and absent are the same for libvirt ("0 clears"); outbound peak is kept in the XML but unused by tc.
function norm(s: { average: number; peak?: number | undefined; burst?: number | undefined } | null | undefined): Side | null {
  if (!s?.average) return null;
  return { average: s.average, ...(s.peak ? { peak: s.peak } : {}), ...(s.burst ? { burst: s.burst } : {}) };
}
const eq = (a: Side | null, b: Side | null): boolean => JSON.stringify(a) === JSON.stringify(b);
const fromXml = (s: BandwidthSide | null): Side | null => norm(s);

/** tuneWords spells a direction for `virsh domiftune --inbound/--outbound` (0 clears it). */
export function tuneWords(s: Side | null): string {
  return s ? [s.average, s.peak ?? 0, s.burst ?? 0].join(',').replace(/(,0)+$/, '') : '0';
}

/**
 * tcProblems compares the tap's tc objects with what libvirt builds for the wanted values:
 * inbound = root htb 1: with class 1:1 (rate = average, ceil = peak, burst) over a leaf qdisc and
 * a filter; outbound = an ingress qdisc with a filter. Kinds are not compared (the lab turns sfq
 * into pfifo and police into mirred), and the police rate is not checked: iproute2 6.1's JSON
 * carries none (engine/probes/tc.ts).
 */
export function tcProblems(want: Record<Dir, Side | null>, tc: NonNullable<BandwidthCurrent['tc']>): string[] {
  const qdiscs = parseQdiscs(out(tc.qdisc));
  const classes = parseClasses(out(tc.class));
  const rootFilters = parseFilters(out(tc.filterRoot));
  const ingressFilters = parseFilters(out(tc.filterIngress));
  const p: string[] = [];
  const htb = qdiscs.find((q) => q.parent === 'root' && q.kind === 'htb' && q.handle === '1:');
  const ingress = qdiscs.find((q) => q.kind === 'ingress');
  const inb = want.inbound;
  if (inb) {
    const c = classes.find((k) => k.handle === '1:1');
    if (!htb) p.push('no root htb 1:');
    if (!c) p.push('no class 1:1');
    else {
      const ceil = inb.peak ?? inb.average;
      if (c.rateBps === null || !closeEnough(c.rateBps, rateToBytes(inb.average))) p.push(`class 1:1 rate ${c.rateBps === null ? 'none' : bytesToRate(c.rateBps)} (wanted ${inb.average})`);
      if (c.ceilBps !== null && !closeEnough(c.ceilBps, rateToBytes(ceil))) p.push(`class 1:1 ceil ${bytesToRate(c.ceilBps)} (wanted ${ceil})`);
      if (inb.burst !== undefined && (c.burst === null || !closeEnough(c.burst, burstToBytes(inb.burst))))
        p.push(`class 1:1 burst ${c.burst === null ? 'none' : bytesToBurst(c.burst)} (wanted ${inb.burst})`);
      if (!qdiscs.some((q) => q.parent === '1:1')) p.push('no leaf qdisc under 1:1');
      if (rootFilters.length === 0) p.push('no filter under 1:');
    }
  } else if (htb) p.push('root htb 1: left on the tap');
  if (want.outbound) {
    if (!ingress) p.push('no ingress qdisc');
    else if (ingressFilters.length === 0) p.push('no filter under ffff:');
  } else if (ingress) p.push('ingress qdisc left on the tap');
  return p;
}

/** planBandwidth is the pure plan of virt_nic_bandwidth. */
export function planBandwidth(domain: string, mac: string, bw: Bandwidth, cur: BandwidthCurrent): Plan<VirtPayload> {
  const m = mac.toLowerCase();
  if (cur.inactive === null) return { changes: [], failed: true, msg: `domain ${domain} does not exist` };
  const iface = parseDomainXml(out(cur.inactive)).interfaces.find((i) => i.mac?.toLowerCase() === m);
  if (!iface) return { changes: [], failed: true, msg: `domain ${domain} has no interface with MAC ${m}` };
  const state = cur.domstate === null ? undefined : parseDomstate(out(cur.domstate));
  const tap = cur.domiflist === null ? null : (parseDomiflist(out(cur.domiflist)).find((i) => i.mac === m)?.target ?? null);
  const running = state?.state === 'running' && tap !== null && cur.domiftune !== null;
  const want: Record<Dir, Side | null> = { inbound: norm(bw.inbound), outbound: norm(bw.outbound) };
  const config: Record<Dir, Side | null> = { inbound: fromXml(iface.inbound), outbound: fromXml(iface.outbound) };
  const tune = running ? parseDomiftune(out(cur.domiftune!)) : undefined;
  const live: Record<Dir, Side | null> | undefined = tune ? { inbound: norm(tune.inbound), outbound: norm(tune.outbound) } : undefined;
  const result = { domain, mac: m, tap };
  const changes: Change[] = [];
  let needLive = false;
  let needConfig = false;
  for (const d of DIRS) {
    const c = !eq(want[d], config[d]);
    const l = live !== undefined && !eq(want[d], live[d]);
    needConfig ||= c;
    needLive ||= l;
    if (!c && !l) continue;
    // One layer only is a half-applied state (domiftune --live without --config, or the reverse).
    const lag = live === undefined || (c && l) ? '' : l ? ' (live only)' : ' (config only)';
    // config alone: the running interface already has it, or none runs; nothing waits for a restart
    changes.push({ property: `${d}${lag}`, before: l ? live![d] : config[d], after: want[d], ...(l ? { class: 'live' } : { class: 'config', idle: true }) });
  }
  const steps: Step[] = [];
  const tuneArgv = (flags: string[], values: Record<Dir, Side | null>): Argv =>
    virshArgv('domiftune', domain, m, '--inbound', tuneWords(values.inbound), '--outbound', tuneWords(values.outbound), ...flags);
  if (needLive || needConfig) steps.push({ run: tuneArgv([...(needLive ? ['--live'] : []), ...(needConfig ? ['--config'] : [])], want) });
  if (running && !needLive && cur.tc) {
    const problems = tcProblems(want, cur.tc);
    if (problems.length > 0) {
      changes.push({ property: `tc on ${tap}`, before: problems, after: 'as libvirt builds it for the live values', class: 'live' });
      // libvirt 9.0 rebuilds a tap's tc from scratch on every `domiftune --live`, also with the
      // values it already has: it deletes root and ingress, then adds what the values need (or
      // its default noqueue root for none). Seen in the lab: a deleted htb came back, and an htb
      // and ingress left by hand went. So one call repairs every tc state, and a plain `tc del`
      // (which leaves the kernel's pfifo_fast, not libvirt's noqueue) is never needed.
      steps.push({ run: tuneArgv(['--live'], want) });
    }
  }
  if (changes.length === 0) {
    return { changes, reason: `${domain} ${m}: bandwidth is as described in the config${running ? `, live and in tc on ${tap}` : ' (not running)'}`, result };
  }
  return { changes, result, payload: { steps } };
}
