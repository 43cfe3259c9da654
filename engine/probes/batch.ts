// Reads several probes of one host in ONE round trip through Connection.batch.
import type { Connection, RunOptions } from '../connection/types.ts';
import type { Probe } from './types.ts';

/** ProbeValues maps each key of a probe set to its parsed value type. */
export type ProbeValues<P extends Record<string, Probe<unknown>>> = { [K in keyof P]: P[K] extends Probe<infer T> ? T : never };

/** readProbes runs every probe's argv in one batch and returns each parsed value under its key. */
export async function readProbes<P extends Record<string, Probe<unknown>>>(conn: Pick<Connection, 'batch'>, probes: P, opts?: RunOptions): Promise<ProbeValues<P>> {
  const keys = Object.keys(probes) as (keyof P & string)[];
  const results = await conn.batch(
    keys.map((k) => probes[k]!.argv),
    opts,
  );
  const out: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    const r = results[i];
    if (!r) throw new Error(`batch returned no result for probe ${k}`);
    out[k] = probes[k]!.parse(r);
  });
  return out as ProbeValues<P>;
}
