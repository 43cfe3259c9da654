import { formatPos, TsplayError } from '../errors/index.ts';
import type { ErrorCode } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import type { Change } from '../modules/types.ts';
import type { HostStatus } from './events.ts';

/**
 * TaskResult is how a task (or one loop item) ended on a host, typed. It becomes Ansible's
 * result dict only where Ansible shows one: `register` (and the conditions that read it) and
 * the events (toAnsible). An optional flag left undefined is a key Ansible's dict does not have
 * (a `when`-skipped result has no `failed`).
 */
export interface TaskResult {
  readonly changed: boolean;
  readonly failed?: boolean;
  readonly skipped?: boolean;
  readonly unreachable?: boolean;
  readonly msg?: string;
  /** the module's own keys (rc, stdout, stat, dest...), as Ansible registers them */
  readonly values: Vars;
  /** `ansible_facts`: where the executor stores them is the module's route */
  readonly facts?: Vars;
  /** set_fact's `cacheable`: the facts are host facts too (never shown) */
  readonly cacheable?: boolean;
  /** what changed, for --diff and the tree; empty unless the task changed something */
  readonly changes: readonly Change[];
  readonly skipReason?: string;
  /** the first `when` condition that was false */
  readonly falseCondition?: string;
  /** until: the attempt this result came from */
  readonly attempts?: number;
  /** failed_when's verdict */
  readonly failedWhenResult?: boolean;
  /** a loop item's variables (item, ansible_loop_var, the index var), registered with the item */
  readonly loopVars?: Vars;
  /** loop_control.label, rendered */
  readonly label?: { readonly value: unknown };
  /** a loop's items; the task result aggregates them */
  readonly items?: readonly TaskResult[];
}

/** UNREACHABLE_CODES are the errors that mean "the host could not be talked to", not "the task failed". */
const UNREACHABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['E_UNREACHABLE', 'E_HOST_KEY', 'E_AUTH']);

/** errorMessage is an error as a task's `msg`; a template or expression mistake names its file:line:col. */
export function errorMessage(e: unknown): string {
  if (e instanceof TsplayError) return e.pos ? `${formatPos(e.pos)}: ${e.message}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** errorResult is the result of a task that threw: unreachable for connection errors, else failed. */
export function errorResult(e: unknown): TaskResult {
  if (e instanceof TsplayError && UNREACHABLE_CODES.has(e.code)) return { changed: false, unreachable: true, msg: e.message, values: {}, changes: [] };
  return { changed: false, failed: true, msg: errorMessage(e), values: {}, changes: [] };
}

/** conditionSkipped is the result of a task (or item) whose `when` is false. */
export function conditionSkipped(falseCondition?: string): TaskResult {
  return { changed: false, skipped: true, skipReason: 'Conditional result was False', ...(falseCondition !== undefined ? { falseCondition } : {}), values: {}, changes: [] };
}

/** BaseStatus is a result's status before ignore_errors and rescue have their say. */
export type BaseStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

/** baseStatus reads a result's status; unreachable beats failed beats skipped beats changed. */
export function baseStatus(r: TaskResult): BaseStatus {
  if (r.unreachable === true) return 'unreachable';
  if (r.failed === true) return 'failed';
  if (r.skipped === true) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

/** hostStatus is the status a host reports: a failure is ignored (ignore_errors) or rescued (an enclosing rescue) or failed. */
export function hostStatus(r: TaskResult, ignoreErrors: boolean, rescuable: boolean): HostStatus {
  const s = baseStatus(r);
  if (s !== 'failed') return s;
  return ignoreErrors ? 'ignored' : rescuable ? 'rescued' : 'failed';
}

function opt<K extends string>(key: K, v: unknown): Partial<Record<K, unknown>> {
  return v !== undefined ? ({ [key]: v } as Record<K, unknown>) : {};
}

/**
 * pendingRestart says whether changes leave a running object with its old config until its next
 * start: a `config`-class change that is not `idle` (a running domain's vCPU count, a sysctl
 * only persisted); a definition for an object that runs nothing yet leaves nothing pending.
 */
export function pendingRestart(changes: readonly Change[]): boolean {
  return changes.some((c) => c.class === 'config' && c.idle !== true);
}

/**
 * toAnsible is a result as Ansible's dict: what `register` stores and what the events carry.
 * `pending_restart: true` joins it when its changes include a `config`-class one (no Ansible
 * module sets that key, so core modules' dicts stay exactly Ansible's).
 */
export function toAnsible(r: TaskResult): Record<string, unknown> {
  const head: Record<string, unknown> = r.items
    ? { changed: r.changed, ...opt('msg', r.msg), results: r.items.map(toAnsible) }
    : { ...opt('ansible_facts', r.facts), ...r.values, changed: r.changed, ...opt('msg', r.msg) };
  return {
    ...head,
    ...(r.changed && pendingRestart(r.changes) ? { pending_restart: true } : {}),
    ...opt('failed', r.failed),
    ...opt('unreachable', r.unreachable),
    ...opt('skipped', r.skipped),
    ...opt('skip_reason', r.skipReason),
    ...opt('false_condition', r.falseCondition),
    ...opt('attempts', r.attempts),
    ...opt('failed_when_result', r.failedWhenResult),
    ...r.loopVars,
    ...(r.label ? { _ansible_item_label: r.label.value } : {}),
  };
}
