import { dirname, resolve } from 'node:path';
import type { PlaybookOptions } from '../../executor/run-options.ts';
import { TsplayError, TsplayErrors } from '../../errors/index.ts';
import type { Inventory, Vars } from '../../inventory/types.ts';
import type { Playbook } from '../../loader/types.ts';
import { EXIT } from '../../executor/exit-codes.ts';
import { stdoutClosed } from '../../output/stdout-closed.ts';

const collect = (err: unknown, into: TsplayError[]): void => {
  if (err instanceof TsplayErrors) into.push(...err.errors);
  else if (err instanceof TsplayError) into.push(err);
  else throw err;
};

/** AdhocRun is an ad-hoc run: its one-task playbook, built in memory under `file`, and its host pattern. */
export interface AdhocRun {
  readonly file: string;
  readonly text: string;
  readonly pattern: string;
}

/** Loaded is what a run works on once every check at load time has passed. */
interface Loaded {
  readonly inventory: Inventory;
  readonly playbooks: Playbook[];
}

/**
 * runPlaybooks loads inventory and playbooks (all errors collected first), then either lists,
 * syntax-checks, or runs them through the executor with the chosen reporter.
 */
export async function runPlaybooks(opts: PlaybookOptions, adhoc?: AdhocRun): Promise<number> {
  const loaded = await loadChecked(opts, adhoc);
  const { playbooks } = loaded;
  for (const pb of playbooks) for (const w of pb.warnings ?? []) process.stderr.write(`[WARNING]: ${w}\n`);
  if (opts.verbosity >= 1) for (const pb of playbooks) for (const n of pb.notes ?? []) process.stderr.write(`[NOTE]: ${n}\n`);
  const listed = await listOnly(opts, loaded);
  if (listed !== undefined) return listed;
  if (adhoc) {
    const none = adhocWithoutTargets(opts, loaded.inventory, adhoc);
    if (none !== undefined) return none;
  }
  return execRun(opts, loaded, adhoc);
}

/** loadChecked loads the inventory and playbooks and makes every load-time check, throwing all the errors found together. */
async function loadChecked(opts: PlaybookOptions, adhoc: AdhocRun | undefined): Promise<Loaded> {
  const errors: TsplayError[] = [];
  const extraVars = Object.assign({}, ...opts.extraVars) as Vars;
  const baseDir = dirname(resolve(opts.playbooks[0] ?? '.'));
  let inventory: Inventory | undefined;
  let playbooks: Playbook[] = [];
  try {
    const { loadInventory } = await import('../../inventory/index.ts');
    inventory = loadInventory(opts.inventories, { baseDir });
  } catch (e) {
    collect(e, errors);
  }
  if (inventory) {
    // a mistake in the guest data is reported with the others, before any host is contacted
    const { checkGuestData } = await import('../../loader/guest-data/index.ts');
    errors.push(...checkGuestData(inventory));
  }
  try {
    const { loadPlaybooks } = await import('../../loader/index.ts');
    // with the inventory and the task selection, undefined variables and missing src files are load-time errors
    const sel = { tags: opts.tags, skipTags: opts.skipTags, ...(opts.limit !== undefined ? { limit: opts.limit } : {}), ...(opts.startAtTask !== undefined ? { startAtTask: opts.startAtTask } : {}) };
    const load = (): Playbook[] => loadPlaybooks(opts.playbooks, { extraVars, ...(inventory ? { inventory } : {}), ...sel });
    if (adhoc) {
      const { withVirtualFile } = await import('../../files/yaml-file.ts');
      playbooks = withVirtualFile(adhoc.file, adhoc.text, load);
    } else playbooks = load();
  } catch (e) {
    collect(e, errors);
  }
  // a bad --limit (`~[`, an empty pattern) is refused before anything connects, not when the first play starts
  if (opts.limit !== undefined && inventory) {
    try {
      inventory.match(opts.limit);
    } catch (e) {
      if (!(e instanceof TsplayError)) throw e;
      errors.push(new TsplayError({ ...e, code: e.code, message: `--limit: ${e.message}` }));
    }
  }
  if (opts.junit !== undefined) {
    const { checkWritableFile } = await import('../../files/write-check.ts');
    try {
      checkWritableFile(opts.junit, '--junit');
    } catch (e) {
      collect(e, errors);
    }
  }
  if (opts.startAtTask !== undefined && errors.length === 0) {
    const want = opts.startAtTask;
    const { hasStartTask } = await import('../../loader/start-at.ts');
    const found = playbooks.some((pb) => pb.plays.some((p) => [p.preTasks, p.tasks, p.postTasks].some((l) => hasStartTask(l, want))));
    if (!found)
      errors.push(
        new TsplayError({
          code: 'E_START_AT_TASK',
          message: `--start-at-task: no task named "${want}"`,
          hint: 'give a task name (or an fnmatch pattern like "Install*"), or "role : task name" for a role task',
        }),
      );
  }
  if (errors.length > 0) throw new TsplayErrors(errors);
  return { inventory: inventory!, playbooks };
}

