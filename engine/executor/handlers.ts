import type { Task } from '../loader/types.ts';

/** handlerNames are the names a notify may use for a handler: its name, `role : name`, and its listen topics. */
function handlerNames(h: Task): string[] {
  const names: string[] = [...h.listen];
  if (h.name) {
    names.push(h.name);
    if (h.role) names.push(`${h.role.name} : ${h.name}`);
  }
  return names;
}

/**
 * HandlerBook keeps which hosts notified which handler during a play. Handlers then run in
 * definition order, once per host, however many tasks notified them (Ansible's semantics).
 */
export class HandlerBook {
  readonly handlers: Task[] = [];
  private readonly byName = new Map<string, Task[]>();
  private readonly pending = new Map<Task, Set<string>>();

  constructor(handlers: readonly Task[]) {
    this.add(handlers);
  }

  /** add registers more handlers after those known (a role included at run time brings its own). */
  add(handlers: readonly Task[]): void {
    for (const h of handlers) {
      if (this.handlers.includes(h)) continue;
      this.handlers.push(h);
      for (const n of handlerNames(h)) {
        const list = this.byName.get(n) ?? [];
        if (!list.includes(h)) list.push(h);
        this.byName.set(n, list);
      }
    }
  }

  /** notify records that `host` notified these names; returns the names that match no handler. */
  notify(host: string, names: readonly string[]): string[] {
    const unknown: string[] = [];
    for (const n of names) {
      const hs = this.byName.get(n);
      if (!hs) {
        unknown.push(n);
        continue;
      }
      for (const h of hs) {
        const set = this.pending.get(h) ?? new Set<string>();
        set.add(host);
        this.pending.set(h, set);
      }
    }
    return unknown;
  }

  /** take returns (and forgets) the hosts among `hosts` that notified handler `h`. */
  take(h: Task, hosts: readonly string[]): string[] {
    const set = this.pending.get(h);
    if (!set) return [];
    const out = hosts.filter((x) => set.has(x));
    for (const x of out) set.delete(x);
    return out;
  }

  /** anyPending tells whether some handler still waits for one of `hosts`. */
  anyPending(hosts: readonly string[]): boolean {
    for (const set of this.pending.values()) if (hosts.some((h) => set.has(h))) return true;
    return false;
  }

  /** forget drops a host's notifications (a host that failed without force_handlers). */
  forget(host: string): void {
    for (const set of this.pending.values()) set.delete(host);
  }
}
