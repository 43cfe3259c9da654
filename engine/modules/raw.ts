import { planCommand } from './support/run-command.ts';
import { shellModule } from './shell.ts';

/**
 * rawModule sends its text to the host's shell as is; in tsplay every module already runs
 * without Python on the host, so raw differs from shell only by never taking ansible's
 * module wrapper into account (kept for playbooks that bootstrap hosts with it).
 */
export const rawModule: typeof shellModule = {
  ...shellModule,
  name: 'raw',
  doc: 'Run a command line through the remote shell, as is.',
  example: '- name: Python present?\n  raw: command -v python3\n  changed_when: false\n',
  // why not shell's plan: raw has no "no command given" check, an empty text goes to the shell
  plan(args, current) {
    return planCommand(args, current, args.cmd);
  },
};
