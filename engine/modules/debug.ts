import { z } from 'zod';
import type { ModuleDef, PlanContext } from './types.ts';
import { aint, moduleArgs } from './support/args.ts';
import { applyNothing, readNothing } from './support/controller-only.ts';
import { compileExpr, evalExpr } from '../template/index.ts';
import { TsplayError } from '../errors/index.ts';

const schema = moduleArgs({ msg: z.unknown(), var: z.string(), verbosity: aint }, { exclusive: [['msg', 'var']] });
type Args = z.output<typeof schema>;

/** UNDEFINED_TEXT is what Ansible's debug prints for `var:` naming an undefined variable. */
export const UNDEFINED_TEXT = 'VARIABLE IS NOT DEFINED!';

function evalVar(source: string, ctx: PlanContext): unknown {
  const pos = ctx.pos ?? { file: '<task>', line: 1, col: 1 };
  try {
    return evalExpr(compileExpr(source, pos), ctx.vars);
  } catch (e) {
    if (e instanceof TsplayError && e.code === 'E_UNDEFINED_VAR') return UNDEFINED_TEXT;
    throw e;
  }
}

/** debugModule shows a message or a variable's value; it runs on the controller and never changes a host. */
export const debugModule: ModuleDef<Args, null> = {
  name: 'debug',
  doc: 'Print a message (msg) or the value of a variable or expression (var), optionally only at -v levels.',
  example: '- name: Show the address\n  debug:\n    var: ansible_default_ipv4.address\n',
  schema,
  local: true,
  read: readNothing,
  plan(args, _current, ctx) {
    const needed = args.verbosity ?? 0;
    if (needed > (ctx.verbosity ?? 0)) {
      return { changes: [], skipped: true, reason: 'verbosity threshold not met' };
    }
    if (args.var !== undefined) {
      return { changes: [], reason: 'debug changes no host', result: { [args.var]: evalVar(args.var, ctx) } };
    }
    const msg = args.msg === undefined ? 'Hello world!' : args.msg;
    return {
      changes: [],
      reason: 'debug changes no host',
      ...(typeof msg === 'string' ? { msg } : {}),
      result: { msg },
    };
  },
  apply: applyNothing,
};
