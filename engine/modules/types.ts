import type { z } from 'zod';
import type { Connection, Writer } from '../connection/types.ts';
import type { Vars } from '../inventory/types.ts';
import type { SourcePos } from '../errors/index.ts';

/** Change is one property that differs, with what it was, what it will be, and how. */
export interface Change {
  readonly property: string;
  readonly before: unknown;
  readonly after: unknown;
  /** for file content: a unified diff is rendered from these */
  readonly diff?: { readonly path: string; readonly before: string; readonly after: string };
  /**
   * how disruptive carrying it out is: `live` (now, nothing restarts), `config` (for the next
   * start), `restart` (the guest must restart), `net-restart` (the libvirt network restarts)
   */
  readonly class?: 'live' | 'config' | 'restart' | 'net-restart';
  /**
   * for a `config` change: no running copy of the object keeps the old config (it is new, shut
   * off, or stopped or restarted by this very task), so nothing is left *pending restart*
   */
  readonly idle?: true;
}

/**
 * Plan is the pure outcome of comparing desired with current state. An empty `changes`
 * means converged and `reason` says why nothing has to change. Check mode stops here.
 */
export interface Plan<P = unknown> {
  readonly changes: readonly Change[];
  readonly reason?: string;
  /** module-private data that `apply` needs (e.g. the content to write) */
  readonly payload?: P;
  /** values returned in the task result whether or not anything changes (stat, slurp, facts) */
  readonly result?: Vars;
  /**
   * Modules that cannot know the outcome without acting (command, shell) set this: in check
   * mode the task is then reported as skipped, as Ansible does.
   */
  readonly unknowable?: boolean;
  /**
   * The plan alone decides that the task fails (assert, fail, a missing file for lineinfile
   * without create): the executor reports failed with `msg` and never calls apply.
   */
  readonly failed?: boolean;
  /** message for the task result (Ansible's `msg`), e.g. debug's text or a failure's reason */
  readonly msg?: string;
  /** the task is reported as skipped (debug below its verbosity); apply is never called */
  readonly skipped?: boolean;
}

/** ApplyResult is what `apply` reports after carrying out a plan. */
export interface ApplyResult {
  readonly changed: boolean;
  readonly failed?: boolean;
  readonly msg?: string;
  readonly result?: Vars;
}

/** ModuleContext is what read and apply may touch: the host's connection and task settings. */
export interface ModuleContext {
  readonly host: string;
  readonly conn: Connection;
  readonly become: boolean;
  readonly becomeUser?: string;
  readonly env: Readonly<Record<string, string>>;
  /** host vars after templating, for modules like set_fact/debug that need them */
  readonly vars: Vars;
  /** directories searched for `src` and templates: role files/templates first, then playbook dir */
  readonly searchPaths: {
    readonly files: readonly string[];
    readonly templates: readonly string[];
    /** where include_vars looks for a relative file: role vars/ first, then the playbook's */
    readonly vars?: readonly string[];
    /** the directory of the task's role, if any (include_vars resolves `dir:` inside it) */
    readonly role?: string;
  };
  /** renders a Handlebars template file/text with the host's variables */
  readonly render: (text: string, origin: string) => string;
  /** for the executor's bookkeeping; modules never branch on it (check mode = no apply) */
  readonly check: boolean;
  readonly diff: boolean;
  /** the run's -v count, for debug's `verbosity` */
  readonly verbosity?: number;
  /** the task's name and position, for modules that report errors in expressions (assert) */
  readonly task?: string;
  readonly pos?: SourcePos;
  /** set by the driver for modules with `writeKeys`: names this task's writes across its retries (PutOptions.writer) */
  readonly writer?: Writer;
  /**
   * reconnect drops the task's connection to its host and opens a new one, to `address` instead
   * of ansible_host when given; later tasks on the host use it too. For a module whose own change
   * can cut or move the connection (nm_team's checkpoint-guarded apply). Absent for local modules.
   */
  readonly reconnect?: (address?: string) => Promise<Connection>;
}

