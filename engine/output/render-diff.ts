import { structuredPatch } from 'diff';
import type { Change } from '../modules/types.ts';
import { changeLine } from './change-line.ts';
import { pyJson } from '../py/json.ts';

function range(start: number, lines: number): string {
  // difflib's _format_range_unified: a one-line range is just its start, an empty one is "start,0"
  // (jsdiff counts an empty range's start one higher than difflib does)
  if (lines === 1) return String(start);
  if (lines === 0) return `${Math.max(0, start - 1)},0`;
  return `${start},${lines}`;
}

/**
 * unifiedDiff renders before/after text as Ansible shows it (difflib style headers
 * `--- before: PATH` / `+++ after: PATH`); empty when both are equal.
 */
export function unifiedDiff(before: string, after: string, beforeName: string, afterName: string): string[] {
  if (before === after) return [];
  const patch = structuredPatch(beforeName, afterName, before, after, undefined, undefined, { context: 3 });
  const out = [`--- ${beforeName}`, `+++ ${afterName}`];
  for (const h of patch.hunks) {
    out.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`);
    out.push(...h.lines);
  }
  return out;
}

/**
 * renderChanges turns a task's changes into diff lines: a headline per classed change (what
 * changes and how disruptive it is, see changeLine), then a unified diff for each file content
 * change, and one before/after JSON diff (as Ansible's file-attribute diffs look) for the rest.
 */
export function renderChanges(changes: readonly Change[]): string[] {
  const out: string[] = changes.map(changeLine).filter((l): l is string => l !== undefined);
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  let props = 0;
  for (const c of changes) {
    if (c.diff) {
      // Ansible names no path on the before side when the file did not exist yet (empty before)
      const beforeName = c.diff.before === '' ? 'before' : `before: ${c.diff.path}`;
      out.push(...unifiedDiff(c.diff.before, c.diff.after, beforeName, `after: ${c.diff.path}`));
    } else {
      before[c.property] = c.before ?? null;
      after[c.property] = c.after ?? null;
      props++;
    }
  }
  if (props > 0) {
    out.push(...unifiedDiff(`${pyJson(before, { sortKeys: true, indent: 4 })}\n`, `${pyJson(after, { sortKeys: true, indent: 4 })}\n`, 'before', 'after'));
  }
  if (out.length > 0) out.push('');
  return out;
}
