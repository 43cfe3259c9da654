import { z } from 'zod';
import { basename, posix } from 'node:path';
import type { ModuleDef, ModuleContext, Plan } from './types.ts';
import { abool, amode, aowner, astr, avalidate, moduleArgs } from './support/args.ts';
import { type FileState, effective, readFileStates } from './support/file-state.ts';
import { applyWrite, planWrite, type RemoteSource, type WriteArgs, type WritePayload } from './support/file-write.ts';
import { type LocalRef, readLocal } from './support/local-files.ts';
import { modeString } from './support/file-mode.ts';
import { applyTree, planTree, readTree, treeBase, type TreeCurrent, type TreePayload } from './support/copy-tree.ts';
import { jsonStringify } from '../py/json.ts';

/** WRITE_SHAPE holds the arguments copy and template share. */
export const WRITE_SHAPE = {
  dest: astr,
  mode: amode,
  owner: aowner,
  group: aowner,
  backup: abool,
  force: abool,
  validate: avalidate,
};

const schema = moduleArgs(
  { ...WRITE_SHAPE, src: astr, content: z.unknown(), remote_src: abool },
  {
    required: ['dest'],
    oneOf: [['src', 'content']],
    exclusive: [
      ['src', 'content'],
      ['remote_src', 'content'],
    ],
    aliases: { thirsty: 'force' },
  },
);
type Args = z.output<typeof schema>;

/** DestCurrent is the state of the destination and of `dest/basename(src)` when dest is a directory. */
export interface DestCurrent {
  /** the desired content; a string in plan test data, a LocalRef for a large controller file */
  readonly source?: { readonly content: string | Buffer | LocalRef; readonly mode?: number };
  readonly srcError?: string;
  readonly dest: FileState;
  /** dest/basename(src), read in the same round trip in case dest is a directory */
  readonly inner?: FileState;
  /** src is a controller directory: its tree and the host's state of each path */
  readonly tree?: TreeCurrent;
  /** remote_src: the source file's state on the host (checksum, and content for --diff) */
  readonly remote?: FileState;
}

/**
 * readDest reads dest and, when a src file name is known, dest/basename(src) in ONE batch,
 * so copying into an existing directory costs no second round trip.
 */
export async function readDest(ctx: ModuleContext, dest: string, srcName: string | undefined): Promise<Pick<DestCurrent, 'dest' | 'inner'>> {
  const want = { checksum: true, content: ctx.diff ? ('diff' as const) : false };
  const inDir = srcName !== undefined ? posix.join(dest, srcName) : undefined;
  const states = await readFileStates(ctx, inDir !== undefined ? [dest, inDir] : [dest], want);
  return states[1] !== undefined ? { dest: states[0]!, inner: states[1] } : { dest: states[0]! };
}

/**
 * targetOf picks the file actually written: dest itself, or dest/basename(src) when dest is a
 * directory or ends with '/' (then a missing directory is created, as Ansible does).
 */
export function targetOf(current: DestCurrent): FileState {
  const d = current.dest;
  const isDir = d.path.endsWith('/') || d.stat?.type === 'directory' || d.target?.type === 'directory';
  return isDir && current.inner ? current.inner : d;
}

/** planCopy writes `desired` to the target and creates a missing `dest/` directory first. */
export function planCopy(args: WriteArgs, desired: string | Buffer | RemoteSource | LocalRef, current: DestCurrent): Plan<WritePayload> {
  const target = targetOf(current);
  const plan = planWrite(args, desired, target);
  if (plan.payload && target !== current.dest && !current.dest.exists) return { ...plan, payload: { ...plan.payload, mkdirParent: true } };
  return plan;
}

// One call reads the remote source, dest and dest/basename(src).
async function readRemoteSource(ctx: ModuleContext, src: string, dest: string): Promise<DestCurrent> {
  const want = { checksum: true, content: ctx.diff ? ('diff' as const) : false };
  const [remote, d, inner] = await readFileStates(ctx, [src, dest, posix.join(dest, basename(src))], want);
  return { remote: remote!, dest: d!, inner: inner! };
}

function planRemote(args: Args, current: DestCurrent): Plan<WritePayload> {
  const r = current.remote!;
  const st = effective(r);
  if (!r.exists || st?.type !== 'file' || r.checksum === undefined) {
    return { changes: [], failed: true, msg: `Source ${args.src} not found or not a readable file on the host` };
  }
  const mode = args.mode === 'preserve' ? modeString(st.mode) : args.mode;
  const source = { remotePath: r.path, checksum: r.checksum, size: st.size, ...(r.content !== undefined ? { text: r.content } : {}) };
  const plan = planCopy({ ...args, mode }, source, current);
  return { ...plan, result: { ...plan.result, src: args.src } };
}

function contentOf(args: Args): string {
  return typeof args.content === 'string' ? args.content : jsonStringify(args.content);
}

/** copyModule writes a file from inline content or a controller file (or a directory tree), atomically, with mode/owner/group. */
export const copyModule: ModuleDef<Args, DestCurrent, WritePayload | TreePayload> = {
  name: 'copy',
  doc: 'Write a file on the host from `content` or a controller file or directory `src` (role files/ first); backup, mode, owner, group.',
  example: '- name: Message of the day\n  copy:\n    content: "Managed by tsplay\\n"\n    dest: /etc/motd\n    mode: \'0644\'\n',
  schema,
  writeKeys: (args) => [args.dest],
  readAhead: true,
  async read(ctx, args) {
    if (args.content !== undefined) return readDest(ctx, args.dest, undefined);
    if (args.remote_src) return readRemoteSource(ctx, args.src!, args.dest);
    const local = await readLocal(args.src!, ctx.searchPaths.files, true);
    if ('error' in local) return { srcError: local.error, dest: { path: args.dest, exists: false } };
    if ('tree' in local) {
      const tree = await readTree(ctx, treeBase(args.src!, args.dest), local.tree);
      return { dest: tree.states[0]!, tree };
    }
    const d = await readDest(ctx, args.dest, basename(args.src!));
    return { ...d, source: { content: local.content, mode: local.mode } };
  },
  plan(args, current) {
    if (current.srcError !== undefined) return { changes: [], failed: true, msg: current.srcError };
    if (current.tree) return planTree(args, current.tree);
    if (args.content !== undefined && (args.dest.endsWith('/') || effective(current.dest)?.type === 'directory')) {
      return { changes: [], failed: true, msg: 'can not use content with a dir as dest' };
    }
    if (current.remote) return planRemote(args, current);
    const desired = args.content !== undefined ? contentOf(args) : current.source!.content;
    const mode = args.mode === 'preserve' && current.source?.mode !== undefined ? modeString(current.source.mode) : args.mode;
    const withSrc = args.src !== undefined ? { src: args.src } : {};
    const plan = planCopy({ ...args, mode }, desired, current);
    return { ...plan, result: { ...plan.result, ...withSrc } };
  },
  apply(ctx, _args, plan) {
    const p = plan.payload;
    if (!p) return Promise.resolve({ changed: false });
    return 'mkdirs' in p ? applyTree(ctx, { changes: plan.changes, payload: p }) : applyWrite(ctx, { changes: plan.changes, payload: p });
  },
};
