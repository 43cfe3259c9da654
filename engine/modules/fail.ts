import { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { moduleArgs } from './support/args.ts';
import { applyNothing, readNothing } from './support/controller-only.ts';
import { jsonStringify } from '../py/json.ts';

const schema = moduleArgs({ msg: z.unknown() });
type Args = z.output<typeof schema>;

/** failModule fails the task with a message, as Ansible's fail does. */
export const failModule: ModuleDef<Args, null> = {
  name: 'fail',
  doc: 'Fail the task with a custom message.',
  example: "- name: Stop on an unsupported system\n  fail:\n    msg: only Debian is supported\n  when: ansible_os_family != 'Debian'\n",
  schema,
  local: true,
  read: readNothing,
  plan(args) {
    const msg = args.msg === undefined ? 'Failed as requested from task' : typeof args.msg === 'string' ? args.msg : jsonStringify(args.msg);
    return { changes: [], failed: true, msg };
  },
  apply: applyNothing,
};
