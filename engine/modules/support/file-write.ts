import { dirname, join, basename } from 'node:path';
import type { ApplyResult, Change, ModuleContext, Plan } from '../types.ts';
import type { PutContent, PutOptions } from '../../connection/types.ts';
import type { LocalRef } from './local-files.ts';
import { type AttrArgs, type FileState, attrChanges, attrCommands, backupName, effective, runAll, sha1 } from './file-state.ts';
import { modeString } from './file-mode.ts';
import { taskOpts } from './task-opts.ts';
import { shlexSplit } from '../../py/shlex.ts';

// Why not a static import: node:crypto costs ~8 ms to load, and a --syntax-check loads this file
// and never calls it.
const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/** WriteArgs are the arguments of every module that writes a whole file's content. */
export interface WriteArgs extends AttrArgs {
  readonly backup?: boolean;
  /** false: never replace an existing file's content (copy/template `force: no`) */
  readonly force?: boolean;
  /** command run on the new content before it replaces the file; `%s` is the temp file */
  readonly validate?: string;
}

/** WritePayload is what apply needs to carry out a content plan. */
export interface WritePayload {
  readonly path: string;
  /** undefined: content is already right, only attributes change; a large controller file is streamed */
  readonly content?: PutContent;
  readonly attrs: readonly Change[];
  readonly backup: boolean;
  readonly validate?: string;
  /** what the file has now, so a rewrite keeps unrequested mode/owner/group */
  readonly keep?: { readonly mode: string; readonly owner: string; readonly group: string };
  /** create the parent directories first (lineinfile/blockinfile `create: yes`) */
  readonly mkdirParent?: boolean;
  /** copy `remote_src`: the content comes from this file on the host itself */
  readonly copyFrom?: string;
  /** the sha1 the plan saw (null: no file): the write replaces the file only if it still is so */
  readonly expect?: string | null;
}

/** RemoteSource is desired content that already sits on the host (copy `remote_src`). */
export interface RemoteSource {
  readonly remotePath: string;
  readonly checksum: string;
  readonly size: number;
  /** its text, when read for --diff */
  readonly text?: string;
}

function asText(b: string | Buffer): string | undefined {
  if (typeof b === 'string') return b;
  const t = b.toString('utf8');
  return Buffer.from(t, 'utf8').equals(b) ? t : undefined;
}

/**
 * planWrite compares desired content (and mode/owner/group) with a path's current state.
 * Content is compared by sha1, so the current content is only needed for `--diff`.
 */
export function planWrite(args: WriteArgs, desired: string | Buffer | RemoteSource | LocalRef, current: FileState): Plan<WritePayload> {
  const st = effective(current);
  if (current.exists && st?.type === 'directory') {
    return { changes: [], failed: true, msg: `destination ${current.path} is a directory` };
  }
  const exists = current.exists && st !== undefined;
  // a source known by checksum and size: on the host (remote_src) or a large controller file
  const known = typeof desired === 'object' && !Buffer.isBuffer(desired) ? desired : undefined;
  const remote = known && 'remotePath' in known ? known : undefined;
  const local = known ? (remote ? undefined : (known as LocalRef)) : (desired as string | Buffer);
  const sum = known ? known.checksum : sha1(local as string | Buffer);
  const result = { dest: current.path, checksum: sum, size: known ? known.size : Buffer.byteLength(local as string | Buffer), state: 'file' };
  let contentChange: Change | undefined;
  if (!exists || (args.force !== false && current.checksum !== sum)) {
    // a large controller file gets no diff, as Ansible skips files over max_diff_size
    const after = known ? remote?.text : asText(local as string | Buffer);
    const before = exists ? current.content : '';
    contentChange = {
      property: 'content',
      before: exists ? (current.checksum ?? null) : null,
      after: sum,
      ...(after !== undefined && before !== undefined ? { diff: { path: current.path, before, after } } : {}),
    };
  }
  let attrs: Change[];
  try {
    attrs = attrChanges(args, exists ? st : undefined, false);
  } catch (e) {
    return { changes: [], failed: true, msg: (e as Error).message };
  }
  const changes = contentChange ? [contentChange, ...attrs] : attrs;
  if (changes.length === 0) {
    const reason = exists && args.force === false && current.checksum !== sum ? `${current.path} exists and force is no` : `${current.path} is up to date`;
    return { changes, reason, result };
  }
  return {
    changes,
    result,
    payload: {
      path: current.path,
      ...(contentChange && local !== undefined ? { content: local } : {}),
      ...(contentChange && remote ? { copyFrom: remote.remotePath } : {}),
      attrs,
      backup: exists && args.backup === true,
      ...(args.validate !== undefined ? { validate: args.validate } : {}),
      ...(exists && st ? { keep: { mode: modeString(st.mode), owner: st.owner, group: st.group } } : {}),
      ...(contentChange && local !== undefined && (!exists || current.checksum !== undefined) ? { expect: exists ? current.checksum! : null } : {}),
    },
  };
}

