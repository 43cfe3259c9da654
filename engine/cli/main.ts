import { config } from 'zod';
import { watchStdout } from '../output/stdout-closed.ts';

// dist/main.js turns on the parsed-YAML cache of the bundle's runs (engine/files/yaml-cache.ts)
export { saveYamlCache, useYamlCache } from '../files/yaml-cache.ts';

/** SUBCOMMANDS maps a first word to the module that runs it; anything else is a playbook run. */
const SUBCOMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  adhoc: () => import('./commands/adhoc.ts'),
  doc: () => import('./commands/doc.ts'),
  inventory: () => import('./commands/inventory.ts'),
  kickstart: () => import('./commands/kickstart.ts'),
  lab: () => import('./commands/lab.ts'),
};

/** main runs the CLI and returns the process exit code; it never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  // Why: zod compiles each object schema into a function (new Function) on its first parse; a
  // run parses most schemas once or a few times, where that costs more than it saves (measured:
  // 0.92x the CPU of a --syntax-check of site.yml). Same results either way.
  config({ jitless: true });
  watchStdout();
  const first = argv[0];
  const sub = first !== undefined ? SUBCOMMANDS[first] : undefined;
  try {
    if (sub) return await (await sub()).run(argv.slice(1));
    // ansible's ad-hoc spelling `tsplay PATTERN -i INV -m MODULE -a ARGS` (also `tsplay adhoc ...`)
    const adhoc = await import('./commands/adhoc.ts');
    if (adhoc.isAdhoc(argv)) return await adhoc.run(argv);
    return await (await import('./commands/playbook.ts')).run(argv);
  } catch (err) {
    const { reportFatal } = await import('./report-fatal.ts');
    return reportFatal(err);
  }
}
