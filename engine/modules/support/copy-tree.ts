import { posix } from 'node:path';
import type { ApplyResult, Change, ModuleContext, Plan } from '../types.ts';
import type { Argv } from '../../connection/types.ts';
import { type FileState, effective, readFileStates, runAll } from './file-state.ts';
import { applyWrite, planWrite, type WriteArgs, type WritePayload } from './file-write.ts';
import type { LocalFile, LocalRef } from './local-files.ts';

/** TreeCurrent is a controller directory to copy and the host's state of every path it maps to. */
export interface TreeCurrent {
  /** the remote directory the tree's contents land in */
  readonly base: string;
  readonly dirs: readonly string[];
  readonly files: readonly (Omit<LocalFile, 'content'> & { readonly content: string | Buffer | LocalRef })[];
  /** FileStates of base, then each dir, then each file, in that order */
  readonly states: readonly FileState[];
}

/** TreePayload is what apply does for a tree: create directories, then write files. */
export interface TreePayload {
  readonly mkdirs: readonly string[];
  readonly writes: readonly WritePayload[];
}

/**
 * treeBase is where a copied directory lands: `src/` copies its contents into dest, `src`
 * copies the directory itself, as dest/basename(src) (Ansible's rsync-like rule).
 */
export function treeBase(src: string, dest: string): string {
  return src.endsWith('/') ? dest : posix.join(dest, posix.basename(src));
}

/** readTree reads the host's state of the base, every directory and every file in ONE call. */
export async function readTree(ctx: ModuleContext, base: string, tree: { dirs: readonly string[]; files: readonly LocalFile[] }): Promise<TreeCurrent> {
  const paths = [base, ...tree.dirs.map((d) => posix.join(base, d)), ...tree.files.map((f) => posix.join(base, f.rel))];
  const states = await readFileStates(ctx, paths, { checksum: true, content: ctx.diff ? 'diff' : false });
  return { base, dirs: tree.dirs, files: tree.files, states };
}

/**
 * planTree plans a directory copy: missing directories, then per file what planWrite says
 * (content by sha1, mode/owner/group), each change naming its path.
 */
export function planTree(args: WriteArgs, cur: TreeCurrent): Plan<TreePayload> {
  const changes: Change[] = [];
  const mkdirs: string[] = [];
  const writes: WritePayload[] = [];
  const dirStates = cur.states.slice(0, cur.dirs.length + 1);
  for (const st of dirStates) {
    if (!st.exists) {
      changes.push({ property: `${st.path} state`, before: 'absent', after: 'directory' });
      mkdirs.push(st.path);
    } else if (effective(st)?.type !== 'directory') {
      return { changes: [], failed: true, msg: `${st.path} exists and is not a directory` };
    }
  }
  cur.files.forEach((f, i) => {
    const st = cur.states[cur.dirs.length + 1 + i]!;
    const p = planWrite({ ...args, mode: args.mode === 'preserve' ? f.mode : args.mode }, f.content, st);
    if (p.failed) {
      changes.push({ property: `${st.path} error`, before: null, after: p.msg });
      return;
    }
    for (const c of p.changes) changes.push({ ...c, property: `${st.path} ${c.property}` });
    if (p.payload) writes.push(p.payload);
  });
  const failed = changes.find((c) => c.property.endsWith(' error'));
  if (failed) return { changes: [], failed: true, msg: String(failed.after) };
  const result = { dest: cur.base, files: cur.files.length, state: 'directory' };
  if (changes.length === 0) return { changes, reason: `${cur.base} and its ${cur.files.length} files are up to date`, result };
  return { changes, result, payload: { mkdirs, writes } };
}

/** applyTree creates the missing directories in one call, then writes each changed file. */
export async function applyTree(ctx: ModuleContext, plan: Plan<TreePayload>): Promise<ApplyResult> {
  const p = plan.payload;
  if (!p) return { changed: false };
  if (p.mkdirs.length > 0) await runAll(ctx, [['mkdir', '-p', '--', ...p.mkdirs] as Argv]);
  for (const w of p.writes) {
    const r = await applyWrite(ctx, { changes: [], payload: w });
    if (r.failed) return r;
  }
  return { changed: true };
}
