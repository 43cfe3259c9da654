import { TsplayError } from '../../errors/index.ts';

/** run is the `tsplay lab` subcommand. PLACEHOLDER until its issue lands. */
export async function run(argv: string[]): Promise<number> {
  void argv;
  throw new TsplayError({ code: 'E_INTERNAL', message: 'tsplay lab is not implemented yet' });
}
