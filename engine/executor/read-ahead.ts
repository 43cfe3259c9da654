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

// keyed by the item's own vars object (the one its call receives) and its arguments as read
const offered = new WeakMap<Vars, { readonly key: string; readonly ahead: ReadAhead }>();

/** argsKey identifies a call's checked arguments; undefined when they do not serialise. */
export function argsKey(args: unknown): string | undefined {
  try {
    return JSON.stringify(args);
  } catch {
    return undefined;
  }
}

/** offerReadAhead keeps an early read for the call that will get `vars` and arguments `key`. */
export function offerReadAhead(vars: Vars, key: string, ahead: ReadAhead): void {
  offered.set(vars, { key, ahead });
}

/** takeReadAhead hands over (once) the early read kept for a call with these vars and arguments. */
export function takeReadAhead(vars: Vars, args: unknown): ReadAhead | undefined {
  const o = offered.get(vars);
  if (!o) return undefined;
  offered.delete(vars);
  return o.key === argsKey(args) ? o.ahead : undefined;
}
