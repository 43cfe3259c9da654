import type { Vars } from '../inventory/types.ts';

/**
 * Read-ahead for a loop's later items (issue 15). Why: each item of a `file`/`copy` loop read its
 * path in a round trip of its own, one after the other. After an item that changed nothing, the
 * loop sends the reads of the next items at once (the persistent shell answers them in order, in
 * about one round trip), and each item still plans and applies in its turn, as Ansible's.
 *
 * Why the order stays Ansible's: a read has no effect (ModuleDef.readAhead), so reading early
 * differs from reading in turn only if something was written in between. Every apply, of any
 * task on any host of this process, counts here as it starts and as it ends; an early read is
 * used only when that count is the same after its answer arrived as when it was sent. Otherwise
 * the item reads again in its turn. So a read made before another item's (or host's) write is
 * never planned against; a no-change or check run, which applies nothing, uses every one.
 *
 * The same for the next task of a task list (session 10): while a task runs on a host, the next
 * task's read is sent on that host's connection, so the host answers it while the controller
 * plans and reports the task before (one round trip per task overlapped with the controller's
 * work). Its vars may still change before it runs (a register), so the early read is kept under
 * everything the read depends on (callKey) and is used only when the task, in its turn, makes
 * the very same call; a module whose read renders the vars (template) never reads across tasks.
 */

let applies = 0;

/** noteApply counts a module's apply: call it as the apply starts and again as it ends. */
export function noteApply(): void {
  applies++;
}

/** ReadAhead is one early read: the apply count when it was sent, and its answer (undefined if it failed). */
export interface ReadAhead {
  readonly applies: number;
  readonly current: Promise<{ readonly value: unknown } | undefined>;
}

/** startReadAhead sends `read` now; a failure is kept quiet (the item then reads in its turn and reports it). */
export function startReadAhead(read: () => Promise<unknown>): ReadAhead {
  const at = applies;
  return {
    applies: at,
    current: read().then(
      (value) => ({ value }),
      () => undefined,
    ),
  };
}

/** usableRead waits for an early read and returns its answer when nothing was applied since it was sent, else undefined. */
export async function usableRead(ahead: ReadAhead): Promise<{ readonly value: unknown } | undefined> {
  const r = await ahead.current;
  return r !== undefined && ahead.applies === applies ? r : undefined;
}

// keyed by the item's own vars object (the one its call receives) and its call as read
const offered = new WeakMap<Vars, { readonly key: string; readonly ahead: ReadAhead }>();

/** KeyedContext is what of a module's context its read depends on, besides the arguments and the vars. */
export interface KeyedContext {
  readonly conn: { readonly host: string };
  readonly become?: boolean;
  readonly becomeUser?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly searchPaths?: unknown;
  readonly check?: boolean;
  readonly diff?: boolean;
}

/** callKey identifies a call's read: its checked arguments and the context its read uses; undefined when they do not serialise. */
export function callKey(args: unknown, ctx: KeyedContext): string | undefined {
  try {
    return JSON.stringify([args, ctx.conn.host, ctx.become ?? null, ctx.becomeUser ?? null, ctx.env ?? null, ctx.searchPaths ?? null, ctx.check ?? null, ctx.diff ?? null]);
  } catch {
    return undefined;
  }
}

/** offerReadAhead keeps an early read for the call that will get `vars` and make call `key`. */
export function offerReadAhead(vars: Vars, key: string, ahead: ReadAhead): void {
  offered.set(vars, { key, ahead });
}

/** takeReadAhead hands over (once) the early read kept for a call with these vars, if it makes the same call (its key computed only then). */
export function takeReadAhead(vars: Vars, args: unknown, ctx: KeyedContext): ReadAhead | undefined {
  const o = offered.get(vars);
  if (!o) return undefined;
  offered.delete(vars);
  return o.key === callKey(args, ctx) ? o.ahead : undefined;
}

/** EarlyRead is a next task's read sent early, with the call it was made for. */
export interface EarlyRead {
  readonly key: string;
  readonly ahead: ReadAhead;
}

// per task node, per host name: the read sent while the task before it ran
const nextTask = new WeakMap<object, Map<string, EarlyRead>>();

/** offerTaskReadAhead keeps an early read for `task`'s next run on `host`. */
export function offerTaskReadAhead(task: object, host: string, early: EarlyRead): void {
  const m = nextTask.get(task) ?? new Map<string, EarlyRead>();
  nextTask.set(task, m);
  m.set(host, early);
}

/** hasTaskReadAhead tells whether an early read is kept for `task` on `host`. */
export function hasTaskReadAhead(task: object, host: string): boolean {
  return nextTask.get(task)?.has(host) === true;
}

/** claimTaskReadAhead takes (once) the early read kept for `task` on `host`: a task's run claims it as it starts, used or not. */
export function claimTaskReadAhead(task: object, host: string): EarlyRead | undefined {
  const m = nextTask.get(task);
  const e = m?.get(host);
  if (e) m!.delete(host);
  return e;
}
