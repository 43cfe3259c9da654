import type { PlayContext } from './load-context.ts';
import { expandRole } from './roles.ts';

/** PlayContextStart is what the caller knows when it starts reading a play; the rest starts empty. */
export type PlayContextStart = Pick<PlayContext, 'diags' | 'playbookDir' | 'staticVars' | 'fileStack' | 'warnings'>;

/** newPlayContext starts the context for reading one play, or one include loaded at run time. */
export function newPlayContext(start: PlayContextStart): PlayContext {
  return {
    ...start,
    roleStack: [],
    notifies: [],
    roleHandlers: [],
    roleUses: new Set(),
    handlerFiles: new Set(),
    roles: [],
    // import_role/include_role in a task list always run, so they are not deduplicated
    loadRole: (name, opts, ctx) => expandRole({ name, ...opts, dedupe: false }, ctx),
  };
}
