// Bench-only preload for the scale run's memory question (is a rise in RSS retained data or GC
// slack?): loaded into tsplay with `node --expose-gc --import bench/heap-probe.ts`, it forces a
// full GC every TSPLAY_HEAP_EVERY_MS (default 1000) and appends what is still live to
// TSPLAY_HEAP_SAMPLES, one JSON line per sample. The forced GCs cost the run time; its wall is
// not comparable with an unprobed run's.
import { openSync, writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/** HeapSample is one reading right after a forced full GC. */
export interface HeapSample {
  /** ms since the probe started */
  readonly t: number;
  readonly heapUsedKb: number;
  readonly heapTotalKb: number;
  readonly externalKb: number;
  readonly arrayBuffersKb: number;
  readonly rssKb: number;
}

const file = process.env['TSPLAY_HEAP_SAMPLES'];
const gc = (globalThis as { gc?: () => void }).gc;
// a preload runs in every worker thread too (tsplay's regex worker): only the main thread samples
if (file !== undefined && gc !== undefined && isMainThread) {
  const fd = openSync(file, 'w');
  const t0 = performance.now();
  const sample = (): void => {
    gc();
    const m = process.memoryUsage();
    const kb = (x: number): number => Math.round(x / 1024);
    const s: HeapSample = {
      t: Math.round(performance.now() - t0),
      heapUsedKb: kb(m.heapUsed),
      heapTotalKb: kb(m.heapTotal),
      externalKb: kb(m.external),
      arrayBuffersKb: kb(m.arrayBuffers),
      rssKb: kb(m.rss),
    };
    writeSync(fd, `${JSON.stringify(s)}\n`);
  };
  setInterval(sample, Number(process.env['TSPLAY_HEAP_EVERY_MS'] ?? '1000')).unref();
  process.on('exit', sample);
}
