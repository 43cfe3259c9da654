// Reading a tsplay run's `--output json` events the way the lab tests compare runs: each host's
// changed count from the recap, and every planned change as one line (host, property, before →
// after, class), loop items included.

/** Change is one change of a host-result or item-result event. */
export interface Change {
  readonly property: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly class?: string;
}

/** SiteEvent is one line of `--output json`. */
export type SiteEvent = Record<string, unknown> & { type: string; host?: string; status?: string; changes?: Change[] };

/** EventRun is what these readers need of a run: its events, and its output for error messages. */
export interface EventRun {
  readonly events: readonly SiteEvent[];
  readonly out: string;
}

/** parseEvents reads the JSON lines of a run's stdout (other lines, e.g. a usage error, are skipped). */
export function parseEvents(stdout: string): SiteEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as SiteEvent);
}

/** RecapStats are one host's counters in the recap. */
export interface RecapStats {
  readonly ok: number;
  readonly changed: number;
  readonly unreachable: number;
  readonly failed: number;
  readonly skipped: number;
}

/** recap is each host's counters from the run's recap event. */
export function recap(r: EventRun): Record<string, RecapStats> {
  const e = r.events.find((x) => x.type === 'recap') as { stats: Record<string, RecapStats> } | undefined;
  if (!e) throw new Error(`no recap: ${r.out.slice(-3000)}`);
  return e.stats;
}

/** changed is each host's changed count from the recap. */
export function changed(r: EventRun): Record<string, number> {
  return Object.fromEntries(Object.entries(recap(r)).map(([h, s]) => [h, s.changed]));
}

/** noChange is changed() as it is on a converged run: every host of the recap at 0. */
export function noChange(r: EventRun): Record<string, number> {
  return Object.fromEntries(Object.keys(changed(r)).map((h) => [h, 0]));
}

/** planned lists every change of a run as `host: property before → after (class)`, loop items included. */
export function planned(r: EventRun): string[] {
  return r.events
    .filter((e) => (e.type === 'item-result' || (e.type === 'host-result' && !e['looped'])) && (e.changes?.length ?? 0) > 0)
    .flatMap((e) => e.changes!.map((c) => `${e.host}: ${c.property} ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)} (${c.class ?? '-'})`));
}

/** taskName is the name of an event's task ('' when it has none). */
export function taskName(e: Record<string, unknown>): string {
  return (e['task'] as { name?: string } | undefined)?.name ?? '';
}
