import { selectByTags } from './tags.ts';
import type { Play, TaskNode } from './types.ts';

/** ListingOptions picks the sections of ansible-playbook's --list-* output. */
export interface ListingOptions {
  readonly hosts: boolean;
  readonly tasks: boolean;
  readonly tags: boolean;
  readonly only: readonly string[];
  readonly skip: readonly string[];
  /** hosts a play's pattern selects (already narrowed by --limit) */
  readonly matchHosts: (pattern: string) => readonly string[];
}

interface Listed {
  readonly label: string;
  readonly tags: readonly string[];
}

/**
 * listedTasks walks a task list as ansible-playbook --list-tasks does: only the `block:` part of
 * blocks (not rescue/always), dynamic includes as one entry, tags inherited and filtered.
 */
function listedTasks(nodes: readonly TaskNode[], inherited: readonly string[], only: readonly string[], skip: readonly string[]): Listed[] {
  const out: Listed[] = [];
  for (const n of nodes) {
    const tags = [...new Set([...inherited, ...n.tags])];
    if (n.kind === 'block') {
      out.push(...listedTasks(n.block, tags, only, skip));
      continue;
    }
    if (!selectByTags(tags, only, skip)) continue;
    const action = n.action ?? (n.kind === 'task' ? n.module : n.what);
    const label = n.name !== undefined ? (n.role ? `${n.role.name} : ${n.name}` : n.name) : action;
    out.push({ label, tags });
  }
  return out;
}

const pyList = (items: readonly string[]): string => `[${items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;

/**
 * formatListing renders --list-hosts/--list-tasks/--list-tags for one playbook in the exact shape
 * ansible-playbook 2.14 prints (tab before TAGS, sorted task tags; host order is the inventory's,
 * where Ansible prints a Python set in arbitrary order).
 */
export function formatListing(file: string, plays: readonly Play[], opts: ListingOptions): string {
  let out = `\nplaybook: ${file}\n`;
  plays.forEach((play, idx) => {
    const playTags = [...new Set(play.tags)];
    let msg = `\n  play #${idx + 1} (${play.hosts}): ${play.name}\tTAGS: [${playTags.join(',')}]`;
    if (opts.hosts) {
      const hosts = opts.matchHosts(play.hosts);
      msg += `\n    pattern: ${pyList(play.hostList ?? (play.hosts === '' ? [] : [play.hosts]))}\n    hosts (${hosts.length}):`;
      for (const h of hosts) msg += `\n      ${h}`;
    }
    out += `${msg}\n`;
    if (opts.tasks || opts.tags) {
      let taskmsg = opts.tasks ? '    tasks:\n' : '';
      const allTags = new Set<string>();
      for (const list of [play.preTasks, play.tasks, play.postTasks]) {
        for (const t of listedTasks(list, playTags, opts.only, opts.skip)) {
          t.tags.forEach((x) => allTags.add(x));
          if (opts.tasks) taskmsg += `      ${t.label}\tTAGS: [${[...t.tags].sort().join(', ')}]\n`;
        }
      }
      if (opts.tags) taskmsg += `      TASK TAGS: [${[...new Set([...playTags, ...allTags])].sort().join(', ')}]\n`;
      out += taskmsg.endsWith('\n') ? taskmsg : `${taskmsg}\n`;
    }
  });
  return out;
}

/**
 * countListedTasks is how many tasks --list-tasks shows for a play under these tags: what the
 * terminal view counts a play's progress against (an include is one; the tasks it adds come on top).
 */
export function countListedTasks(play: Play, only: readonly string[], skip: readonly string[]): number {
  const playTags = [...new Set(play.tags)];
  return [play.preTasks, play.tasks, play.postTasks].reduce((n, list) => n + listedTasks(list, playTags, only, skip).length, 0);
}
