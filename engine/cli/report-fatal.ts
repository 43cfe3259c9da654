import { formatError, TsplayError, TsplayErrors } from '../errors/index.ts';
import { EXIT } from '../executor/exit-codes.ts';

/**
 * reportFatal prints an error that escaped a command and maps it to an exit code:
 * collected user mistakes → 4 (as ansible-playbook's parse errors), bad options → 5, bugs → 1.
 */
export function reportFatal(err: unknown): number {
  if (err instanceof TsplayErrors) {
    for (const e of err.errors) process.stderr.write(`${formatError(e)}\n`);
    process.stderr.write(`tsplay: ${err.errors.length} error(s), nothing was run\n`);
    return err.errors.every((e) => e.code === 'E_OPTION') ? EXIT.BAD_OPTIONS : EXIT.UNREACHABLE_OR_PARSE;
  }
  if (err instanceof TsplayError) {
    process.stderr.write(`${formatError(err)}\n`);
    return err.code === 'E_OPTION' ? EXIT.BAD_OPTIONS : EXIT.UNREACHABLE_OR_PARSE;
  }
  process.stderr.write(`tsplay: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.ERROR;
}
