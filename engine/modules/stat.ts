import { z } from 'zod';
import type { ModuleDef } from './types.ts';
import type { Vars } from '../inventory/types.ts';
import { abool, astr, moduleArgs } from './support/args.ts';
import { type FileState, type StatInfo, readFileStates } from './support/file-state.ts';
import { modeString } from './support/file-mode.ts';

const schema = moduleArgs(
  {
    path: astr,
    follow: abool,
    get_checksum: abool,
    checksum_algorithm: z.enum(['sha1']),
    // accepted for playbook compatibility; tsplay never computes mime types or attributes
    get_mime: abool,
    get_attributes: abool,
  },
  { required: ['path'], aliases: { dest: 'path', name: 'path', checksum: 'checksum_algorithm', checksum_algo: 'checksum_algorithm' } },
);
type Args = z.output<typeof schema>;

/** statDict renders a FileState as the subset of Ansible's `stat` result tsplay provides. */
export function statDict(f: FileState, follow: boolean, withChecksum: boolean): Vars {
  if (!f.exists || !f.stat) return { exists: false };
  const isLink = f.stat.type === 'link';
  const st: StatInfo | undefined = follow && isLink ? f.target : f.stat;
  // A dangling link followed: Ansible reports it as not existing.
  if (!st) return { exists: false };
  const out: Vars = {
    exists: true,
    path: f.path,
    isdir: st.type === 'directory',
    isreg: st.type === 'file',
    islnk: st.type === 'link',
    mode: modeString(st.mode),
    uid: st.uid,
    gid: st.gid,
    pw_name: st.owner,
    gr_name: st.group,
    size: st.size,
    mtime: st.mtime,
  };
  // Ansible names the link text only when the reported stat is the link itself (not followed).
  if (st.type === 'link' && f.linkTarget !== undefined) out.lnk_target = f.linkTarget;
  if (withChecksum && st.type === 'file' && f.checksum !== undefined) out.checksum = f.checksum;
  return out;
}

/** statModule reports a path's type, mode, ownership, size, mtime and sha1 in one round trip. */
export const statModule: ModuleDef<Args, FileState> = {
  name: 'stat',
  doc: "Report a path's existence, type, mode, owner, group, size, mtime and sha1 checksum (Ansible's stat dict subset).",
  example: '- name: Is the image there?\n  stat:\n    path: /var/lib/libvirt/images/base.qcow2\n  register: image\n',
  schema,
  readAhead: true,
  async read(ctx, args) {
    const [f] = await readFileStates(ctx, [args.path], { checksum: args.get_checksum ?? true });
    return f!;
  },
  plan(args, current) {
    return {
      changes: [],
      reason: 'stat only reads',
      result: { stat: statDict(current, args.follow ?? false, args.get_checksum ?? true) },
    };
  },
  async apply() {
    return { changed: false };
  },
};
