// `npm run lab -- up|down|status` (and `tsplay lab ...`, which calls runLab).
import { watchStdout } from '../output/stdout-closed.ts';
import { formatError, TsplayError } from '../errors/index.ts';
import { labDown } from './lab-down.ts';
import { formatStatus, labStatus } from './lab-status.ts';
import { labUp } from './lab-up.ts';
import { LAB_CACHE_DIR, LAB_STATE_DIR } from './paths.ts';

const USAGE = 'usage: tsplay lab up|down|status';

/** runLab runs one lab subcommand and returns the process exit code. */
export async function runLab(argv: readonly string[]): Promise<number> {
  const log = (m: string): void => {
    process.stderr.write(`lab: ${m}\n`);
  };
  const cmd = argv[0];
  try {
    if (cmd === 'up') {
      const r = await labUp(log);
      process.stdout.write(`lab up in ${r.seconds.toFixed(0)} s (image ${r.image.built ? 'built' : 'cached'}: ${r.image.dir}); next: npx tsplay site.yml -i inventories/lab\n`);
      process.stdout.write(formatStatus(await labStatus()));
      return 0;
    }
    if (cmd === 'down') {
      await labDown(log);
      process.stdout.write('lab down\n');
      return 0;
    }
    if (cmd === 'status') {
      const rows = await labStatus();
      process.stdout.write(formatStatus(rows));
      process.stdout.write(`state: ${LAB_STATE_DIR}  image cache: ${LAB_CACHE_DIR}\n`);
      return rows.some((r) => r.state !== 'down') ? 0 : 3;
    }
    process.stderr.write(`${USAGE}\n`);
    return 2;
  } catch (e) {
    if (e instanceof TsplayError) process.stderr.write(`${formatError(e)}\n`);
    else process.stderr.write(`lab ${cmd}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

// Why .then and not a top-level await: the bundle (build/bundle.js) is CommonJS, which has none.
if (import.meta.url === `file://${process.argv[1]}`) {
  // `npm run lab -- status | head -1` must not die of EPIPE (the tsplay CLI does the same)
  watchStdout();
  void runLab(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
