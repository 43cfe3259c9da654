import { z } from 'zod';
import type { ArgProblem } from './support/args.ts';
import type { ModuleDef } from './types.ts';
import { abool, amode, aowner, astr, avalidate, moduleArgs } from './support/args.ts';
import type { FileState } from './support/file-state.ts';
import type { WritePayload } from './support/file-write.ts';
import { applyEdited, planEdited, readEdited } from './support/edit-plan.ts';
import { editLines, warmLineEdit } from './support/line-edit.ts';

const schema = moduleArgs(
  {
    path: astr,
    state: z.enum(['present', 'absent']),
    regexp: astr,
    search_string: astr,
    line: astr,
    insertafter: astr,
    insertbefore: astr,
    backrefs: abool,
    create: abool,
    backup: abool,
    firstmatch: abool,
    validate: avalidate,
    mode: amode,
    owner: aowner,
    group: aowner,
  },
  {
    required: ['path'],
    aliases: { dest: 'path', destfile: 'path', name: 'path', regex: 'regexp', value: 'line' },
    exclusive: [
      ['insertbefore', 'insertafter'],
      ['regexp', 'search_string'],
      ['backrefs', 'search_string'],
    ],
    custom: (a) => {
      const out: ArgProblem[] = [];
      if ((a.state ?? 'present') === 'present') {
        if (a.line === undefined) out.push({ code: 'E_ARG_REQUIRED', message: 'line is required with state=present' });
        if (a.backrefs === true && a.regexp === undefined) out.push({ code: 'E_ARG_REQUIRED', message: 'regexp is required with backrefs=true' });
      } else if (a.line === undefined && a.regexp === undefined && a.search_string === undefined) {
        out.push({ code: 'E_ARG_REQUIRED', message: 'one of line, search_string, or regexp is required with state=absent' });
      }
      return out;
    },
  },
);
type Args = z.output<typeof schema>;

/** lineinfileModule ensures one line is present, replaced or absent, with Ansible 2.14's exact rules. */
export const lineinfileModule: ModuleDef<Args, FileState, WritePayload> = {
  name: 'lineinfile',
  doc: 'Ensure a line is in a file (or replace the line a regexp matches, or remove lines); insertafter/insertbefore, backrefs, create.',
  example: "- name: No password logins\n  lineinfile:\n    path: /etc/ssh/sshd_config\n    regexp: '^#?PasswordAuthentication'\n    line: PasswordAuthentication no\n",
  schema,
  writeKeys: (args) => [args.path],
  warm: warmLineEdit,
  readAhead: true,
  read: readEdited,
  plan(args, current) {
    const plan = planEdited(
      args,
      current,
      (text) => editLines(text, args),
      () =>
        args.state === 'absent'
          ? { changes: [], reason: 'file not present', msg: 'file not present' }
          : { changes: [], failed: true, msg: `Destination ${args.path} does not exist !`, result: { rc: 257 } },
    );
    if (args.state !== 'absent' || plan.failed || !current.exists) return plan;
    // Ansible reports how many lines state=absent removed.
    const found = editLines(current.content, args).found ?? 0;
    return { ...plan, result: { found } };
  },
  apply: applyEdited,
};
