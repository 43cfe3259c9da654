import type { Diagnostics, SourcePos } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import type { RoleRef, Task, TaskNode } from './types.ts';

/** NotifyRef is one `notify:` entry, checked against the play's handlers once the play is loaded. */
export interface NotifyRef {
  readonly name: string;
  readonly pos: SourcePos;
  readonly task?: string | undefined;
}

/** RoleLoader expands import_role/include_role for the task parser; the context carries it so tasks.ts need not import roles.ts (which imports tasks.ts). */
export type RoleLoader = (
  name: string,
  opts: {
    tasksFrom?: string | undefined;
    handlersFrom?: string | undefined;
    varsFrom?: string | undefined;
    defaultsFrom?: string | undefined;
    params: Vars;
    pos: SourcePos;
    includedFrom?: RoleRef | undefined;
  },
  ctx: PlayContext,
) => { ref: RoleRef; tasks: TaskNode[] } | undefined;

/** PlayContext is what the loader keeps while it reads one play. */
export interface PlayContext {
  readonly diags: Diagnostics;
  /** directory of the playbook that holds the play: roles/ is searched beside it */
  readonly playbookDir: string;
  /** extra vars and play vars: enough to resolve a templated import name */
  readonly staticVars: Vars;
  /** files being imported right now, outermost first, to detect include cycles */
  readonly fileStack: string[];
  /** roles being expanded right now (meta dependencies), to detect cycles */
  readonly roleStack: string[];
  readonly notifies: NotifyRef[];
  /** handlers of every role the play uses, in the order the roles were loaded */
  readonly roleHandlers: Task[];
  /** role uses already placed in the play (name + params), as Ansible runs a role once per play */
  readonly roleUses: Set<string>;
  readonly warnings: string[];
  /** role handler files already added to the play, so a role used twice adds its handlers once */
  readonly handlerFiles: Set<string>;
  /** every role placed in the play so far (dependencies before their dependants) */
  readonly roles: RoleRef[];
  /** expands a role named in a task list (import_role/include_role) */
  readonly loadRole: RoleLoader;
}

/** ListOptions says where a task list comes from. */
export interface ListOptions {
  /** the file holding the list */
  readonly file: string;
  /** directory relative file names (import_tasks) resolve against */
  readonly dir: string;
  readonly role?: RoleRef | undefined;
  readonly handlers: boolean;
}
