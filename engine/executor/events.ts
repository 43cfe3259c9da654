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
  /** tasks whose changes take effect only at the object's next start; absent (not 0) until one happens */
  pendingRestart?: number;
}

/** TaskRef names a task in events without carrying the whole task. */
export interface TaskRef {
  readonly name: string;
  readonly role?: string;
  readonly module: string;
  readonly pos: SourcePos;
  readonly handler?: boolean;
  /** for `--output json` and JUnit: a stable id of the task within the run */
  readonly id?: string;
}

/** ItemLabel is how one loop item is shown: its label (loop_control.label) or the item itself. */
export type ItemLabel = unknown;

/**
 * ExecEvent is everything the executor tells the world. The executor never prints: reporters
 * (engine/output/) subscribe and render these as a listr2 tree, plain lines, NDJSON or JUnit.
 */
export type ExecEvent =
  | { readonly type: 'playbook-start'; readonly file: string; readonly check: boolean }
  /** a play starts on these hosts; emitted once per serial batch (with the batch), as Ansible prints it */
  | {
      readonly type: 'play-start';
      readonly name: string;
      readonly hosts: readonly string[];
      /** the tasks the play lists (--list-tasks, plus fact gathering): the terminal view's "task n/m" */
      readonly tasks?: number;
    }
  | { readonly type: 'task-start'; readonly task: TaskRef; readonly hosts: readonly string[] }
  /** one loop item finished; the task's aggregate host-result (with `looped`) follows */
  | {
      readonly type: 'item-result';
      readonly task: TaskRef;
      readonly host: string;
      readonly status: HostStatus;
      readonly item: ItemLabel;
      readonly changes: readonly Change[];
      readonly msg?: string;
      readonly result?: Record<string, unknown>;
      readonly delegatedTo?: string;
      /** the delegate's ansible_host, which Ansible prints as `[host -> address]` */
      readonly delegatedHost?: string;
      /** whether --diff (or the task's `diff:`) asks to show these changes */
      readonly showDiff?: boolean;
      /** the item's changes include a `config`-class one: it takes effect at the next start */
      readonly pendingRestart?: boolean;
    }
  /** an `until` attempt failed and the task will be retried */
  | { readonly type: 'retry'; readonly task: TaskRef; readonly host: string; readonly attempt: number; readonly retriesLeft: number }
  /** include_tasks/include_role resolved to a file for these hosts */
  | { readonly type: 'included'; readonly file: string; readonly hosts: readonly string[]; readonly item?: ItemLabel }
  /** the play's pattern (and --limit) selected no host: the play is skipped */
  | { readonly type: 'no-hosts-matched' }
  /** any_errors_fatal or max_fail_percentage ended the play for every host (Ansible's `NO MORE HOSTS LEFT`) */
  | { readonly type: 'no-hosts-left' }
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
      /** the delegate's ansible_host, which Ansible prints as `[host -> address]` */
      readonly delegatedHost?: string;
      /** whether --diff (or the task's `diff:`) asks to show these changes */
      readonly showDiff?: boolean;
      /** the task had a loop: its items were reported as item-results already */
      readonly looped?: boolean;
      /** an unreachable host whose task says ignore_unreachable (counted as skipped) */
      readonly ignored?: boolean;
      /** the task's changes include a `config`-class one: it takes effect at the next start */
      readonly pendingRestart?: boolean;
    }
  | { readonly type: 'warning'; readonly message: string; readonly host?: string }
  /** connection debugging at -vvvv (the connection layer's log lines) */
  | { readonly type: 'debug'; readonly message: string; readonly host?: string }
  | { readonly type: 'recap'; readonly stats: Readonly<Record<string, HostStats>>; readonly durationMs: number }
  | { readonly type: 'interrupted' };
