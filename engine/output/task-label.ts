import type { TaskRef } from '../executor/events.ts';

// TaskRef.module is the loader's canonical short name (`ansible.builtin.debug` is `debug`), so
// the checks below need no FQCN spellings.

/** taskLabel is how Ansible names a task in banners and retries: `role : name`, or the module when unnamed. */
export function taskLabel(task: TaskRef): string {
  const name = task.name || task.module;
  return task.role ? `${task.role} : ${name}` : name;
}

/** isDebug tells whether a task is Ansible's debug, whose shown result is cleaned down to msg or the var. */
export function isDebug(task: TaskRef): boolean {
  return task.module === 'debug';
}

/** isVerboseAlways tells which modules Ansible always shows the result of (their action sets _ansible_verbose_always). */
export function isVerboseAlways(task: TaskRef): boolean {
  return isDebug(task) || task.module === 'assert';
}
