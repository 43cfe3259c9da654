import type { ExecEvent } from '../executor/events.ts';
import type { OutputMode } from '../executor/run-options.ts';
import { AdhocReporter } from './adhoc-reporter.ts';
import { JsonReporter } from './json-reporter.ts';
import { JunitCollector } from './junit-reporter.ts';
import { PlainReporter } from './plain-reporter.ts';
import { ProfileCollector } from './profile.ts';
import { TtyReporter } from './tty-reporter.ts';

/** ReporterOptions are what every reporter needs; `write` defaults to stdout, one line per call. */
export interface ReporterOptions {
  readonly verbosity: number;
  readonly diff: boolean;
  /** also write JUnit XML to this file when the run ends */
  readonly junit?: string;
  /** after the recap, print the slowest tasks, per-host time and the total (profile_tasks + timer) */
  readonly profile?: boolean;
  /** an ad-hoc run: `host | CHANGED => {…}` lines instead of banners and a recap (json stays events) */
  readonly adhoc?: boolean;
  /** where warnings of an ad-hoc run go (stderr by default, as ansible writes them) */
  readonly warn?: (line: string) => void;
  readonly write?: (line: string) => void;
}

/** Reporter receives every event of a run and flushes its output on close. */
export interface Reporter {
  onEvent(e: ExecEvent): void;
  close(): Promise<void>;
}

/**
 * createReporter picks the renderer for an output mode (the terminal view, Ansible-like plain lines,
 * or NDJSON) and adds the JUnit writer when asked; the executor only ever calls onEvent.
 */
export function createReporter(mode: OutputMode, opts: ReporterOptions): Reporter {
  const write = opts.write ?? ((line: string): void => void process.stdout.write(`${line}\n`));
  const junit = opts.junit ? new JunitCollector() : undefined;
  // JSON events carry their own durations and timestamps: the profile is for people reading text
  const profile = opts.profile === true && mode !== 'json' ? new ProfileCollector() : undefined;
  let main: { onEvent(e: ExecEvent): void; close?: () => Promise<void> };
  if (mode === 'json') main = new JsonReporter(write);
  else if (opts.adhoc) main = new AdhocReporter({ verbosity: opts.verbosity, diff: opts.diff, write, warn: opts.warn ?? ((line: string): void => void process.stderr.write(`${line}\n`)) });
  else if (mode === 'tty') main = new TtyReporter({ verbosity: opts.verbosity, diff: opts.diff, write });
  else main = new PlainReporter({ verbosity: opts.verbosity, diff: opts.diff, write });
  return {
    onEvent(e: ExecEvent): void {
      main.onEvent(e);
      junit?.onEvent(e);
      profile?.onEvent(e);
    },
    async close(): Promise<void> {
      await main.close?.();
      if (profile) for (const line of profile.lines()) write(line);
      if (junit && opts.junit) await junit.writeTo(opts.junit);
    },
  };
}
