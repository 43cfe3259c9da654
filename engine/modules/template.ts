import type { z } from 'zod';
import { basename } from 'node:path';
import type { ModuleDef } from './types.ts';
import { astr, moduleArgs } from './support/args.ts';
import { applyWrite, type WritePayload } from './support/file-write.ts';
import { readLocal } from './support/local-files.ts';
import { type DestCurrent, planCopy, readDest, WRITE_SHAPE } from './copy.ts';
import { modeString } from './support/file-mode.ts';
import { decodeUtf8 } from '../files/utf8.ts';

const schema = moduleArgs({ ...WRITE_SHAPE, src: astr }, { required: ['src', 'dest'] });
type Args = z.output<typeof schema>;

/**
 * templateModule renders a Handlebars file from the role's templates/ (then the playbook's)
 * with the host's variables and writes it exactly like copy does. Rendering happens in read,
 * on the controller, so the plan stays a pure comparison of text.
 */
export const templateModule: ModuleDef<Args, DestCurrent, WritePayload> = {
  name: 'template',
  doc: 'Render a Handlebars template (role templates/ first) and write it like copy; backup, mode, owner, group.',
  example: '- name: dnsmasq configuration\n  template:\n    src: dnsmasq.conf.hbs\n    dest: /etc/dnsmasq.d/lab.conf\n',
  schema,
  writeKeys: (args) => [args.dest],
  readAhead: true,
  readRendersVars: true,
  async read(ctx, args) {
    const local = await readLocal(args.src, ctx.searchPaths.templates, false, true);
    if ('error' in local) return { srcError: local.error, dest: { path: args.dest, exists: false } };
    if ('tree' in local) return { srcError: `'${args.src}' is a directory`, dest: { path: args.dest, exists: false } };
    const text = ctx.render(decodeUtf8(local.content as Buffer, local.path, 'template'), local.path);
    const d = await readDest(ctx, args.dest, basename(args.src));
    return { ...d, source: { content: text, mode: local.mode } };
  },
  plan(args, current) {
    if (current.srcError !== undefined) return { changes: [], failed: true, msg: current.srcError };
    const mode = args.mode === 'preserve' && current.source?.mode !== undefined ? modeString(current.source.mode) : args.mode;
    const plan = planCopy({ ...args, mode }, current.source!.content, current);
    return { ...plan, result: { ...plan.result, src: args.src } };
  },
  apply(ctx, _args, plan) {
    return applyWrite(ctx, plan);
  },
};
