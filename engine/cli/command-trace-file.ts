import { closeSync, openSync, writeSync } from 'node:fs';
import type { CommandTrace } from '../executor/command-trace.ts';

/** TRACE_ENV names the file a run writes its remote calls to, one JSON line each (for the bench's floor; -vvvv does not log commands). */
export const TRACE_ENV = 'TSPLAY_TRACE_COMMANDS';

/** CommandTraceFile is an open trace: the executor's hook, and how to close the file. */
export interface CommandTraceFile {
  readonly trace: CommandTrace;
  close(): void;
}

/** commandTraceFromEnv opens the trace file TRACE_ENV names, or returns undefined when it is unset. */
export function commandTraceFromEnv(): CommandTraceFile | undefined {
  const path = process.env[TRACE_ENV];
  return path ? openCommandTrace(path) : undefined;
}

/**
 * openCommandTrace opens `path` (created 0600, truncated: it holds command texts) and returns
 * the executor's trace hook writing one JSON line per call, synchronously, so a run that dies
 * still leaves every call it sent.
 */
export function openCommandTrace(path: string): CommandTraceFile {
  const fd = openSync(path, 'w', 0o600);
  return {
    trace: (c) => void writeSync(fd, `${JSON.stringify(c)}\n`),
    close: () => closeSync(fd),
  };
}
