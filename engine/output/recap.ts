import type { HostStats } from '../executor/events.ts';
import { hostRanges } from './host-ranges.ts';

function counter(label: string, n: number): string {
  // Ansible's colorize(): u"%s=%-4s" % (lead, num)
  return `${label}=${String(n).padEnd(4)}`;
}

/**
 * formatRecapLine renders one PLAY RECAP line exactly as ansible-playbook 2.14 does without
 * colour: host padded to 26, then the seven counters each padded to 4 (hence trailing spaces).
 * tsplay's own `pending_restart` counter follows, in the same shape, only when it is above 0,
 * so a run without such changes prints Ansible's line byte for byte.
 */
export function formatRecapLine(host: string, s: HostStats): string {
  const pending = s.pendingRestart ?? 0;
  return `${host.padEnd(26)} : ${[
    counter('ok', s.ok),
    counter('changed', s.changed),
    counter('unreachable', s.unreachable),
    counter('failed', s.failed),
    counter('skipped', s.skipped),
    counter('rescued', s.rescued),
    counter('ignored', s.ignored),
    ...(pending > 0 ? [counter('pending_restart', pending)] : []),
  ].join(' ')}`;
}

/** formatRecap renders every host's line, sorted by name as Ansible sorts them. */
export function formatRecap(stats: Readonly<Record<string, HostStats>>): string[] {
  return Object.keys(stats)
    .sort()
    .map((h) => formatRecapLine(h, stats[h] as HostStats));
}

/**
 * formatRecapGrouped is the terminal view's recap: hosts that ended with the same counters share
 * one line, named as ranges (`h[1:48]`), so fifty alike hosts take one line, not fifty.
 */
export function formatRecapGrouped(stats: Readonly<Record<string, HostStats>>): string[] {
  const groups = new Map<string, string[]>();
  for (const h of Object.keys(stats)) {
    const line = formatRecapLine('', stats[h] as HostStats);
    groups.set(line, [...(groups.get(line) ?? []), h]);
  }
  return [...groups.entries()].map(([line, hosts]) => `${hostRanges(hosts).join(', ').padEnd(26)}${line.slice(26)}`).sort();
}
