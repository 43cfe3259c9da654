import type { z } from 'zod';
import { fixedScript } from '../connection/fixed-script.ts';
import type { ModuleDef } from './types.ts';
import { astr, moduleArgs } from './support/args.ts';
import { taskOpts, TILDE } from './support/task-opts.ts';

const schema = moduleArgs({ src: astr }, { required: ['src'], aliases: { path: 'src' } });
type Args = z.output<typeof schema>;

/** SlurpCurrent is the file's content as base64, or why it could not be read. */
export interface SlurpCurrent {
  readonly content?: string;
  readonly error?: string;
}

/** slurpModule returns a remote file's content base64-encoded, as Ansible's slurp does. */
export const slurpModule: ModuleDef<Args, SlurpCurrent> = {
  name: 'slurp',
  doc: 'Read a remote file and return its content base64-encoded (decode with b64decode).',
  example: '- name: Read the host key\n  slurp:\n    src: /etc/ssh/ssh_host_ed25519_key.pub\n  register: hostkey\n',
  schema,
  async read(ctx, args) {
    const r = await ctx.conn.run(fixedScript(`p=$1; ${TILDE}; exec base64 -w 0 -- "$p"`, 'sh', [args.src]), taskOpts(ctx));
    if (r.rc !== 0) {
      const why = /No such file/i.test(r.stderr) ? `file not found: ${args.src}` : `unable to slurp file: ${r.stderr.trim()}`;
      return { error: why };
    }
    return { content: r.stdout.trim() };
  },
  plan(args, current) {
    if (current.error !== undefined) return { changes: [], failed: true, msg: current.error };
    return { changes: [], reason: 'slurp only reads', result: { content: current.content ?? '', encoding: 'base64', source: args.src } };
  },
  async apply() {
    return { changed: false };
  },
};
