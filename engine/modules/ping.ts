import { z } from 'zod';
import type { ModuleDef } from './types.ts';
import { moduleArgs } from './support/args.ts';

const schema = moduleArgs({ data: z.string() });
type Args = z.output<typeof schema>;

/** pingModule proves the host answers a command round trip; `data: crash` fails, as in Ansible. */
export const pingModule: ModuleDef<Args, null> = {
  name: 'ping',
  doc: 'Check that the host can be reached and runs a command; returns ping: pong.',
  example: '- name: Reachable?\n  ping:\n',
  schema,
  async read(ctx) {
    // A failing connection throws here, which the executor reports as unreachable.
    await ctx.conn.run(['true']);
    return null;
  },
  plan(args) {
    if (args.data === 'crash') return { changes: [], failed: true, msg: 'boom' };
    return { changes: [], reason: 'ping never changes anything', result: { ping: args.data ?? 'pong' } };
  },
  async apply() {
    return { changed: false };
  },
};