/**
 * PlanContext is what the pure `plan` may look at: no connection, nothing that does I/O.
 * `check` is there for the executor's convenience only: no plan branches on it (the generic
 * plan test proves every module plans the same with check on and off).
 */
export type PlanContext = Pick<ModuleContext, 'host' | 'vars' | 'check' | 'diff' | 'task' | 'pos' | 'verbosity'>;

/**
 * ModuleRoute tells the executor what a module's result means beyond the task itself, so the
 * executor never names modules: `facts` stores `result.ansible_facts` as gathered host facts,
 * `include_vars` at the include_vars precedence level, `set_fact` at the set_fact level (and as
 * host facts when `_ansible_facts_cacheable`), and `meta` is an action the walker carries out.
 */
export type ModuleRoute = 'facts' | 'include_vars' | 'set_fact' | 'meta';

/**
 * ModuleDef is a module: argument schema (checked at load time, before any host),
 * `read` of current state, pure `plan`, and `apply` which may only carry out the plan.
 *
 * How the executor drives it (the whole contract, so no module needs an `if (check)`):
 * 1. `args = schema.parse(templatedArgs)`; 2. `current = await read(ctx, args)`;
 * 3. `plan = plan(args, current, ctx)`; `plan.skipped`: skipped; `plan.failed`: failed with `plan.msg`;
 * 4. if `plan.changes` is empty and not `unknowable`: ok, result `plan.result`, apply is NOT called;
 * 5. in check mode stop here: `unknowable` means skipped, otherwise changed = changes.length > 0;
 * 6. else `apply(ctx, args, plan)`; the task result is `{...plan.result, ...applyResult.result}`,
 *    with `changed`/`failed`/`msg` from the ApplyResult and `diff` from `plan.changes`.
 * `result.ansible_facts` is stored by the executor at the level `route` names (dynamic vars by default);
 * a `meta` module is never driven: the walker carries out its action.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds modules of every argument, state and payload type; each module's own file is typed
export interface ModuleDef<A = any, C = any, P = any> {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** one-line description for --help and the README */
  readonly doc: string;
  /** a task using the module, as YAML (`tsplay doc` and the README show it) */
  readonly example?: string;
  /** the change classes its plans can carry (absent: unclassed changes only, as Ansible's modules) */
  readonly classes?: readonly NonNullable<Change['class']>[];
  readonly schema: z.ZodType<A>;
  /** for `k=v` free-form modules (command, shell, raw): the arg that takes the free text */
  readonly freeForm?: string;
  /**
   * Ansible's module returns no `diff` (command, shell, raw): --diff shows nothing for its tasks;
   * the planned change (the command line) still reaches --output json
   */
  readonly noDiff?: true;
  /** modules that never touch the host (debug, set_fact, assert, fail, meta) run on the controller */
  readonly local?: boolean;
  /** how the executor treats the result (facts, variables, a meta action); none for ordinary modules */
  readonly route?: ModuleRoute;
  /**
   * the paths on the host this module may replace (copy/template `dest`, lineinfile `path`...):
   * the driver runs read → plan → apply of one path on one connection one at a time, and
   * re-reads and re-plans when a write finds the file changed since it was read (E_WRITE_CONFLICT)
   */
  writeKeys?(args: A): readonly string[];
  /**
   * called once per task before the run connects, with the task's raw (untemplated) args: starts,
   * off the main thread, what the module's first use would otherwise wait for (the regex worker)
   */
  warm?(rawArgs: Readonly<Record<string, unknown>>): void;
  /**
   * true when `read` only looks (no effect on the host or the controller): a loop may then send
   * its later items' reads early, each used only if nothing was applied since (executor/read-ahead.ts)
   */
  readonly readAhead?: boolean;
  /** true when `read` renders the task's vars (template's src): its read is then sent early only within one call's vars (a loop's items), never for the next task, whose vars may change before it runs */
  readonly readRendersVars?: boolean;
  read(ctx: ModuleContext, args: A): Promise<C>;
  plan(args: A, current: C, ctx: PlanContext): Plan<P>;
  apply(ctx: ModuleContext, args: A, plan: Plan<P>): Promise<ApplyResult>;
}
