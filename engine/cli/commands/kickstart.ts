import { TsplayError } from '../../errors/index.ts';

/** run is the `tsplay kickstart` subcommand. PLACEHOLDER until its issue lands. */
export async function run(argv: string[]): Promise<number> {
  void argv;
  throw new TsplayError({ code: 'E_INTERNAL', message: 'tsplay kickstart is not implemented yet' });
}
