import type { Connection } from '../connection/types.ts';
import type { Vars } from '../inventory/types.ts';

/** Opener opens a connection to a host given its connection variables. */
export type Opener = (host: string, vars: Vars) => Promise<Connection>;

/**
 * ConnectionPool keeps ONE connection per host for the whole run: opened lazily on first use,
 * reused by every task and play, closed at the end. A failed open is remembered, so a host that
 * is unreachable does not cost a new connect timeout on every task.
 */
export class ConnectionPool {
  private readonly open: Opener;
  private readonly conns = new Map<string, Promise<Connection>>();

  constructor(open: Opener) {
    this.open = open;
  }

  /** get returns the host's connection, opening it with `vars` the first time. */
  get(host: string, vars: () => Vars): Promise<Connection> {
    let p = this.conns.get(host);
    if (!p) {
      p = this.open(host, vars());
      // a rejection is handled by whoever awaits; this keeps Node from flagging it as unhandled
      p.catch(() => undefined);
      this.conns.set(host, p);
    }
    return p;
  }

  /** has tells whether the host's connection was opened (or is being opened) in this run. */
  has(host: string): boolean {
    return this.conns.has(host);
  }

  /** drop forgets a host's connection (after it broke), closing it if it was open. */
  async drop(host: string): Promise<void> {
    const p = this.conns.get(host);
    this.conns.delete(host);
    if (p !== undefined) await p.then((c) => c.close()).catch(() => undefined);
  }

  /** reopen replaces a host's connection with a new one opened with `vars` (a module's reconnect after its change cut the old one). */
  async reopen(host: string, vars: () => Vars): Promise<Connection> {
    await this.drop(host);
    return this.get(host, vars);
  }

  /** count is how many connections were opened (or tried), for the bench and tests. */
  get count(): number {
    return this.conns.size;
  }

  /** closeAll closes every open connection; errors while closing are ignored (the run is over). */
  async closeAll(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => undefined)));
  }
}
