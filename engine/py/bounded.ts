import { getCompileCacheDir } from 'node:module';
import type { MessagePort, Worker } from 'node:worker_threads';
import { TsplayError } from '../errors/index.ts';

// Why not a static import: node:worker_threads costs ~3 ms to load, and most runs never start the worker.
const threads = (): typeof import('node:worker_threads') => process.getBuiltinModule('node:worker_threads');

/**
 * BOUNDED_LIMIT_MS is how long one bounded call (a user regex over host data) may run before
 * it is abandoned: far above any sane pattern on any real file, far below a frozen run.
 */
export const BOUNDED_LIMIT_MS = 1000;

// Loading a module in the worker (type stripping included) is not counted against the limit.
const STARTUP_LIMIT_MS = 30_000;

interface Runner {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly state: Int32Array;
}

interface Reply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
  readonly errorName?: string;
}

let runner: Runner | undefined;
let calls = 0;
// only ever waited on, to sleep this thread for a millisecond
const nap = new Int32Array(new SharedArrayBuffer(4));

function start(): Runner {
  const { MessageChannel, Worker } = threads();
  const { port1, port2 } = new MessageChannel();
  const state = new Int32Array(new SharedArrayBuffer(4));
  // a worker does not inherit this thread's compile cache: hand it the same directory, if any
  const cacheDir = getCompileCacheDir?.();
  const worker = new Worker(new URL('./bounded-worker.ts', import.meta.url), { workerData: { port: port2, state, cacheDir }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { worker, port: port1, state };
}

/**
 * warmBounded starts the worker (when none runs) and has it load the module at `url` in the
 * background, so a later boundedCall into it does not wait for the thread and the module to load
 * (about 0.1 s). It never blocks this thread and never runs anything of the module but its top level.
 */
export function warmBounded(url: string): void {
  runner ??= start();
  runner.port.postMessage({ warm: url });
}

/**
 * boundedCall runs the function `name` exported by the module at `url` with `args` (and a
 * structured-cloneable result) on a worker thread, waiting for it synchronously for at most
 * `limitMs`. Why a worker: a backtracking regex cannot be interrupted on the thread it runs on,
 * so running user patterns over host data here could freeze every host's run and the signal
 * handlers. A call that overruns kills the worker (the next call starts a new one) and throws
 * an E_TIMEOUT TsplayError saying `what` did not finish; the function's own errors are rethrown.
 */
export function boundedCall<T>(url: string, name: string, args: readonly unknown[], what: string, limitMs = BOUNDED_LIMIT_MS): T {
  runner ??= start();
  const r = runner;
  const id = ++calls;
  Atomics.store(r.state, 0, 0);
  r.port.postMessage({ id, url, name, args });
  const started = Atomics.wait(r.state, 0, 0, STARTUP_LIMIT_MS) !== 'timed-out' || Atomics.load(r.state, 0) !== 0;
  const done = started && (Atomics.wait(r.state, 0, 1, limitMs) !== 'timed-out' || Atomics.load(r.state, 0) === 2);
  if (!done) {
    runner = undefined;
    void r.worker.terminate();
    r.port.close();
    throw new TsplayError({
      code: 'E_TIMEOUT',
      message: `${what} did not finish within ${started ? limitMs : STARTUP_LIMIT_MS} ms and was stopped (a pattern like (a+)+ backtracks exponentially)`,
      hint: 'rewrite the regular expression without nested or overlapping repetition',
    });
  }
  // the reply is posted before the done flag, but can reach this port's queue a moment later
  let msg: Reply | undefined;
  for (let i = 0; i < 5000 && msg === undefined; i++) {
    msg = threads().receiveMessageOnPort(r.port)?.message as Reply | undefined;
    if (msg !== undefined && msg.id !== id)
      msg = undefined; // a reply to an abandoned call
    else if (msg === undefined) Atomics.wait(nap, 0, 0, 1);
  }
  if (msg === undefined) throw new TsplayError({ code: 'E_INTERNAL', message: `${what}: the worker answered nothing` });
  if (msg.error !== undefined) {
    const e = msg.errorName === 'SyntaxError' ? new SyntaxError(msg.error) : new Error(msg.error);
    throw e;
  }
  return msg.value as T;
}
