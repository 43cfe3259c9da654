import PQueue from 'p-queue';
import type { PlaybookOptions } from './run-options.ts';
import { EXIT } from './exit-codes.ts';
import { openConnection, SshPool } from '../connection/index.ts';
import type { ConnectOptions, Connection } from '../connection/types.ts';
import type { Inventory, Vars } from '../inventory/types.ts';
import type { Playbook } from '../loader/types.ts';
import { TsplayError } from '../errors/index.ts';
import type { CommandTrace } from './command-trace.ts';
import { ConnectionPool } from './connections.ts';
import type { ExecEvent, HostStats } from './events.ts';
import { groupsOf, makeHostvars } from './host-vars.ts';
import type { HostState, RunCtx } from './run-context.ts';
import { runPlay } from './run-play.ts';
import { warmModules } from './warm-modules.ts';

/** ExecuteHooks lets tests and the bench swap how connections are opened. */
export interface ExecuteHooks {
  readonly open?: (host: string, vars: Vars) => Promise<Connection>;
  /** extra connection settings (a test's known_hosts file, short timeouts) for the default opener */
  readonly connect?: Partial<ConnectOptions>;
  /** receives every remote call of the run's tasks (no_log tasks left out), in order per host */
  readonly traceCommands?: CommandTrace;
  /** called with the pool size when the run ends (connections opened) */
  readonly onDone?: (info: { connections: number }) => void;
}

function defaultOpener(inventory: Inventory, opts: PlaybookOptions, extra: Partial<ConnectOptions>, emit: (e: ExecEvent) => void): (host: string, vars: Vars) => Promise<Connection> {
  // a pool of SSH transports per run: a jump host shared by its guests is still one connection,
  // and two runs in one process (tests, the bench) never share channels of one transport
  const sshPool = new SshPool();
  return (host, vars) =>
    openConnection(
      host,
      vars,
      {
        ...extra,
        ...(opts.user !== undefined ? { user: opts.user } : {}),
        ...(opts.privateKey !== undefined ? { privateKey: opts.privateKey } : {}),
        // -T is the run's default; a host's ansible_ssh_timeout still wins inside openConnection
        ...(opts.timeout !== undefined ? { connectTimeoutMs: opts.timeout * 1000 } : {}),
        hostKeyChecking: opts.hostKeyChecking,
        verbosity: opts.verbosity,
        ...(opts.verbosity >= 4 ? { log: (line: string): void => emit({ type: 'debug', host, message: line }) } : {}),
        // a weakened host-key setting must be visible without -vvvv
        warn: (line: string): void => emit({ type: 'warning', host, message: line }),
        resolveJump: (name: string): Vars | undefined => (inventory.hosts.has(name) ? inventory.hostVars(name) : undefined),
      },
      sshPool,
    );
}

/** exitCode maps the run's end state to ansible-playbook's exit codes (unreachable wins over failed). */
function exitCode(hosts: Iterable<HostState>, interrupted: boolean): number {
  if (interrupted) return EXIT.INTERRUPTED;
  let failed = false;
  for (const h of hosts) {
    if (h.unreachable) return EXIT.UNREACHABLE_OR_PARSE;
    if (h.failed) failed = true;
  }
  return failed ? EXIT.HOST_FAILED : EXIT.OK;
}

/**
 * execute runs playbooks against an inventory and returns ansible-playbook's exit code:
 * 0 ok, 2 a host failed, 4 a host was unreachable, 99 interrupted (the signal aborted:
 * no new task starts, running ones finish or time out, the recap is still emitted).
 * It never prints; everything it has to say goes through `emit`.
 */
export async function execute(playbooks: Playbook[], inventory: Inventory, opts: PlaybookOptions, emit: (e: ExecEvent) => void, signal?: AbortSignal, hooks: ExecuteHooks = {}): Promise<number> {
  const t0 = performance.now();
  const hosts = new Map<string, HostState>();
  const { groups, groupNames } = groupsOf(inventory);
  const pool = new ConnectionPool(hooks.open ?? defaultOpener(inventory, opts, hooks.connect ?? {}, emit));
  const run: RunCtx = {
    opts,
    inventory,
    emit,
    signal,
    // why forks bound host×task jobs, not hosts: a job is one task on one host, so at most
    // `forks` remote operations are in flight whichever strategy walks the tasks
    queue: new PQueue({ concurrency: Math.max(1, opts.forks) }),
    pool,
    hosts,
    extraVars: Object.assign({}, ...opts.extraVars) as Vars,
    startAtDone: opts.startAtTask === undefined,
    groups,
    groupNames,
    hostvars: makeHostvars(inventory, () => run),
    invLayers: new Map(),
    playbookDir: process.cwd(),
    trace: hooks.traceCommands,
  };
  try {
    warmModules(playbooks);
    outer: for (const pb of playbooks) {
      emit({ type: 'playbook-start', file: pb.file, check: opts.check });
      for (const play of pb.plays) {
        if (signal?.aborted) break outer;
        if ((await runPlay(run, pb, play)) === 'break') break outer;
      }
    }
    if (opts.startAtTask !== undefined && !run.startAtDone && !signal?.aborted) {
      emit({ type: 'warning', message: `--start-at-task: no task named "${opts.startAtTask}" was found` });
    }
  } catch (e) {
    // a bug or a play-level problem (vars_files): report it as a warning and end like Ansible's error exit
    emit({ type: 'warning', message: e instanceof TsplayError ? e.message : `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` });
    await pool.closeAll();
    hooks.onDone?.({ connections: pool.count });
    emitRecap(run, t0);
    return EXIT.ERROR;
  }
  const interrupted = signal?.aborted === true;
  if (interrupted) emit({ type: 'interrupted' });
  const connections = pool.count;
  await pool.closeAll();
  hooks.onDone?.({ connections });
  emitRecap(run, t0);
  return exitCode(hosts.values(), interrupted);
}

/**
 * emitRecap sends the PLAY RECAP counters of the hosts something was counted for: Ansible's
 * recap lists its AggregateStats' `processed` hosts, and a host enters those only when a counter
 * moves (a play without tasks for it, a skipped meta, an end_host before any task: no line).
 */
function emitRecap(run: RunCtx, t0: number): void {
  const stats: Record<string, HostStats> = {};
  for (const [name, h] of run.hosts) if (Object.values(h.stats).some((n) => n !== undefined && n > 0)) stats[name] = { ...h.stats };
  run.emit({ type: 'recap', stats, durationMs: Math.round(performance.now() - t0) });
}
