import { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { abool, amode, aowner, astr, avalidate, moduleArgs } from './support/args.ts';
import type { FileState } from './support/file-state.ts';
import type { WritePayload } from './support/file-write.ts';
import { editBlock, warmBlockEdit } from './support/block-edit.ts';
import { applyEdited, planEdited, readEdited } from './support/edit-plan.ts';

const schema = moduleArgs(
  {
    path: astr,
    state: z.enum(['present', 'absent']),
    marker: astr,
    block: astr,
    insertafter: astr,
    insertbefore: astr,
    create: abool,
    backup: abool,
    validate: avalidate,
    marker_begin: astr,
    marker_end: astr,
    mode: amode,
    owner: aowner,
    group: aowner,
  },
  {
    required: ['path'],
    aliases: { dest: 'path', destfile: 'path', name: 'path', content: 'block' },
    exclusive: [['insertbefore', 'insertafter']],
  },
);
type Args = z.output<typeof schema>;

/** blockinfileModule keeps a marked block of lines in a file: inserted, updated or removed. */
export const blockinfileModule: ModuleDef<Args, FileState, WritePayload> = {
  name: 'blockinfile',
  doc: 'Insert, update or remove a block of lines between marker lines; insertafter/insertbefore, create, marker_begin/end.',
  example: '- name: Allow the lab network\n  blockinfile:\n    path: /etc/hosts.allow\n    block: |\n      sshd: 192.168.122.0/24\n',
  schema,
  writeKeys: (args) => [args.path],
  warm: warmBlockEdit,
  readAhead: true,
  read: readEdited,
  plan(args, current) {
    // Unlike lineinfile, Ansible's blockinfile fails on a missing file without create even for state=absent.
    if (!current.exists && args.create && args.state === 'absent') {
      return { changes: [], reason: `File ${args.path} not present`, msg: `File ${args.path} not present` };
    }
    return planEdited(
      args,
      current,
      (text) => editBlock(text, args),
      () => ({
        changes: [],
        failed: true,
        msg: `Path ${args.path} does not exist !`,
        result: { rc: 257 },
      }),
    );
  },
  apply: applyEdited,
};
