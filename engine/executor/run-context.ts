import type PQueue from 'p-queue';
import type { PlaybookOptions } from './run-options.ts';
import type { Inventory, Vars } from '../inventory/types.ts';
import type { VarLayer } from '../inventory/precedence.ts';
import type { Expr, Play, RoleRef } from '../loader/types.ts';
import type { CommandTrace } from './command-trace.ts';
import type { ConnectionPool } from './connections.ts';
import type { ExecEvent, HostStats, TaskRef } from './events.ts';
import type { HandlerBook } from './handlers.ts';
import type { IncludeLink } from './include-chain.ts';

/** HostState is what the run remembers about one host across plays. */
export interface HostState {
  readonly name: string;
  readonly stats: HostStats;
  /** failed (not rescued, not ignored): Ansible drops the host from the rest of the run */
  failed: boolean;
  unreachable: boolean;
  /** `meta: end_host` or end_play: no more tasks for this host in this play */
  ended: boolean;
  /** gathered facts (ansible_* names) and cacheable set_facts */
  facts: Vars;
  /** set_fact and register results (one precedence level in Ansible) */
  dynVars: Vars;
  /** variables loaded by include_vars (their own level, just below set_fact; kept for the run) */
  includeVars: Vars;
  /** the failure a rescue section sees as ansible_failed_task / ansible_failed_result */
  lastFailure?: { task: TaskRef; result: Record<string, unknown> };
}

/** RunCtx is the state of one `execute` call, shared by every play. */
export interface RunCtx {
  readonly opts: PlaybookOptions;
  readonly inventory: Inventory;
  readonly emit: (e: ExecEvent) => void;
  readonly signal: AbortSignal | undefined;
  readonly queue: PQueue;
  readonly pool: ConnectionPool;
  readonly hosts: Map<string, HostState>;
  readonly extraVars: Vars;
  /** --start-at-task: false until the named task was reached */
  startAtDone: boolean;
  /** group name → hosts, and host → group_names, computed once from the inventory */
  readonly groups: Record<string, string[]>;
  readonly groupNames: Map<string, string[]>;
  readonly hostvars: Vars;
  /** inventory layers per host and playbook dir: they cannot change during a run, and building them reads group_vars/ */
  readonly invLayers: Map<string, readonly VarLayer[]>;
  /**
   * the directory of the playbook whose play runs now: its group_vars/ and host_vars/ apply
   * (Ansible's loader basedir, which `hostvars` also reads)
   */
  playbookDir: string;
  /** set only when the run's remote calls are traced (TSPLAY_TRACE_COMMANDS; the bench's floor replays them) */
  readonly trace?: CommandTrace | undefined;
}

/** PlayCtx is the state of one play (one serial batch at a time). */
export interface PlayCtx {
  readonly run: RunCtx;
  readonly play: Play;
  readonly playbookDir: string;
  readonly varsFilesVars: Vars;
  /** every host the play selected (ansible_play_hosts_all) */
  readonly allHosts: readonly string[];
  /** the current serial batch */
  batch: readonly string[];
  readonly handlers: HandlerBook;
  /** tasks whose banner was emitted already (the free strategy announces a task once) */
  readonly announced: Set<object>;
  /** set by any_errors_fatal, max_fail_percentage and meta end_play */
  stop: boolean;
  /** any_errors_fatal / max_fail_percentage: no later play runs either */
  breakRun: boolean;
  /** the strategy is `free`: each host walks the task list on its own */
  readonly free: boolean;
  /** what every task of the play inherits (play-level become etc.) */
  readonly baseScope: Scope;
}

/** Scope is what blocks, roles and includes pass down to the tasks inside them. */
export interface Scope {
  readonly when: readonly Expr[];
  readonly tags: readonly string[];
  readonly vars: Vars;
  /** include_tasks/include_role params and an include's loop variable */
  readonly includeParams: Vars;
  /** per-host additions to includeParams (an include's loop item, a rescue's ansible_failed_*) */
  readonly hostParams?: ReadonlyMap<string, Vars> | undefined;
  /** the dynamic includes these hosts are inside, outermost first (a recursion must end) */
  readonly includeChain?: readonly IncludeLink[] | undefined;
  readonly become?: boolean | undefined;
  readonly becomeUser?: string | undefined;
  readonly environment: Record<string, unknown>;
  readonly ignoreErrors?: boolean | undefined;
  readonly ignoreUnreachable?: boolean | undefined;
  readonly delegateTo?: string | undefined;
  readonly runOnce?: boolean | undefined;
  readonly noLog?: boolean | undefined;
  readonly checkMode?: boolean | undefined;
  readonly diff?: boolean | undefined;
  readonly role?: RoleRef | undefined;
  /** an enclosing block has a rescue section: a failure here counts as rescued */
  readonly rescuable: boolean;
  readonly handler: boolean;
}

/** hostActive tells whether a host still gets tasks in this play. */
export function hostActive(h: HostState): boolean {
  return !h.failed && !h.unreachable && !h.ended;
}