/** listOnly answers --syntax-check and --list-*: the exit code when one was asked, else undefined. */
async function listOnly(opts: PlaybookOptions, { inventory, playbooks }: Loaded): Promise<number | undefined> {
  if (opts.syntaxCheck) {
    for (const pb of playbooks) process.stdout.write(`\nplaybook: ${pb.file}\n`);
    return EXIT.OK;
  }
  if (opts.listHosts || opts.listTasks || opts.listTags) {
    const { formatListing } = await import('../../loader/listing.ts');
    const inv = inventory;
    const limited = opts.limit !== undefined ? new Set(inv.match(opts.limit)) : undefined;
    const matchHosts = (pattern: string): string[] => inv.match(pattern).filter((h) => !limited || limited.has(h));
    for (const pb of playbooks) {
      process.stdout.write(formatListing(pb.file, pb.plays, { hosts: opts.listHosts, tasks: opts.listTasks, tags: opts.listTags, only: opts.tags, skip: opts.skipTags, matchHosts }));
    }
    return EXIT.OK;
  }
  return undefined;
}

/**
 * adhocWithoutTargets is ansible's answer when an ad-hoc run selects no host (a pattern matching
 * none warns and exits 0, a --limit leaving none of its hosts is an error, exit 1), else undefined.
 */
function adhocWithoutTargets(opts: PlaybookOptions, inventory: Inventory, adhoc: AdhocRun): number | undefined {
  const matched = inventory.match(adhoc.pattern);
  const limited = opts.limit !== undefined ? new Set(inventory.match(opts.limit)) : undefined;
  if (matched.length === 0) {
    process.stderr.write(`[WARNING]: Could not match supplied host pattern, ignoring: ${adhoc.pattern}\n[WARNING]: No hosts matched, nothing to do\n`);
    return EXIT.OK;
  }
  if (limited && !matched.some((h) => limited.has(h))) {
    process.stderr.write('ERROR! Specified inventory, host pattern and/or --limit leaves us with no hosts to target.\n');
    return EXIT.ERROR;
  }
  return undefined;
}

/** execRun asks for the become password if wanted, then runs the playbooks with the reporter, signals and stdout watched. */
async function execRun(opts: PlaybookOptions, { inventory, playbooks }: Loaded, adhoc: AdhocRun | undefined): Promise<number> {
  // Asked only for a real run, as ansible-playbook does; the answer goes to the connections alone.
  let becomePassword: string | undefined;
  if (opts.askBecomePass) {
    const { readBecomePassword } = await import('./become-pass.ts');
    try {
      becomePassword = await readBecomePassword();
    } catch (e) {
      if (e instanceof TsplayError && e.code === 'E_INTERRUPTED') return EXIT.INTERRUPTED;
      throw e;
    }
  }

  // The executor and reporters are loaded only for a real run: --syntax-check and --list-* stay fast.
  const [{ execute }, { createReporter }, { commandTraceFromEnv }] = await Promise.all([
    import('../../executor/run-playbooks.ts'),
    import('../../output/index.ts'),
    import('../command-trace-file.ts'),
  ]);
  const reporter = createReporter(opts.output, {
    verbosity: opts.verbosity,
    diff: opts.diff,
    profile: opts.profile === true,
    adhoc: adhoc !== undefined,
    ...(opts.junit ? { junit: opts.junit } : {}),
  });
  const trace = commandTraceFromEnv();
  const abort = new AbortController();
  // first signal: no new task starts, running ones finish, the recap is printed; a second one
  // ends the process at once (a command stuck on a host should not hold the terminal hostage)
  const onSignal = (sig: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      process.stderr.write(`tsplay: ${sig} again: interrupted at once, running tasks are abandoned\n`);
      process.exit(EXIT.INTERRUPTED);
    }
    process.stderr.write(`tsplay: ${sig}: interrupted, no new task starts; waiting for running ones (send it again to stop at once)\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // stdout's reader went away (`| head`): stop as on a first signal, quietly
  const onStdoutClosed = (): void => abort.abort();
  stdoutClosed.signal.addEventListener('abort', onStdoutClosed, { once: true });
  try {
    const hooks = becomePassword !== undefined ? { connect: { becomePassword } } : {};
    const code = await execute(playbooks, inventory, opts, (e) => reporter.onEvent(e), abort.signal, { ...hooks, ...(trace ? { traceCommands: trace.trace } : {}) });
    return abort.signal.aborted ? EXIT.INTERRUPTED : code;
  } finally {
    trace?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    stdoutClosed.signal.removeEventListener('abort', onStdoutClosed);
    await reporter.close();
  }
}
