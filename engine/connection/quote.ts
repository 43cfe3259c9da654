import { TsplayError } from '../errors/index.ts';
import { shQuote as pyShQuote } from '../py/quote.ts';
import type { Argv } from './types.ts';

/**
 * shQuote returns `word` as one POSIX sh word that expands to exactly `word` (Python's
 * shlex.quote, with `A=b` quoted too so that a first word is never an assignment). A NUL byte
 * cannot be in an argv word, so it is refused.
 */
export function shQuote(word: string): string {
  if (word.includes('\0')) {
    throw new TsplayError({ code: 'E_COMMAND', message: `a command word contains a NUL byte: ${JSON.stringify(word.slice(0, 40))}` });
  }
  return pyShQuote(word, { quoteEquals: true });
}

/** shJoin quotes every word of `argv` with shQuote and joins them with spaces. */
export function shJoin(argv: Argv): string {
  return argv.map(shQuote).join(' ');
}

/** ENV_NAME is the shape an environment variable name must have before it is put in a command. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** checkEnvName throws unless `name` may be used as an environment variable name in sh. */
export function checkEnvName(name: string): void {
  if (!ENV_NAME.test(name)) {
    throw new TsplayError({ code: 'E_COMMAND', message: `invalid environment variable name ${JSON.stringify(name)}` });
  }
}
