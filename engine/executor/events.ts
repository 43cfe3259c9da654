import type { Change } from '../modules/types.ts';
import type { SourcePos } from '../errors/index.ts';

/** HostStatus is how a task ended on one host, in Ansible's words. */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'rescued' | 'ignored';

/** HostStats are the PLAY RECAP counters of one host. */
export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

/** TaskRef names a task in events without carrying the whole task. */
export interface TaskRef {
  readonly name: string;
  readonly role?: string;
  readonly module: string;
  readonly pos: SourcePos;
  readonly handler?: boolean;
}

/**
 * ExecEvent is everything the executor tells the world. The executor never prints: reporters
 * (engine/output/) subscribe and render these as a listr2 tree, plain lines, NDJSON or JUnit.
 */
export type ExecEvent =
  | { readonly type: 'playbook-start'; readonly file: string; readonly check: boolean }
  | { readonly type: 'play-start'; readonly name: string; readonly hosts: readonly string[] }
  | { readonly type: 'task-start'; readonly task: TaskRef; readonly hosts: readonly string[] }
  | {
      readonly type: 'host-result';
      readonly task: TaskRef;
      readonly host: string;
      readonly status: HostStatus;
      readonly item?: unknown;
      readonly changes: readonly Change[];
      readonly msg?: string;
      /** the registered-style result, with no_log already applied */
      readonly result?: Record<string, unknown>;
      readonly durationMs: number;
      readonly delegatedTo?: string;
    }
  | { readonly type: 'warning'; readonly message: string; readonly host?: string }
  | { readonly type: 'recap'; readonly stats: Readonly<Record<string, HostStats>>; readonly durationMs: number }
  | { readonly type: 'interrupted' };
