import { z } from 'zod';
import type { ModuleDef, PlanContext } from './types.ts';
import { abool, moduleArgs } from './support/args.ts';
import { applyNothing, readNothing } from './support/controller-only.ts';
import { evalCondition } from '../template/index.ts';

// `that` items are expression strings; a boolean arrives when the executor templated
// `that: "{{ x }}"` into a value already.
const item = z.union([z.string(), z.boolean()]);
const schema = moduleArgs(
  {
    that: z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v])),
    fail_msg: z.unknown(),
    success_msg: z.unknown(),
    quiet: abool,
  },
  { required: ['that'], aliases: { msg: 'fail_msg' } },
);
type Args = z.output<typeof schema>;

function holds(cond: string | boolean, ctx: PlanContext): boolean {
  if (typeof cond === 'boolean') return cond;
  return evalCondition([{ source: cond, pos: ctx.pos ?? { file: '<task>', line: 1, col: 1 } }], ctx.vars);
}

/**
 * assertModule evaluates each `that` expression with the engine's expression language
 * (engine/template evalCondition, the same one `when` uses) inside the pure plan: the
 * outcome depends only on variables, so nothing is left for the executor to interpret.
 */
export const assertModule: ModuleDef<Args, null> = {
  name: 'assert',
  doc: 'Fail unless every expression in `that` is true; fail_msg/success_msg set the message.',
  example: '- name: Check the bridge is up\n  assert:\n    that: ansible_default_ipv4.address is defined\n    fail_msg: no IPv4 address\n',
  schema,
  local: true,
  read: readNothing,
  plan(args, _current, ctx) {
    for (const cond of args.that) {
      if (!holds(cond, ctx)) {
        const msg = args.fail_msg === undefined ? 'Assertion failed' : String(args.fail_msg);
        return { changes: [], failed: true, msg, result: { assertion: cond, evaluated_to: false } };
      }
    }
    const msg = args.success_msg === undefined ? 'All assertions passed' : String(args.success_msg);
    return { changes: [], reason: 'all assertions passed', msg, result: args.quiet ? {} : { msg } };
  },
  apply: applyNothing,
};
