// The shape every probe shares: an argv to run on the host and a pure parser of its output.
import type { Argv, RunResult } from '../connection/types.ts';

/** ProbeOutput is what a parser gets: the command's exit code and both streams. */
export type ProbeOutput = Pick<RunResult, 'rc' | 'stdout' | 'stderr'>;

/** Probe pairs a command with the pure function that turns its output into a typed value. */
export interface Probe<T> {
  readonly argv: Argv;
  readonly parse: (out: ProbeOutput) => T;
}

/** ProbeError is thrown by a parser when the output is not what the tool prints. */
export class ProbeError extends Error {
  constructor(tool: string, message: string) {
    super(`${tool}: ${message}`);
    this.name = 'ProbeError';
  }
}

/** mustSucceed throws a ProbeError carrying the tool's stderr when rc != 0. */
export function mustSucceed(tool: string, out: ProbeOutput): string {
  if (out.rc !== 0) throw new ProbeError(tool, `exited ${out.rc}: ${out.stderr.trim() || out.stdout.trim()}`);
  return out.stdout;
}

/** parseJson parses a tool's JSON output, naming the tool when it is not JSON. */
export function parseJson(tool: string, text: string): unknown {
  const t = text.trim();
  // tc -j and bridge -j print nothing at all (not "[]") for an empty list on some versions
  if (t === '') return [];
  try {
    return JSON.parse(t);
  } catch (e) {
    throw new ProbeError(tool, `output is not JSON: ${(e as Error).message}`);
  }
}

/** obj narrows unknown JSON to a record (empty when it is not one). */
export function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** str returns a string field or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** num returns a numeric field or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** arr returns an array field or []. */
export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
