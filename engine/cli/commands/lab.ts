import { runLab } from '../../lab/main.ts';

/** run is the `tsplay lab up|down|status` subcommand; it shares its code with `npm run lab`. */
export async function run(argv: string[]): Promise<number> {
  return runLab(argv);
}
