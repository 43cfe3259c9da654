// Test helper: runs a playbook text against an inventory text through the real loader,
// inventory, executor and plain reporter (local connections), and returns what happened.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { playbookOptions, type PlaybookOptions } from '../../../engine/executor/run-options.ts';
import type { ExecEvent, HostStats } from '../../../engine/executor/events.ts';
import { execute, type ExecuteHooks } from '../../../engine/executor/run-playbooks.ts';
import { loadInventory } from '../../../engine/inventory/index.ts';
import { loadPlaybooks } from '../../../engine/loader/index.ts';
import { createReporter } from '../../../engine/output/index.ts';

// temp dirs this helper made are removed when the test process ends (tests read them until then)
const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** RunOutcome is what a test run produced: exit code, events, recap counters and the plain text. */
export interface RunOutcome {
  code: number;
  events: ExecEvent[];
  stats: Record<string, HostStats>;
  text: string;
  dir: string;
}

/** baseOptions are ansible-playbook's defaults as tsplay's CLI would produce them. */
export function baseOptions(over: Partial<PlaybookOptions> = {}): PlaybookOptions {
  return playbookOptions(over);
}

/**
 * runPlaybook writes `files` (path → text) to a temp dir, and runs `hooks.playbook` (default
 * site.yml) against `hooks.inventories` (default [inventory.ini]; [] = implicit localhost only),
 * both relative to that dir, with the given options.
 */
export async function runPlaybook(
  files: Record<string, string>,
  over: Partial<PlaybookOptions> = {},
  hooks: ExecuteHooks & { signal?: AbortSignal; dir?: string; onEvent?: (e: ExecEvent) => void; playbook?: string; inventories?: readonly string[] } = {},
): Promise<RunOutcome> {
  let dir = hooks.dir;
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'tsplay-exec-'));
    made.push(dir);
  }
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text.replaceAll('@DIR@', dir));
  }
  const opts = baseOptions(over);
  const inventory = loadInventory(
    (hooks.inventories ?? ['inventory.ini']).map((i) => join(dir, i)),
    { baseDir: dir },
  );
  const extra = Object.assign({}, ...opts.extraVars);
  const playbooks = loadPlaybooks([join(dir, hooks.playbook ?? 'site.yml')], { extraVars: extra });
  const events: ExecEvent[] = [];
  const lines: string[] = [];
  const rep = createReporter('plain', { verbosity: opts.verbosity, diff: opts.diff, write: (l) => lines.push(l) });
  const code = await execute(
    playbooks,
    inventory,
    opts,
    (e) => {
      events.push(e);
      rep.onEvent(e);
      hooks.onEvent?.(e);
    },
    hooks.signal,
    hooks,
  );
  await rep.close();
  const recap = events.find((e) => e.type === 'recap');
  return { code, events, stats: recap && recap.type === 'recap' ? { ...recap.stats } : {}, text: `${lines.join('\n')}\n`, dir };
}
