import { TsplayError } from '../errors/index.ts';
import { openTransport } from './ssh-connect.ts';
import type { SshTarget } from './ssh-target.ts';
import type { SshTransport } from './ssh-transport.ts';
import type { ConnectOptions } from './types.ts';

/**
 * SshPool shares transports: one per host for the whole run, and a jump host's connection is
 * the same one that host's own tasks use. Reference-counted so closing the last user ends it.
 */
export class SshPool {
  private readonly entries = new Map<string, Promise<SshTransport>>();
  private readonly refs = new Map<SshTransport, number>();
  /** opened counts SSH connections made through this pool */
  opened = 0;

  /** acquire returns the open transport for `t`, connecting it (and its jumps) on first use. */
  async acquire(t: SshTarget, opts: ConnectOptions): Promise<SshTransport> {
    let p = this.entries.get(t.key);
    if (!p) {
      p = this.connect(t, opts);
      this.entries.set(t.key, p);
      const mine = p;
      p.catch(() => {
        if (this.entries.get(t.key) === mine) this.entries.delete(t.key);
      });
    }
    const tr = await p;
    if (tr.dead) {
      if (this.entries.get(t.key) === p) this.entries.delete(t.key);
      return this.acquire(t, opts);
    }
    this.refs.set(tr, (this.refs.get(tr) ?? 0) + 1);
    return tr;
  }

  private async connect(t: SshTarget, opts: ConnectOptions): Promise<SshTransport> {
    const via = t.via ? await this.acquire(t.via, opts).catch((e: unknown) => Promise.reject(throughJump(t, e))) : undefined;
    try {
      const tr = await openTransport(t, opts, via);
      this.opened++;
      return tr;
    } catch (err) {
      if (via) this.release(via);
      throw err;
    }
  }

  /** release drops one reference; the last one closes the connection and releases its jump. */
  release(tr: SshTransport): void {
    const n = (this.refs.get(tr) ?? 1) - 1;
    if (n > 0) {
      this.refs.set(tr, n);
      return;
    }
    this.refs.delete(tr);
    const p = this.entries.get(tr.target.key);
    if (p) {
      void p.then((cur) => {
        if (cur === tr && this.entries.get(tr.target.key) === p) this.entries.delete(tr.target.key);
      });
    }
    tr.end();
    if (tr.via) this.release(tr.via);
  }
}

/** throughJump names the target in its jump host's connect error: a guest behind a down hypervisor says so, not only the hypervisor's failure. */
function throughJump(t: SshTarget, e: unknown): unknown {
  if (!(e instanceof TsplayError) || !t.via) return e;
  return new TsplayError({ code: e.code, host: t.name, hint: e.hint, message: `${t.name} (${t.host}:${t.port}) unreachable: jump host ${t.via.name} failed: ${e.message}` }, { cause: e });
}
