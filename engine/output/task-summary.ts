import type { ExecEvent, HostStatus } from '../executor/events.ts';
import { hostRanges, wrapList } from './host-ranges.ts';
import { renderChanges } from './render-diff.ts';

/** HostResult is one host's result of a task, as the host-result event tells it. */
export type HostResult = Extract<ExecEvent, { type: 'host-result' }>;

// the counts on a finished task's line, in PLAY RECAP's order
const COUNTED: readonly HostStatus[] = ['ok', 'changed', 'failed', 'unreachable', 'skipped', 'rescued', 'ignored'];
// which hosts stay listed under a finished task, and how their line starts
const LISTED: Partial<Record<HostStatus, string>> = {
  changed: 'changed',
  failed: '✖ failed',
  unreachable: '✖ unreachable',
  ignored: 'failed (ignored)',
  rescued: 'failed (rescued)',
  skipped: 'skipping',
};

function firstLine(s: string, width: number): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** taskCounts is a finished task's tally, e.g. `8 ok, 1 changed, 1 skipped`. */
export function taskCounts(results: readonly HostResult[]): string {
  return COUNTED.map((s) => [s, results.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/**
 * taskSummary is what stays on the terminal for a finished task: one line with its counts, then
 * only the hosts where something changed, failed or was skipped. Hosts that ended alike (same
 * status, message, delegate and shown diff) share one line, named as ranges (`h[1:50]`), so the
 * view grows with what happened, not with the number of hosts. Diffs (-D) stay under their hosts.
 */
export function taskSummary(title: string, results: readonly HostResult[], o: { readonly diff: boolean; readonly width: number }): string[] {
  const bad = results.some((r) => r.status === 'failed' || r.status === 'unreachable');
  const mark = bad ? '✖' : results.length > 0 && results.every((r) => r.status === 'skipped') ? '↓' : '✔';
  const counts = taskCounts(results);
  const out = [counts ? `${mark} ${title}  ${counts}` : `${mark} ${title}`];
  const groups = new Map<string, { label: string; suffix: string; hosts: string[]; diff: string[] }>();
  for (const status of Object.keys(LISTED) as HostStatus[]) {
    for (const r of results.filter((x) => x.status === status)) {
      const failure = status !== 'changed' && status !== 'skipped';
      const msg = failure && r.msg ? ` — ${firstLine(r.msg, o.width)}` : '';
      const suffix = `${r.delegatedTo !== undefined ? ` -> ${r.delegatedTo}` : ''}${r.pendingRestart === true ? ' (pending restart)' : ''}${msg}`;
      const diff = (r.showDiff ?? o.diff) && r.changes.length > 0 ? renderChanges(r.changes) : [];
      const key = JSON.stringify([status, suffix, diff]);
      const g = groups.get(key) ?? { label: LISTED[status] ?? status, suffix, hosts: [], diff };
      g.hosts.push(r.host);
      groups.set(key, g);
    }
  }
  for (const g of groups.values()) {
    const lines = wrapList(`  ${g.label}: `, hostRanges(g.hosts), o.width);
    lines[lines.length - 1] += g.suffix;
    out.push(...lines);
    out.push(...g.diff.map((l) => (l ? `    ${l}` : l)));
  }
  return out;
}
