import { styleText } from 'node:util';
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

// Ansible's colours: ok green, changed yellow, skipped cyan, failures red
const COLOUR: Record<HostStatus, Parameters<typeof styleText>[0]> = {
  ok: 'green',
  changed: 'yellow',
  failed: 'red',
  unreachable: 'red',
  skipped: 'cyan',
  rescued: 'magenta',
  ignored: 'cyan',
};

/** Paint colours a piece of text (or leaves it as it is, when colour is off). */
type Paint = (status: HostStatus, text: string) => string;

const plain: Paint = (_s, text) => text;
// the caller decided colour is wanted (a terminal that has colours): no second check of the stream
const coloured: Paint = (status, text) => styleText(COLOUR[status], text, { validateStream: false });

function diffLine(l: string, paint: Paint): string {
  if (l.startsWith('+') && !l.startsWith('+++')) return paint('ok', l);
  if (l.startsWith('-') && !l.startsWith('---')) return paint('failed', l);
  if (l.startsWith('@@')) return paint('skipped', l);
  return l;
}

function firstLine(s: string, width: number): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** taskCounts is a finished task's tally, e.g. `8 ok, 1 changed, 1 skipped`. */
export function taskCounts(results: readonly HostResult[], paint: Paint = plain): string {
  return COUNTED.map((s) => [s, results.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => paint(s, `${n} ${s}`))
    .join(', ');
}

/**
 * taskSummary is what stays on the terminal for a finished task: one line with its counts, then
 * only the hosts where something changed, failed or was skipped. Hosts that ended alike (same
 * status, message, delegate and shown diff) share one line, named as ranges (`h[1:50]`), so the
 * view grows with what happened, not with the number of hosts. Diffs (-D) stay under their hosts.
 */
export function taskSummary(title: string, results: readonly HostResult[], o: { readonly diff: boolean; readonly width: number; readonly colour?: boolean }): string[] {
  const paint = o.colour === true ? coloured : plain;
  const bad = results.some((r) => r.status === 'failed' || r.status === 'unreachable');
  const skipped = results.length > 0 && results.every((r) => r.status === 'skipped');
  const mark = bad ? paint('failed', '✖') : skipped ? paint('skipped', '↓') : paint('ok', '✔');
  const counts = taskCounts(results, paint);
  const out = [counts ? `${mark} ${title}  ${counts}` : `${mark} ${title}`];
  const groups = new Map<string, { status: HostStatus; label: string; suffix: string; hosts: string[]; diff: string[] }>();
  for (const status of Object.keys(LISTED) as HostStatus[]) {
    for (const r of results.filter((x) => x.status === status)) {
      const failure = status !== 'changed' && status !== 'skipped';
      const msg = failure && r.msg ? ` — ${firstLine(r.msg, o.width)}` : '';
      const suffix = `${r.delegatedTo !== undefined ? ` -> ${r.delegatedTo}` : ''}${r.pendingRestart === true ? ' (pending restart)' : ''}${msg}`;
      const diff = (r.showDiff ?? o.diff) && r.changes.length > 0 ? renderChanges(r.changes) : [];
      const key = JSON.stringify([status, suffix, diff]);
      const g = groups.get(key) ?? { status, label: LISTED[status] ?? status, suffix, hosts: [], diff };
      g.hosts.push(r.host);
      groups.set(key, g);
    }
  }
  for (const g of groups.values()) {
    const lines = wrapList(`  ${g.label}: `, hostRanges(g.hosts), o.width);
    lines[lines.length - 1] += g.suffix;
    // widths were measured on plain text: the label is coloured afterwards
    lines[0] = `  ${paint(g.status, g.label)}${lines[0]?.slice(2 + g.label.length)}`;
    out.push(...lines);
    out.push(...g.diff.map((l) => (l ? `    ${diffLine(l, paint)}` : l)));
  }
  return out;
}
