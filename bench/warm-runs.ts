// Per-task controller cost once everything is loaded and compiled: runs site.yml K times in one
// process on already-running bench hosts (bench/hosts-up.ts) through the same execute() and JSON
// reporter as the CLI, and prints each run's play time; run under `node --cpu-prof` to see where
// a warm task's time goes.
//
//   node bench/warm-runs.ts HOSTS_JSON [K] [PROFILE_OUT]   (PROFILE_OUT: a CPU profile of runs 3..K)
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { playbookOptions } from '../engine/executor/run-options.ts';
import { execute } from '../engine/executor/run-playbooks.ts';
import { loadInventory } from '../engine/inventory/index.ts';
import { loadPlaybooks } from '../engine/loader/index.ts';
import { JsonReporter } from '../engine/output/json-reporter.ts';

const up = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as { inventory: string; home: string };
const k = Number(process.argv[3] ?? '5');
process.env['HOME'] = up.home;
const root = new URL('..', import.meta.url).pathname;
const playbook = join(root, 'bench/playbook/site.yml');
let bytes = 0;
const reporter = new JsonReporter((line) => {
  bytes += line.length;
});
const profileOut = process.argv[4];
const session = new Session();
for (let i = 0; i < k; i++) {
  if (profileOut && i === 2) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
  }
  const inv = loadInventory([up.inventory], { baseDir: join(root, 'bench/playbook') });
  const pbs = loadPlaybooks([playbook], {});
  const t0 = performance.now();
  const code = await execute(pbs, inv, playbookOptions({ playbooks: [playbook], inventories: [up.inventory], forks: 1, output: 'json' }), (e) => reporter.onEvent(e));
  process.stdout.write(`run ${i + 1}: exit ${code}, play ${(performance.now() - t0).toFixed(1)} ms\n`);
}
if (profileOut) writeFileSync(profileOut, JSON.stringify((await session.post('Profiler.stop')).profile));
process.stdout.write(`${bytes} bytes of events\n`);
