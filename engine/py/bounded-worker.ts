// The thread behind bounded.ts: runs one exported function at a time on request and flags its
// progress in shared memory, so the caller can wait with a deadline and give up on it.
import { enableCompileCache } from 'node:module';
import { type MessagePort, workerData } from 'node:worker_threads';

const { port, state, cacheDir } = workerData as { port: MessagePort; state: Int32Array; cacheDir?: string };
// the main thread's on-disk compile cache, so the modules this thread loads skip type stripping and compiling again
if (cacheDir !== undefined) enableCompileCache?.(cacheDir);

function flag(v: number): void {
  Atomics.store(state, 0, v);
  Atomics.notify(state, 0);
}

port.on('message', (m: { id: number; url: string; name: string; args: unknown[] } | { warm: string }) => {
  // a warm-up only loads the module; a call that follows awaits the same load
  if ('warm' in m) return void import(m.warm).catch(() => undefined);
  void (async () => {
    let reply: { id: number; value?: unknown; error?: string; errorName?: string };
    try {
      const mod = (await import(m.url)) as Record<string, (...a: unknown[]) => unknown>;
      const fn = mod[m.name];
      if (typeof fn !== 'function') throw new Error(`${m.url} has no function ${m.name}`);
      flag(1); // the deadline starts now, after the module loaded
      reply = { id: m.id, value: fn(...m.args) };
    } catch (e) {
      flag(1);
      reply = { id: m.id, error: e instanceof Error ? e.message : String(e), errorName: e instanceof Error ? e.name : 'Error' };
    }
    port.postMessage(reply);
    flag(2);
  })();
});
