import type { Playbook, TaskNode } from '../loader/types.ts';
import { getModule } from '../modules/registry.ts';

function* tasksOf(nodes: readonly TaskNode[]): Generator<TaskNode & { kind: 'task' }> {
  for (const n of nodes) {
    if (n.kind === 'task') yield n;
    else if (n.kind === 'block') yield* tasksOf([...n.block, ...n.rescue, ...n.always]);
    else if (n.tasks) yield* tasksOf(n.tasks);
  }
}

/**
 * warmModules lets every module the playbooks use (statically: dynamic includes as loaded
 * ahead) start what its first use would wait for, while the run connects to its hosts.
 */
export function warmModules(playbooks: readonly Playbook[]): void {
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      for (const t of tasksOf([...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers])) getModule(t.module)?.warm?.(t.args);
    }
  }
}
