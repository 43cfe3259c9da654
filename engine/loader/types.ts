import type { SourcePos } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import type { Expr } from '../template/expr/ast.ts';

// The play model's conditions are template expressions; re-exported so the model reads from one import.
export type { Expr };

/** RoleRef ties a task to the role it came from, for `TASK [role : name]` and role vars. */
export interface RoleRef {
  readonly name: string;
  readonly path: string;
  readonly defaults: Vars;
  readonly vars: Vars;
  /** params given where the role is used (`roles: - role: x, foo: 1`) */
  readonly params: Vars;
}

/** TaskCommon holds keywords that tasks and blocks share. */
export interface TaskCommon {
  readonly pos: SourcePos;
  readonly name?: string;
  readonly when: readonly Expr[];
  readonly tags: readonly string[];
  readonly vars: Vars;
  readonly become?: boolean;
  readonly becomeUser?: string;
  readonly environment?: Record<string, unknown>;
  readonly ignoreErrors?: boolean;
  readonly ignoreUnreachable?: boolean;
  readonly delegateTo?: string;
  readonly runOnce?: boolean;
  readonly noLog?: boolean;
  readonly checkMode?: boolean;
  readonly diff?: boolean;
  readonly role?: RoleRef;
}

/** LoopSpec is a task's loop and loop_control. */
export interface LoopSpec {
  /** a list literal, or a template string that yields a list */
  readonly items: unknown;
  readonly loopVar: string;
  readonly indexVar?: string;
  readonly label?: string;
  readonly pos: SourcePos;
  /** where the loop's value starts (for a templated one), so a read in it can be located */
  readonly itemsPos?: SourcePos;
}

/** Task is one module call, arguments still untemplated. */
export interface Task extends TaskCommon {
  readonly kind: 'task';
  /** the module's canonical short name (`ansible.builtin.copy` becomes `copy`) */
  readonly module: string;
  /** the module name as written when it differs (an FQCN); Ansible shows this for unnamed tasks */
  readonly action?: string;
  readonly args: Record<string, unknown>;
  /** positions of each argument value, for errors found after templating */
  readonly argPos: Record<string, SourcePos>;
  readonly loop?: LoopSpec;
  readonly register?: string;
  readonly notify: readonly string[];
  /** for handlers: the topics they listen to */
  readonly listen: readonly string[];
  readonly changedWhen?: readonly Expr[];
  readonly failedWhen?: readonly Expr[];
  readonly until?: readonly Expr[];
  readonly retries?: IntKeyword;
  readonly delay?: IntKeyword;
}

/** IntKeyword is an integer keyword (retries, delay): a number, or a template Ansible renders when the task runs. */
export type IntKeyword = number | { readonly template: string; readonly pos: SourcePos };

/** Block is block/rescue/always. */
export interface Block extends TaskCommon {
  readonly kind: 'block';
  /**
   * the same role with the same parameters already appears earlier in the play (say, as a
   * dependency of two roles): Ansible lists it (--list-tasks) but runs it once per host, so the
   * executor skips this block
   */
  readonly roleDuplicate?: boolean;
  readonly block: readonly TaskNode[];
  readonly rescue: readonly TaskNode[];
  readonly always: readonly TaskNode[];
}

/**
 * IncludeTasks is a dynamic include (`include_tasks`, `include_role`): resolved per host at
 * run time, but its file is already loaded and checked so mistakes surface before any host.
 */
export interface Include extends TaskCommon {
  readonly kind: 'include';
  readonly what: 'include_tasks' | 'include_role';
  /** the key as written when it is an FQCN (ansible.builtin.include_role): unnamed, it names the task */
  readonly action?: string;
  /** the file or role name, possibly templated */
  readonly target: string;
  /** the tasks, when the target is static and was loaded ahead */
  readonly tasks?: readonly TaskNode[];
  readonly loop?: LoopSpec;
}

/** TaskNode is anything that may sit in a task list. */
export type TaskNode = Task | Block | Include;

/** Play is one play with roles already expanded into its task list. */
export interface Play {
  readonly pos: SourcePos;
  readonly name: string;
  readonly hosts: string;
  /** `hosts:` written as a YAML list (its items; `hosts` joins them with commas) */
  readonly hostList?: readonly string[];
  readonly vars: Vars;
  readonly varsFiles: readonly string[];
  readonly roles: readonly RoleRef[];
  readonly preTasks: readonly TaskNode[];
  /** role tasks (in role order) followed by the play's own tasks */
  readonly tasks: readonly TaskNode[];
  readonly postTasks: readonly TaskNode[];
  /** play handlers and role handlers, in definition order */
  readonly handlers: readonly Task[];
  readonly become?: boolean;
  readonly becomeUser?: string;
  readonly gatherFacts: boolean;
  readonly serial?: readonly (number | string)[];
  readonly strategy: 'linear' | 'free';
  readonly tags: readonly string[];
  readonly anyErrorsFatal: boolean;
  readonly maxFailPercentage?: number;
  readonly forceHandlers: boolean;
  /** variables of the play's static vars_files, merged in order (templated names are in varsFiles only) */
  readonly varsFilesVars?: Vars;
  /** `connection:` of the play (e.g. local); overrides the inventory's ansible_connection */
  readonly connection?: string;
  /** `remote_user:` of the play */
  readonly remoteUser?: string;
  /** `environment:` of the play, inherited by every task */
  readonly environment?: Record<string, unknown>;
}

/** Playbook is a file's plays with import_playbook already flattened. */
export interface Playbook {
  readonly file: string;
  readonly plays: readonly Play[];
  /** things Ansible warns about too (e.g. `{{ }}` around a `when:`), for the reporter to show */
  readonly warnings?: readonly string[];
  /** what the load-time variable check left for run time, and why (shown at -v) */
  readonly notes?: readonly string[];
}
