import type { ExecEvent } from '../executor/events.ts';
import type { Change } from '../modules/types.ts';
import { jsonStringify } from '../py/json.ts';

/**
 * jsonChange is a change as `--output json` writes it: always `property`, `before`, `after` and
 * `class` (null when absent, so a script can read every key), plus `diff` for file content.
 */
export function jsonChange(c: Change): Record<string, unknown> {
  return { property: c.property, before: c.before ?? null, after: c.after ?? null, class: c.class ?? null, ...(c.diff ? { diff: c.diff } : {}) };
}

// `ts` (ISO 8601, UTC, milliseconds) on every event: a script can place each line in time and,
// with a result's durationMs, see when its task started on that host
function withJsonChanges(e: ExecEvent, ts: string): unknown {
  return e.type === 'host-result' || e.type === 'item-result' ? { ...e, ts, changes: e.changes.map(jsonChange) } : { ...e, ts };
}

/**
 * JsonReporter writes one JSON object per event and line (NDJSON), for scripts and CI;
 * events already carry no_log censoring, so nothing secret is written here either.
 */
export class JsonReporter {
  private readonly write: (line: string) => void;
  private readonly clock: () => Date;
  constructor(write: (line: string) => void, clock: () => Date = () => new Date()) {
    this.write = write;
    this.clock = clock;
  }
  /** onEvent writes the event as one line, stamped with the time it was reported. */
  onEvent(e: ExecEvent): void {
    this.write(jsonStringify(withJsonChanges(e, this.clock().toISOString())));
  }
}
