import type { Expr, RoleRef, Task } from '../loader/types.ts';
import type { TemplateSite } from '../template/index.ts';
import type { PlaybookOptions } from './run-options.ts';
import type { TaskRef } from './events.ts';
import type { HostState, PlayCtx, Scope } from './run-context.ts';
import { taskLabel } from './task-ref.ts';
import { getModule } from '../modules/registry.ts';
import { selectByTags } from '../loader/tags.ts';

/** TaskSettings are a task's keywords merged with what its block/role/play passed down, resolved once per task. */
export interface TaskSettings {
  readonly label: string;
  readonly role: RoleRef | undefined;
  readonly check: boolean;
  readonly diff: boolean;
  /** diff mode, and the module is one whose Ansible counterpart returns a diff to show */
  readonly showDiff: boolean;
  readonly noLog: boolean;
  readonly become: boolean;
  readonly becomeUser: string | undefined;
  readonly ignoreErrors: boolean;
  readonly ignoreUnreachable: boolean;
  /** the delegate_to expression, templated per host when the task runs */
  readonly delegateTo: string | undefined;
  /** the block/include/role conditions first, then the task's own */
  readonly when: readonly Expr[];
}

/** Modes are the check and diff modes a task runs in: its own keyword, else the enclosing one, else the command line. */
export interface Modes {
  readonly check: boolean;
  readonly diff: boolean;
}

/** modesOf resolves check and diff mode for a task (or an include) in a scope; the one place they are decided. */
export function modesOf(node: { readonly checkMode?: boolean | undefined; readonly diff?: boolean | undefined } | undefined, scope: Scope, opts: PlaybookOptions): Modes {
  return { check: node?.checkMode ?? scope.checkMode ?? opts.check, diff: node?.diff ?? scope.diff ?? opts.diff };
}

/** taskSettings resolves every inherited keyword of a task once, before it runs on any host. */
export function taskSettings(task: Task, scope: Scope, opts: PlaybookOptions): TaskSettings {
  const modes = modesOf(task, scope, opts);
  return {
    label: taskLabel(task),
    // a role's task carries its role even where no block passed one down (roles: expanded inline)
    role: task.role ?? scope.role,
    ...modes,
    showDiff: modes.diff && getModule(task.module)?.noDiff !== true,
    noLog: (task.noLog ?? scope.noLog) === true,
    become: task.become ?? scope.become ?? opts.become,
    becomeUser: task.becomeUser ?? scope.becomeUser ?? opts.becomeUser,
    ignoreErrors: (task.ignoreErrors ?? scope.ignoreErrors) === true,
    ignoreUnreachable: (task.ignoreUnreachable ?? scope.ignoreUnreachable) === true,
    delegateTo: task.delegateTo ?? scope.delegateTo,
    when: [...scope.when, ...task.when],
  };
}

/** Delegate is where a delegated task runs: the delegate's inventory name and its ansible_host. */
export interface Delegate {
  readonly to: string;
  readonly host: string;
}

/** TaskCtx is one task on one host: everything the task runner's parts share. */
export interface TaskCtx {
  readonly pc: PlayCtx;
  readonly task: Task;
  readonly scope: Scope;
  readonly ref: TaskRef;
  readonly host: HostState;
  readonly settings: TaskSettings;
  readonly site: TemplateSite;
  readonly delegate: Delegate | undefined;
}

/** tagsSelected applies --tags/--skip-tags to a task with the tags its play and blocks pass down. */
export function tagsSelected(pc: PlayCtx, task: Task, scope: Scope): boolean {
  return selectByTags([...pc.play.tags, ...scope.tags, ...task.tags], pc.run.opts.tags, pc.run.opts.skipTags);
}
