import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { GeneratedTree } from './generate.ts';
import { INDEX_FILE, indexContent, readIndex, sha256, type IndexEntry } from './index-file.ts';

/** FileChange is what writing the tree would do to one file (`delete`: a file tsplay wrote that is no longer wanted). */
export interface FileChange {
  readonly path: string;
  readonly status: 'create' | 'change' | 'ok' | 'delete';
  readonly before: string | undefined;
  readonly after: string | undefined;
}

/** TreePlan is every change to DIR, what was left alone and why, and how many files tsplay does not own. */
export interface TreePlan {
  readonly changes: FileChange[];
  /** one line per stale file kept (edited since tsplay wrote it, or no checksum to prove it was not) */
  readonly kept: string[];
  /** files under DIR that index.json does not record: never read, written or removed */
  readonly foreign: number;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function listFiles(dir: string, under = dir): string[] {
  if (!existsSync(under)) return [];
  return readdirSync(under, { withFileTypes: true }).flatMap((e) => {
    const p = join(under, e.name);
    return e.isDirectory() ? listFiles(dir, p) : e.isFile() ? [relative(dir, p)] : [];
  });
}

/**
 * planTree compares the generated tree with what DIR holds and what its index.json says tsplay
 * wrote; it reads, never writes. A recorded file that is no longer wanted (a guest removed, a boot
 * MAC changed) is deleted when its content still has the recorded sha256, and kept with a note when
 * it was edited. With -l, the guests not selected keep their index entries and files as they are.
 */
export function planTree(dir: string, tree: GeneratedTree): TreePlan {
  const old = readIndex(dir);
  const kept: string[] = [];
  const selected = new Set(tree.hosts);
  const hosts: Record<string, IndexEntry> = {};
  const owned: Record<string, string> = {};
  const carried = (h: string): void => {
    const entry = old.hosts[h];
    if (!entry) return;
    hosts[h] = entry;
    for (const p of entry.files) if (old.owned[p] !== undefined) owned[p] = old.owned[p];
  };
  const fresh = new Map(tree.guests.map((g) => [g.host, g]));
  for (const h of tree.known) {
    const g = fresh.get(h);
    if (g) hosts[h] = g.index;
    else if (!selected.has(h)) carried(h);
  }
  // a limit narrows what is written: a guest gone from the inventory is only cleaned up by a run without -l
  if (tree.limited) for (const h of Object.keys(old.hosts)) if (!(h in hosts)) carried(h);
  const written = [...tree.guests.flatMap((g) => g.files), ...tree.shared];
  for (const f of written) owned[f.path] = sha256(f.content);

  const deletions: FileChange[] = [];
  for (const [path, hash] of Object.entries(old.owned)) {
    if (path in owned || path === INDEX_FILE) continue;
    const now = readOrUndefined(join(dir, path));
    if (now === undefined) continue;
    if (sha256(now) === hash) deletions.push({ path, status: 'delete', before: now, after: undefined });
    else {
      owned[path] = hash;
      kept.push(`${path}: no longer generated, but edited since tsplay wrote it; left in place (remove it yourself)`);
    }
  }
  if (old.problem) {
    const stale = Object.values(old.hosts)
      .flatMap((e) => (Array.isArray(e.files) ? e.files : []))
      .filter((p) => !(p in owned) && existsSync(join(dir, p)));
    for (const p of stale) kept.push(`${p}: no longer generated, but ${old.problem}; left in place (remove it yourself)`);
  }
  const index = { path: INDEX_FILE, content: indexContent(hosts, owned) };
  const changes = [...written, index].map((f): FileChange => {
    const before = readOrUndefined(join(dir, f.path));
    return { path: f.path, before, after: f.content, status: before === undefined ? 'create' : before === f.content ? 'ok' : 'change' };
  });
  // index.json goes last, so an interrupted run leaves an index that still records every file it may have left
  changes.splice(changes.length - 1, 0, ...deletions);
  const foreign = listFiles(dir).filter((p) => !(p in owned) && p !== INDEX_FILE && !deletions.some((d) => d.path === p)).length;
  return { changes, kept, foreign };
}

/**
 * writeTree applies the plan: created and changed files through a temporary file in the same folder
 * and a rename, so a PXE client never fetches a half-written file; deletions unlink the file (the
 * folders stay). Unchanged files are not touched.
 */
export function writeTree(dir: string, changes: readonly FileChange[]): void {
  for (const c of changes) {
    if (c.status === 'ok') continue;
    const target = join(dir, c.path);
    if (c.status === 'delete') {
      unlinkSync(target);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.tsplay-${process.pid}.tmp`;
    writeFileSync(tmp, c.after ?? '', { mode: 0o644 });
    renameSync(tmp, target);
  }
}

/** renderDiff is a unified diff of every file that would change (a new file diffs against nothing, a removed one to nothing). */
export function renderDiff(changes: readonly FileChange[]): string {
  return changes
    .filter((c) => c.status !== 'ok')
    .map((c) => createTwoFilesPatch(c.before === undefined ? '/dev/null' : `a/${c.path}`, c.after === undefined ? '/dev/null' : `b/${c.path}`, c.before ?? '', c.after ?? '', '', '', { context: 3 }))
    .join('');
}
