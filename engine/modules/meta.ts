import { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { moduleArgs } from './support/args.ts';
import { applyNothing, readNothing } from './support/controller-only.ts';

/** META_ACTIONS are the meta actions of ansible-core 2.14; the executor carries them out. */
export const META_ACTIONS = ['clear_facts', 'clear_host_errors', 'end_host', 'end_play', 'end_batch', 'flush_handlers', 'noop', 'refresh_inventory', 'reset_connection'] as const;

/** MetaAction is one of META_ACTIONS. */
export type MetaAction = (typeof META_ACTIONS)[number];

const schema = moduleArgs({ free_form: z.enum(META_ACTIONS) }, { required: ['free_form'] });
type Args = z.output<typeof schema>;

/**
 * metaModule validates a meta action and hands it to the executor as `result.meta_action`;
 * why the module does not act itself: every meta action changes the run, not the host.
 */
export const metaModule: ModuleDef<Args, null> = {
  name: 'meta',
  route: 'meta',
  doc: 'Executor actions: flush_handlers, noop, end_play, end_host, end_batch, clear_facts, clear_host_errors, refresh_inventory, reset_connection.',
  schema,
  freeForm: 'free_form',
  local: true,
  read: readNothing,
  plan(args) {
    return { changes: [], reason: `meta: ${args.free_form}`, result: { meta_action: args.free_form } };
  },
  apply: applyNothing,
};
