/**
 * ChannelCap is a counting semaphore for the session channels of one SSH connection: sshd
 * refuses the 11th (MaxSessions 10), so a channel that would exceed it waits here instead.
 */
export class ChannelCap {
  readonly size: number;
  private free: number;
  private readonly waiters: (() => void)[] = [];
  /** peak is the most slots ever held at once (tests assert the cap holds) */
  peak = 0;

  constructor(size: number) {
    this.size = size;
    this.free = size;
  }

  /** held is how many slots are taken right now. */
  get held(): number {
    return this.size - this.free;
  }

  /** acquire waits for a free slot; call the returned function exactly once to give it back. */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.peak = Math.max(this.peak, this.size - this.free);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    };
  }
}
