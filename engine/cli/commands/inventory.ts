import { TsplayError } from '../../errors/index.ts';

/** run is the `tsplay inventory` subcommand. PLACEHOLDER until its issue lands. */
export async function run(argv: string[]): Promise<number> {
  void argv;
  throw new TsplayError({ code: 'E_INTERNAL', message: 'tsplay inventory is not implemented yet' });
}
