import { dirname, resolve } from 'node:path';
import { Diagnostics, TsplayError, TsplayErrors } from '../errors/index.ts';
import { shortPath } from '../files/paths.ts';
import type { Vars } from '../inventory/types.ts';
import { loadPlaybookFile, type PlaybookContext } from './plays.ts';
import type { Include, Playbook, Task, TaskNode } from './types.ts';
import { newPlayContext } from './play-context.ts';
import { expandRole } from './roles.ts';
import { findTasksFile, loadTasksFile } from './tasks.ts';
import { checkPlaybooks, type CheckOptions } from './check-vars/index.ts';

export type * from './types.ts';
export { selectByTags, effectiveTags } from './tags.ts';

/**
 * loadIncludedTasks loads the target of an include_tasks/include_role that was only known per
 * host (a templated name), with the same checks as at load time; it throws TsplayErrors.
 * Handlers of a role included this way are returned for the executor to add to the play.
 */
export function loadIncludedTasks(node: Include, target: string, playbookDir: string): { tasks: TaskNode[]; handlers: Task[]; file?: string } {
  const diags = new Diagnostics();
  const ctx = newPlayContext({ diags, playbookDir, staticVars: {}, fileStack: [], warnings: [] });
  let tasks: TaskNode[] = [];
  let file: string | undefined;
  if (node.what === 'include_tasks') {
    const opts = { file: node.pos.file, dir: dirname(node.pos.file), role: node.role, handlers: false };
    file = findTasksFile(target, opts);
    tasks = loadTasksFile(file, node.pos, opts, ctx, node.name) ?? [];
  } else {
    tasks = expandRole({ name: target, pos: node.pos, params: {}, includedFrom: node.role, dedupe: false }, ctx)?.tasks ?? [];
  }
  diags.throwIfAny();
  return { tasks, handlers: ctx.roleHandlers, ...(file !== undefined ? { file } : {}) };
}

/**
 * LoadOptions are the extra vars, and, to check variables and files against (check-vars/), the
 * inventory and the run's task selection; without an inventory that check is skipped.
 */
export type LoadOptions = { extraVars?: Vars } & Partial<Omit<CheckOptions, 'extraVars'>>;

/**
 * loadPlaybooks reads and checks playbooks with everything they pull in (imports, roles, task
 * files); it throws TsplayErrors with ALL problems found, so nothing runs on half-checked input.
 */
export function loadPlaybooks(files: readonly string[], opts: LoadOptions = {}): Playbook[] {
  const diags = new Diagnostics();
  let out: Playbook[] = [];
  for (const file of files) {
    const pctx: PlaybookContext = { diags, extraVars: opts.extraVars ?? {}, fileStack: [], warnings: [] };
    const plays = loadPlaybookFile(resolve(file), pctx);
    out.push(pctx.warnings.length ? { file, plays, warnings: pctx.warnings } : { file, plays });
  }
  // on a model with errors in it the check would guess (a register that failed to parse is missing)
  if (diags.ok && opts.inventory) {
    const notes = checkPlaybooks(out, { ...opts, inventory: opts.inventory, extraVars: opts.extraVars ?? {} }, diags);
    out = out.map((pb) => (notes.has(pb) ? { ...pb, notes: notes.get(pb)! } : pb));
  }
  if (!diags.ok) {
    // positions are absolute inside the loader; users read them relative to where they stand
    throw new TsplayErrors(
      diags.items.map((e) => (e.pos ? new TsplayError({ code: e.code, message: e.message, hint: e.hint, task: e.task, host: e.host, pos: { ...e.pos, file: shortPath(e.pos.file) } }) : e)),
    );
  }
  return out;
}
