import type { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { astr, moduleArgs } from './support/args.ts';
import { COMMAND_SHAPE, planCommand, readCommandGuards, runCommand, type CommandCurrent } from './support/run-command.ts';

const schema = moduleArgs({ ...COMMAND_SHAPE, executable: astr }, { required: ['cmd'] });
type Args = z.output<typeof schema>;

/**
 * shellModule runs its text through /bin/sh (or `executable`); the text is the user's script
 * by definition, so it is passed as one word and never combined with other data.
 */
export const shellModule: ModuleDef<Args, CommandCurrent> = {
  name: 'shell',
  doc: 'Run a script through the shell (pipes, redirections, variables); creates/removes make it idempotent.',
  example: '- name: Count running guests\n  shell: virsh list --name | grep -c .\n  register: running\n  changed_when: false\n',
  schema,
  freeForm: 'cmd',
  noDiff: true,
  read: readCommandGuards,
  plan(args, current) {
    if (args.cmd.trim() === '') return { changes: [], failed: true, msg: 'no command given', result: { rc: 256 } };
    return planCommand(args, current, args.cmd);
  },
  async apply(ctx, args) {
    return runCommand(ctx, args, args.cmd, (opts) => (args.executable !== undefined ? ctx.conn.run([args.executable, '-c', args.cmd], opts) : ctx.conn.shell(args.cmd, opts)));
  },
};
