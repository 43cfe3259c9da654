import type { HostStats, HostStatus } from './events.ts';

/** emptyStats is a host's PLAY RECAP counters before anything ran. */
export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}

/**
 * countResult adds one task result to a host's counters the way Ansible's strategy does:
 * a changed result is also ok; an ignored failure counts ok + ignored (+ changed if it changed);
 * a rescued failure counts only rescued; an ignored unreachable counts as skipped.
 */
export function countResult(s: HostStats, status: HostStatus, changed: boolean, ignoredUnreachable = false): void {
  switch (status) {
    case 'ok':
      s.ok++;
      return;
    case 'changed':
      s.ok++;
      s.changed++;
      return;
    case 'skipped':
      s.skipped++;
      return;
    case 'failed':
      s.failed++;
      return;
    case 'rescued':
      s.rescued++;
      return;
    case 'ignored':
      s.ok++;
      s.ignored++;
      if (changed) s.changed++;
      return;
    case 'unreachable':
      if (ignoredUnreachable) s.skipped++;
      else s.unreachable++;
      return;
  }
}