// Fixed script: $1 source, $2 target, both passed as arguments.
// The temp is hidden and named like every other tsplay temp beside a destination (`.NAME.tsplay-*`).
const COPY_REPLACE = 't="$(dirname -- "$2")/.$(basename -- "$2").tsplay-$$.tmp"; trap \'rm -f -- "$t"\' EXIT; cp -- "$1" "$t" && mv -f -- "$t" "$2"';

async function validateFile(ctx: ModuleContext, validate: string, path: string): Promise<string | undefined> {
  const r = await ctx.conn.run(shlexSplit(validate.replaceAll('%s', path)), taskOpts(ctx));
  return r.rc === 0 ? undefined : `failed to validate: rc:${r.rc} error:${r.stderr.trim()}`;
}

async function validateContent(ctx: ModuleContext, p: WritePayload, content: PutContent): Promise<string | undefined> {
  const tmp = join(dirname(p.path), `.${basename(p.path)}.tsplay-validate-${crypto().randomBytes(6).toString('hex')}`);
  await ctx.conn.put(tmp, content, { mode: '0600', become: ctx.become, scratch: true });
  try {
    const argv = shlexSplit(p.validate!.replaceAll('%s', tmp));
    const r = await ctx.conn.run(argv, taskOpts(ctx));
    if (r.rc !== 0) return `failed to validate: rc:${r.rc} error:${r.stderr.trim()}`;
    return undefined;
  } finally {
    await ctx.conn.run(['rm', '-f', '--', tmp], taskOpts(ctx));
  }
}

/**
 * applyWrite carries out a planWrite plan: backup, validate, then one atomic put that sets
 * mode/owner/group (keeping the current ones unless asked otherwise); or only chmod/chown.
 */
export async function applyWrite(ctx: ModuleContext, plan: Plan<WritePayload>): Promise<ApplyResult> {
  const p = plan.payload;
  if (!p) return { changed: false };
  const result: Record<string, unknown> = {};
  if (p.content === undefined && p.copyFrom === undefined) {
    await runAll(ctx, attrCommands(p.path, p.attrs));
    return { changed: true, result };
  }
  if (p.validate !== undefined) {
    const err = p.content !== undefined ? await validateContent(ctx, p, p.content) : await validateFile(ctx, p.validate, p.copyFrom!);
    if (err !== undefined) return { changed: false, failed: true, msg: err };
  }
  if (p.mkdirParent) await runAll(ctx, [['mkdir', '-p', '--', dirname(p.path)]]);
  if (p.backup) {
    const name = backupName(p.path);
    await runAll(ctx, [['cp', '-p', '--', p.path, name]]);
    result.backup_file = name;
  }
  const want = (prop: string): string | undefined => p.attrs.find((c) => c.property === prop)?.after as string | undefined;
  const mode = want('mode') ?? p.keep?.mode;
  // Without become the new file is ours already, as the old one must have been for us to
  // replace it; as root the replaced file's owner must be put back explicitly.
  const owner = want('owner') ?? (ctx.become ? p.keep?.owner : undefined);
  const group = want('group') ?? (ctx.become ? p.keep?.group : undefined);
  const opts: PutOptions = {
    become: ctx.become,
    ...(mode !== undefined ? { mode } : {}),
    ...(owner !== undefined ? { owner } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(p.expect !== undefined ? { expect: p.expect } : {}),
    ...(ctx.writer !== undefined ? { writer: ctx.writer } : {}),
  };
  if (p.content !== undefined) {
    await ctx.conn.put(p.path, p.content, opts);
    return { changed: true, result };
  }
  // remote_src: copy beside the target, then rename over it, so the target is never half-written.
  await runAll(ctx, [['sh', '-c', COPY_REPLACE, 'sh', p.copyFrom!, p.path]]);
  const attrs = [
    ...(mode !== undefined ? [{ property: 'mode', before: null, after: mode }] : []),
    ...(owner !== undefined ? [{ property: 'owner', before: null, after: owner }] : []),
    ...(group !== undefined ? [{ property: 'group', before: null, after: group }] : []),
  ];
  await runAll(ctx, attrCommands(p.path, attrs));
  return { changed: true, result };
}
