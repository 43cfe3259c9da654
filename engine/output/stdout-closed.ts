// A reader that goes away (`tsplay … | head -2`) makes every later stdout write fail with EPIPE;
// unhandled, the first one crashes the process with a stack trace and exit 1.

/** stdoutClosed is aborted once stdout's reader has gone away; a run stops as on Ctrl-C. */
export const stdoutClosed = new AbortController();

/** watchStdout makes EPIPE on stdout quiet: later writes are dropped and stdoutClosed is aborted. */
export function watchStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    if (!stdoutClosed.signal.aborted) stdoutClosed.abort();
  });
}
