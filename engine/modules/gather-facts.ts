import type { Vars } from '../inventory/types.ts';
import { gatherFacts } from '../facts/index.ts';
import type { ModuleDef } from './types.ts';
import { moduleArgs } from './support/args.ts';
import { applyNothing } from './support/controller-only.ts';

const schema = moduleArgs({});
type Args = Record<string, never>;

/**
 * gatherFactsModule reads the host's facts in one round trip; its plan returns them as
 * `result.ansible_facts`, which the executor stores as the host's facts (route `facts`).
 */
export const gatherFactsModule: ModuleDef<Args, Vars> = {
  name: 'gather_facts',
  aliases: ['setup'],
  doc: 'Gather the host facts (ansible_* variables) that plays use; what `gather_facts: true` runs.',
  schema: schema as ModuleDef<Args, Vars>['schema'],
  route: 'facts',
  read: (ctx) => gatherFacts(ctx.conn),
  plan(_args, current) {
    return { changes: [], reason: 'gathering facts changes nothing', result: { ansible_facts: current } };
  },
  apply: applyNothing,
};
