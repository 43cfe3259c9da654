import { z } from 'zod';
import type { ApplyResult, ModuleContext, Plan } from '../types.ts';
import { fixedScript } from '../../connection/fixed-script.ts';
import type { RunResult } from '../../connection/types.ts';
import { abool, astr } from './args.ts';
import { taskOpts, TILDE } from './task-opts.ts';
import { ansibleDelta, ansibleTimestamp, outputLines } from './ansible-format.ts';
import { expandArgv } from './expand.ts';

/** COMMAND_SHAPE holds the arguments command, shell and raw share. */
export const COMMAND_SHAPE = {
  cmd: astr,
  chdir: astr,
  creates: astr,
  removes: astr,
  stdin: astr,
  stdin_add_newline: abool,
  strip_empty_ends: abool,
};

/** CommandArgs is the common part of command/shell/raw arguments after validation. */
export interface CommandArgs {
  readonly cmd?: string;
  readonly argv?: string[];
  readonly chdir?: string;
  readonly creates?: string;
  readonly removes?: string;
  readonly stdin?: string;
  readonly stdin_add_newline?: boolean;
  readonly strip_empty_ends?: boolean;
  readonly executable?: string;
}

/** CommandCurrent is what a command's guards found: whether creates/removes patterns match. */
export interface CommandCurrent {
  readonly createsExists?: boolean;
  readonly removesExists?: boolean;
  /** chdir does not exist or cannot be entered */
  readonly chdirMissing?: boolean;
}

// Fixed script; the user's chdir and glob pattern arrive as $1 and $2, never inside the text.
// IFS is emptied so `$2` is glob-expanded but not split on spaces, as Python's glob.glob.
const GLOB_EXISTS = `p=$1; ${TILDE}; if [ -n "$p" ]; then cd -- "$p" 2>/dev/null || exit 2; fi; p=$2; ${TILDE}; IFS=; for f in $p; do if [ -e "$f" ] || [ -L "$f" ]; then exit 0; fi; done; exit 1`;

/** readCommandGuards checks the creates/removes globs (relative to chdir) in one round trip. */
export async function readCommandGuards(ctx: ModuleContext, args: CommandArgs): Promise<CommandCurrent> {
  const patterns = [args.creates, args.removes].filter((p): p is string => p !== undefined);
  if (patterns.length === 0) return {};
  const res = await ctx.conn.batch(
    patterns.map((p) => fixedScript(GLOB_EXISTS, 'sh', [args.chdir ?? '', p])),
    taskOpts(ctx),
  );
  if (res.some((r) => r.rc === 2)) return { chdirMissing: true };
  let i = 0;
  const out: { createsExists?: boolean; removesExists?: boolean } = {};
  if (args.creates !== undefined) out.createsExists = res[i++]?.rc === 0;
  if (args.removes !== undefined) out.removesExists = res[i++]?.rc === 0;
  return out;
}

/** planCommand decides from the guards whether the command runs; without guards the outcome is unknowable. */
export function planCommand(args: CommandArgs, current: CommandCurrent, shown: unknown): Plan {
  const text = args.argv ? args.argv.join(' ') : (args.cmd ?? '');
  if (current.chdirMissing) return { changes: [], failed: true, msg: `Unable to change directory before execution: ${args.chdir}` };
  if (args.creates !== undefined && current.createsExists) {
    return {
      changes: [],
      reason: `'${args.creates}' exists`,
      msg: `Did not run command since '${args.creates}' exists`,
      result: { cmd: shown, rc: 0, stdout: `skipped, since ${args.creates} exists`, stderr: '' },
    };
  }
  if (args.removes !== undefined && !current.removesExists) {
    return {
      changes: [],
      reason: `'${args.removes}' does not exist`,
      msg: `Did not run command since '${args.removes}' does not exist`,
      result: { cmd: shown, rc: 0, stdout: `skipped, since ${args.removes} does not exist`, stderr: '' },
    };
  }
  const guarded = args.creates !== undefined || args.removes !== undefined;
  return {
    changes: [{ property: 'command', before: null, after: text }],
    msg: 'Command would have run if not in check mode',
    ...(guarded ? {} : { unknowable: true }),
  };
}

/** commandResult turns a finished run into Ansible's command result (rc, stdout, stdout_lines, ...). */
export function commandResult(args: CommandArgs, r: RunResult, shown: unknown, start: Date, end: Date): ApplyResult {
  const strip = args.strip_empty_ends ?? true;
  const stdout = strip ? r.stdout.replace(/[\r\n]+$/, '') : r.stdout;
  const stderr = strip ? r.stderr.replace(/[\r\n]+$/, '') : r.stderr;
  const result = {
    cmd: shown,
    rc: r.rc,
    stdout,
    stderr,
    stdout_lines: outputLines(stdout),
    stderr_lines: outputLines(stderr),
    start: ansibleTimestamp(start),
    end: ansibleTimestamp(end),
    delta: ansibleDelta(end.getTime() - start.getTime()),
  };
  if (r.timedOut) return { changed: true, failed: true, msg: 'command timed out', result };
  if (r.rc !== 0) return { changed: true, failed: true, msg: 'non-zero return code', result };
  return { changed: true, msg: '', result };
}

/** stdinOf applies stdin_add_newline, which Ansible defaults to true. */
export function stdinOf(args: CommandArgs): string | undefined {
  if (args.stdin === undefined) return undefined;
  return (args.stdin_add_newline ?? true) ? `${args.stdin}\n` : args.stdin;
}

/** runCommand executes `exec` with the task's user, environment, chdir and stdin, and times it. */
export async function runCommand(ctx: ModuleContext, args: CommandArgs, shown: unknown, exec: (opts: Parameters<ModuleContext['conn']['run']>[1]) => Promise<RunResult>): Promise<ApplyResult> {
  const stdin = stdinOf(args);
  const chdir = args.chdir !== undefined ? (await expandArgv(ctx, [args.chdir]))[0] : undefined;
  const opts = {
    ...taskOpts(ctx),
    env: ctx.env,
    ...(chdir !== undefined ? { cwd: chdir } : {}),
    ...(stdin !== undefined ? { stdin } : {}),
  };
  const start = new Date();
  const r = await exec(opts);
  return commandResult(args, r, shown, start, new Date());
}

/** argvSchema is command's `argv`: a list of words passed without any shell. */
export const argvSchema = z.array(astr).min(1);
