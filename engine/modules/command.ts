import type { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { moduleArgs } from './support/args.ts';
import { shlexSplit } from '../py/shlex.ts';
import { expandArgv } from './support/expand.ts';
import { argvSchema, COMMAND_SHAPE, planCommand, readCommandGuards, runCommand, type CommandCurrent } from './support/run-command.ts';

const schema = moduleArgs({ ...COMMAND_SHAPE, argv: argvSchema }, { oneOf: [['cmd', 'argv']], exclusive: [['cmd', 'argv']] });
type Args = z.output<typeof schema>;

function argvOf(args: Args): string[] {
  return args.argv ?? shlexSplit(args.cmd ?? '');
}

/**
 * commandModule runs a program without a shell: the free-form text is split like Python's
 * shlex (so `$VAR`, `|`, `;` are plain words), or `argv` is given as a list.
 */
export const commandModule: ModuleDef<Args, CommandCurrent> = {
  name: 'command',
  doc: 'Run a program with arguments, no shell; creates/removes make it idempotent.',
  example: '- name: List the guests\n  command: virsh list --all\n  register: guests\n  changed_when: false\n',
  schema,
  freeForm: 'cmd',
  noDiff: true,
  read: readCommandGuards,
  plan(args, current) {
    let argv: string[];
    try {
      argv = argvOf(args);
    } catch (e) {
      return { changes: [], failed: true, msg: `cannot split command: ${(e as Error).message}` };
    }
    if (argv.length === 0) return { changes: [], failed: true, msg: 'no command given', result: { rc: 256 } };
    return planCommand(args, current, argv);
  },
  async apply(ctx, args) {
    const argv = argvOf(args);
    // Ansible's run_command expands $VARS and ~ in every word with the host's environment;
    // the result's `cmd` shows the words as written, as Ansible's does.
    const run = await expandArgv(ctx, argv);
    return runCommand(ctx, args, argv, (opts) => ctx.conn.run(run, opts));
  },
};
