import type { Connection } from '../connection/types.ts';

// Per connection, the tail of each path's queue: the promise the next writer of that path waits for.
const tails = new WeakMap<Connection, Map<string, Promise<void>>>();

/**
 * withPaths runs `work` once every earlier `withPaths` call on the same connection that named
 * one of the same `paths` has finished, so edits of one file on one target never overlap.
 * A caller joins every path's line at once (no await in between), so two callers naming the
 * same paths queue in one order and cannot deadlock.
 */
export async function withPaths<T>(conn: Connection, paths: readonly string[], work: () => Promise<T>): Promise<T> {
  let byPath = tails.get(conn);
  if (!byPath) {
    byPath = new Map();
    tails.set(conn, byPath);
  }
  const keys = [...new Set(paths)];
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  const waits = keys.map((k) => byPath.get(k) ?? Promise.resolve());
  for (const k of keys) byPath.set(k, done);
  try {
    await Promise.all(waits);
    return await work();
  } finally {
    release();
    // the last writer in line leaves nothing behind
    for (const k of keys) if (byPath.get(k) === done) byPath.delete(k);
  }
}
