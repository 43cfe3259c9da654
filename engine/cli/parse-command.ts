import { type Command, CommanderError } from 'commander';
import { TsplayError } from '../errors/index.ts';

/** collect is a commander option reducer that keeps every value of a repeatable flag, in order. */
export function collect(value: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), value];
}

/**
 * parseCommand parses argv with a declared command and returns 'exit-ok' after --help or --version.
 * Why the override: commander would print and call process.exit itself; tsplay reports a bad flag
 * as a TsplayError E_OPTION (exit code 5) carrying commander's own wording.
 */
export function parseCommand(cmd: Command, argv: string[]): 'exit-ok' | undefined {
  let failure: string | undefined;
  cmd.exitOverride();
  cmd.configureOutput({
    writeErr: (s) => {
      failure = s.trim().replace(/^error: /, '');
    },
  });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 'exit-ok';
      throw new TsplayError({ code: 'E_OPTION', message: failure ?? e.message.replace(/^error: /, '') });
    }
    throw e;
  }
  return undefined;
}
