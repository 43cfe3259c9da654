import type { Task } from '../loader/types.ts';
import type { TaskRef } from './events.ts';

const refs = new WeakMap<Task, TaskRef>();

/** taskRef is the (cached) event-facing name of a task, so reporters can key on one object. */
export function taskRef(task: Task, handler = false): TaskRef {
  let r = refs.get(task);
  if (!r) {
    r = {
      name: task.name ?? '',
      module: task.module,
      pos: task.pos,
      id: `${task.pos.file}:${task.pos.line}:${task.pos.col}`,
      ...(task.role ? { role: task.role.name } : {}),
      ...(handler ? { handler: true } : {}),
    };
    refs.set(task, r);
  }
  return r;
}

/** taskLabel is `role : name` (or the module when unnamed), as --start-at-task and messages use it. */
export function taskLabel(task: Task): string {
  const name = task.name || task.module;
  return task.role ? `${task.role.name} : ${name}` : name;
}
