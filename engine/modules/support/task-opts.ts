import type { RunOptions } from '../../connection/types.ts';
import type { ModuleContext } from '../types.ts';

/**
 * taskOpts gives the run options every command of a task uses: the task's (become) user and its
 * `environment`, so reads see the host as the task's own commands will (HOME for `~`, PATH...).
 */
export function taskOpts(ctx: ModuleContext): RunOptions {
  const env = Object.keys(ctx.env).length > 0 ? { env: ctx.env } : {};
  return ctx.becomeUser === undefined ? { become: ctx.become, ...env } : { become: ctx.become, becomeUser: ctx.becomeUser, ...env };
}

/**
 * TILDE is a sh fragment that expands a leading `~` or `~/` in `$p` to the host user's home,
 * as Ansible does for path arguments (`~user` and `$VARS` in paths are not expanded by tsplay).
 */
export const TILDE = 'case $p in "~") p=$HOME;; "~/"*) p=$HOME/${p#"~/"};; esac';
