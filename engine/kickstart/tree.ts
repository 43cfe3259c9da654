import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { PxeFile } from './pxe.ts';

/** FileChange is what writing one file of the tree would do. */
export interface FileChange {
  readonly path: string;
  readonly status: 'create' | 'change' | 'ok';
  readonly before: string | undefined;
  readonly after: string;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** planTree compares the generated files with what DIR holds now; it reads, never writes. */
export function planTree(dir: string, files: readonly PxeFile[]): FileChange[] {
  return files.map((f) => {
    const before = readOrUndefined(join(dir, f.path));
    return { path: f.path, before, after: f.content, status: before === undefined ? 'create' : before === f.content ? 'ok' : 'change' };
  });
}

/**
 * writeTree writes the created and changed files, each through a temporary file in the same folder
 * and a rename, so a PXE client never fetches a half-written file. Unchanged files are not touched.
 */
export function writeTree(dir: string, changes: readonly FileChange[]): void {
  for (const c of changes) {
    if (c.status === 'ok') continue;
    const target = join(dir, c.path);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.tsplay-${process.pid}.tmp`;
    writeFileSync(tmp, c.after, { mode: 0o644 });
    renameSync(tmp, target);
  }
}

/** renderDiff is a unified diff of every file that would change (a new file diffs against nothing). */
export function renderDiff(changes: readonly FileChange[]): string {
  return changes
    .filter((c) => c.status !== 'ok')
    .map((c) => createTwoFilesPatch(c.before === undefined ? '/dev/null' : `a/${c.path}`, `b/${c.path}`, c.before ?? '', c.after, '', '', { context: 3 }))
    .join('');
}
