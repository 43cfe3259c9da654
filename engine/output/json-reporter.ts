import type { ExecEvent } from '../executor/events.ts';
import { jsonStringify } from '../py/json.ts';

/**
 * JsonReporter writes one JSON object per event and line (NDJSON), for scripts and CI;
 * events already carry no_log censoring, so nothing secret is written here either.
 */
export class JsonReporter {
  private readonly write: (line: string) => void;
  constructor(write: (line: string) => void) {
    this.write = write;
  }
  /** onEvent writes the event as one line. */
  onEvent(e: ExecEvent): void {
    this.write(jsonStringify(e));
  }
}
