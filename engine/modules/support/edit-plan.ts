import { posix } from 'node:path';
import { TsplayError } from '../../errors/index.ts';
import type { ApplyResult, ModuleContext, Plan } from '../types.ts';
import { type FileState, effective, readFileStates, sha1 } from './file-state.ts';
import { applyWrite, planWrite, type WriteArgs, type WritePayload } from './file-write.ts';

/** EditedArgs are the arguments of modules that edit a file in place. */
export interface EditedArgs extends WriteArgs {
  readonly path: string;
  readonly create?: boolean;
}

/**
 * planEdited turns an edited content into a write plan (shared by lineinfile and blockinfile):
 * a missing file without `create` gets the module's own answer, an unchanged edit only checks attributes.
 */
export function planEdited(
  args: EditedArgs,
  current: FileState,
  edit: (text: string | undefined) => { content: string; changed: boolean; msg: string },
  missing: () => Plan<WritePayload>,
): Plan<WritePayload> {
  const st = effective(current);
  if (current.exists && st?.type === 'directory') return { changes: [], failed: true, msg: `Path ${args.path} is a directory !` };
  if (!current.exists && !args.create) return missing();
  if (current.exists && current.content === undefined) {
    return { changes: [], failed: true, msg: current.binary ? `${args.path} is not a UTF-8 text file` : `${args.path} cannot be read` };
  }
  let res: { content: string; changed: boolean; msg: string };
  try {
    res = edit(current.exists ? current.content : undefined);
  } catch (e) {
    // a pattern stopped by the time limit (py/bounded.ts) says so itself
    const timedOut = e instanceof TsplayError && e.code === 'E_TIMEOUT';
    return { changes: [], failed: true, msg: timedOut ? e.message : `bad regular expression or backreference: ${(e as Error).message}` };
  }
  if (!current.exists && !res.changed) return { changes: [], reason: `${args.path} does not exist and nothing would be written`, msg: res.msg };
  // The content was read, so its checksum is known without asking the host for it. A link is
  // edited where it points (Ansible writes the realpath), so the link itself survives.
  const path = current.stat?.type === 'link' && current.linkTarget !== undefined ? posix.resolve(posix.dirname(current.path), current.linkTarget) : current.path;
  const withSum: FileState = current.exists ? { ...current, path, checksum: sha1(current.content!) } : current;
  const plan = planWrite(args, res.changed ? res.content : current.content!, withSum);
  const payload = plan.payload && !current.exists ? { ...plan.payload, mkdirParent: true } : plan.payload;
  const reason = plan.changes.length === 0 ? `${args.path} already has the wanted content` : undefined;
  return {
    ...plan,
    ...(payload ? { payload } : {}),
    ...(reason !== undefined ? { reason } : {}),
    msg: res.msg,
    result: {},
  };
}

/** readEdited reads what an editing module needs of its file: attributes and text content. */
export async function readEdited(ctx: ModuleContext, args: { readonly path: string }): Promise<FileState> {
  const [f] = await readFileStates(ctx, [args.path], { content: true });
  return f!;
}

/** applyEdited writes an edit plan; the plan's message stays in the result, as Ansible reports it after a change. */
export async function applyEdited(ctx: ModuleContext, _args: unknown, plan: Plan<WritePayload>): Promise<ApplyResult> {
  const r = await applyWrite(ctx, plan);
  return { ...r, ...(plan.msg !== undefined ? { msg: plan.msg } : {}) };
}
