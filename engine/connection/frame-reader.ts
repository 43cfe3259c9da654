/** FramePart says which of a command's outputs a body chunk belongs to. */
export type FramePart = 'stdout' | 'stderr';

/** FrameSink receives one request's output bytes and, once, the rest of its end line. */
export interface FrameSink {
  readonly marker: string;
  body(chunk: Buffer, part: FramePart): void;
  /** `tail` is the end line after `MARKER E` (`<rc> <timedout>`) */
  end(tail: string): void;
}

/**
 * FrameReader splits the persistent shell's stdout into request results (see shell-driver.ts):
 * the command's stdout, optionally `MARKER S\n` and its stderr, then `MARKER E<rc> <t>\n`.
 * Everything before the driver's READY line (login shell chatter) and everything arriving
 * while no request waits (a late background writer) is dropped. At most a marker's length of
 * output is held back, so a 10 MB output streams through.
 */
export class FrameReader {
  private readonly queue: FrameSink[] = [];
  private ready: Buffer | undefined;
  private part: FramePart = 'stdout';
  private carry: Buffer = Buffer.alloc(0);
  /** dropped counts bytes seen outside any request (for -vvvv diagnostics) */
  dropped = 0;
  /** readyInfo is what the driver printed after the READY token on its line (`PID TEMPDIR`), once seen */
  readyInfo: string | undefined;
  private readonly onReady: ((info: string) => void) | undefined;

  /** `ready` is the token the driver prints once when it starts; `onReady` gets the rest of that line. */
  constructor(ready: string, onReady?: (info: string) => void) {
    this.ready = Buffer.from(ready, 'latin1');
    this.onReady = onReady;
  }

  /** expect queues the next request whose result this stream will deliver. */
  expect(sink: FrameSink): void {
    this.queue.push(sink);
  }

  /** push feeds the next chunk of the stream. */
  push(chunk: Buffer): void {
    let buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    if (this.ready) {
      const at = buf.indexOf(this.ready);
      const nl = at < 0 ? -1 : buf.indexOf(0x0a, at + this.ready.length);
      if (at < 0 || nl < 0) {
        // hold back what may be the start of the READY line (token, info, newline still to come)
        const keep = at >= 0 ? buf.length - at : Math.min(buf.length, this.ready.length - 1);
        this.dropped += buf.length - keep;
        this.carry = Buffer.from(buf.subarray(buf.length - keep));
        return;
      }
      this.dropped += at;
      this.readyInfo = buf
        .subarray(at + this.ready.length, nl)
        .toString('utf8')
        .trim();
      buf = buf.subarray(nl + 1);
      this.ready = undefined;
      this.onReady?.(this.readyInfo);
    }
    while (buf.length > 0) {
      const sink = this.queue[0];
      if (!sink) {
        this.dropped += buf.length;
        return;
      }
      const tok = Buffer.from(sink.marker, 'latin1');
      const at = buf.indexOf(tok);
      if (at < 0) {
        // a marker may start in this chunk and end in the next: hold back its possible prefix
        const keep = Math.min(buf.length, tok.length - 1);
        if (buf.length > keep) sink.body(buf.subarray(0, buf.length - keep), this.part);
        this.carry = Buffer.from(buf.subarray(buf.length - keep));
        return;
      }
      const nl = buf.indexOf(0x0a, at + tok.length);
      if (nl < 0) {
        if (at > 0) sink.body(buf.subarray(0, at), this.part);
        this.carry = Buffer.from(buf.subarray(at));
        return;
      }
      if (at > 0) sink.body(buf.subarray(0, at), this.part);
      const kind = buf[at + tok.length];
      const tail = buf.subarray(at + tok.length + 1, nl).toString('latin1');
      buf = buf.subarray(nl + 1);
      if (kind === 0x53 /* S */) {
        this.part = 'stderr';
      } else {
        this.queue.shift();
        this.part = 'stdout';
        sink.end(tail);
      }
    }
  }

  /** failAll empties the queue, returning the requests that never got their result. */
  failAll(): FrameSink[] {
    const left = this.queue.splice(0);
    this.part = 'stdout';
    this.carry = Buffer.alloc(0);
    return left;
  }
}
