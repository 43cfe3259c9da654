import { fnmatchRegExp } from '../py/fnmatch.ts';
import type { TaskNode } from './types.ts';

/**
 * startsAt tells whether --start-at-task names this task as ansible-playbook 2.14 decides it:
 * the task name or `role : name`, equal or matching as an fnmatch pattern.
 */
export function startsAt(task: { readonly name?: string | undefined; readonly role?: { readonly name: string } | undefined }, want: string): boolean {
  if (task.name === undefined) return false;
  const full = task.role ? `${task.role.name} : ${task.name}` : task.name;
  if (task.name === want || full === want) return true;
  const re = fnmatchRegExp(want);
  return re.test(task.name) || re.test(full);
}

/** hasStartTask tells whether any task in a list (blocks and preloaded includes too) matches --start-at-task. */
export function hasStartTask(nodes: readonly TaskNode[], want: string): boolean {
  return nodes.some((n) => {
    if (n.kind === 'block') return hasStartTask(n.block, want) || hasStartTask(n.rescue, want) || hasStartTask(n.always, want);
    if (n.kind === 'include') return n.tasks !== undefined && hasStartTask(n.tasks, want);
    return startsAt(n, want);
  });
}
