import type { Socket } from 'node:net';

/**
 * coalesceWrites makes the writes a socket receives within one turn of the event loop leave in
 * one `writev` (one TCP segment with NODELAY). Why: ssh2 writes each SSH packet as three
 * buffers (length, ciphertext, MAC), each its own syscall and segment, so one request woke the
 * host's sshd up to three times; a window adjust written beside it adds more. The data goes out
 * at the end of the current tick (process.nextTick: no timer, no extra event-loop turn), in the
 * order written.
 */
export function coalesceWrites(sock: Socket): void {
  const write = sock.write;
  let corked = false;
  const flush = (): void => {
    corked = false;
    sock.uncork();
  };
  sock.write = function (this: Socket, ...args: Parameters<Socket['write']>): boolean {
    if (!corked) {
      corked = true;
      sock.cork();
      process.nextTick(flush);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
