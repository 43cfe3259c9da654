import type { RunOptions } from '../connection/types.ts';
import type { ModuleContext } from './types.ts';

/**
 * taskOpts gives the run options every command of a task uses: the task's (become) user and its
 * `environment`, so reads see the host as the task's own commands will (HOME for `~`, PATH...).
 */
export function taskOpts(ctx: ModuleContext): RunOptions {
  const env = Object.keys(ctx.env).length > 0 ? { env: ctx.env } : {};
  return ctx.becomeUser === undefined ? { become: ctx.become, ...env } : { become: ctx.become, becomeUser: ctx.becomeUser, ...env };
}

/** outputLines splits command output into lines as Ansible's `stdout_lines` does. */
export function outputLines(text: string): string[] {
  return text === '' ? [] : text.split(/\r?\n/);
}

/** ansibleTimestamp formats a date like Python's str(datetime): `2026-11-25 15:49:58.123456`. */
export function ansibleTimestamp(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** ansibleDelta formats a duration like Python's str(timedelta): `0:00:01.234000`. */
export function ansibleDelta(ms: number): string {
  const s = Math.floor(ms / 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}.${String(ms % 1000).padStart(3, '0')}000`;
}

/**
 * TILDE is a sh fragment that expands a leading `~` or `~/` in `$p` to the host user's home,
 * as Ansible does for path arguments (`~user` and `$VARS` in paths are not expanded by tsplay).
 */
export const TILDE = 'case $p in "~") p=$HOME;; "~/"*) p=$HOME/${p#"~/"};; esac';
