import { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { astr, moduleArgs } from './args.ts';
import { COMMAND_SHAPE, planCommand, readCommandGuards, runCommand, type CommandCurrent } from './run-command.ts';

const schema = moduleArgs({ ...COMMAND_SHAPE, executable: astr }, { required: ['cmd'] });
type Args = z.output<typeof schema>;

/**
 * rawModule sends its text to the host's shell as is; in tsplay every module already runs
 * without Python on the host, so raw differs from shell only by never taking ansible's
 * module wrapper into account (kept for playbooks that bootstrap hosts with it).
 */
export const rawModule: ModuleDef<Args, CommandCurrent> = {
  name: 'raw',
  doc: 'Run a command line through the remote shell, as is.',
  schema,
  freeForm: 'cmd',
  read: readCommandGuards,
  plan(args, current) {
    return planCommand(args, current, args.cmd);
  },
  async apply(ctx, args) {
    return runCommand(ctx, args, args.cmd, (opts) =>
      args.executable !== undefined ? ctx.conn.run([args.executable, '-c', args.cmd], opts) : ctx.conn.shell(args.cmd, opts),
    );
  },
};
