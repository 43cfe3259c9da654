import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { fixedScript } from '../connection/fixed-script.ts';
import type { Argv } from '../connection/types.ts';
import type { ModuleContext, ModuleDef } from './types.ts';
import { aint, astr, moduleArgs } from './support/args.ts';
import { taskOpts, TILDE } from './support/task-opts.ts';
import { regexOp } from '../py/regex.ts';

const schema = moduleArgs(
  {
    host: astr,
    port: aint,
    path: astr,
    state: z.enum(['started', 'stopped', 'present', 'absent']),
    timeout: aint,
    delay: aint,
    sleep: aint,
    connect_timeout: aint,
    search_regex: astr,
    msg: astr,
  },
  {
    oneOf: [['port', 'path']],
    exclusive: [['port', 'path']],
    custom: (a) => (a.search_regex !== undefined && a.path === undefined ? [{ code: 'E_ARG_CONFLICT', message: 'tsplay supports search_regex only with path', path: ['search_regex'] }] : []),
  },
);
type Args = z.output<typeof schema>;

/** WaitCurrent is whether the awaited condition already holds, from one probe. */
export interface WaitCurrent {
  readonly met: boolean;
}

// Fixed scripts; host/port/path are $1/$2. bash's /dev/tcp connects without needing nc on the host.
const PORT_OPEN = 'exec 3<>"/dev/tcp/$1/$2"';
const PATH_TEXT = `p=$1; ${TILDE}; if [ -e "$p" ]; then if [ -f "$p" ] && [ "$2" = 1 ]; then base64 -w 0 -- "$p"; fi; exit 0; fi; exit 1`;

function want(args: Args): 'up' | 'down' {
  const s = args.state ?? 'started';
  return s === 'started' || s === 'present' ? 'up' : 'down';
}

function probe(args: Args): Argv {
  if (args.port !== undefined) {
    return ['timeout', String(args.connect_timeout ?? 5), 'bash', '-c', PORT_OPEN, 'bash', args.host ?? '127.0.0.1', String(args.port)];
  }
  return fixedScript(PATH_TEXT, 'sh', [args.path!, args.search_regex !== undefined ? '1' : '0']);
}

/** conditionMet reads a probe's answer: is the port connectable / the path there (with the regex found)? */
export function conditionMet(args: Args, rc: number, stdout: string): boolean {
  let up = rc === 0;
  if (up && args.path !== undefined && args.search_regex !== undefined) {
    const text = Buffer.from(stdout.trim(), 'base64').toString('utf8');
    up = regexOp('test', args.search_regex, 'm', text) as boolean;
  }
  return want(args) === 'up' ? up : !up;
}

async function check(ctx: ModuleContext, args: Args): Promise<boolean> {
  const r = await ctx.conn.run(probe(args), taskOpts(ctx));
  return conditionMet(args, r.rc, r.stdout);
}

function timeoutMsg(args: Args): string {
  if (args.msg !== undefined) return args.msg;
  const what = args.port !== undefined ? `${args.host ?? '127.0.0.1'}:${args.port}` : `file ${args.path}`;
  if (args.state === 'stopped') return `Timeout when waiting for ${what} to stop.`;
  if (args.state === 'absent') return `Timeout when waiting for ${args.path} to be absent.`;
  if (args.search_regex !== undefined) return `Timeout when waiting for search string ${args.search_regex} in ${args.path}`;
  return `Timeout when waiting for ${what}`;
}

/**
 * waitForModule waits, on the host, until a TCP port accepts (or refuses) connections or a path
 * appears (or goes). An already-met condition with no delay plans nothing; otherwise the outcome
 * depends on time, so the plan is unknowable (skipped in check mode, as Ansible skips it).
 */
export const waitForModule: ModuleDef<Args, WaitCurrent> = {
  name: 'wait_for',
  doc: 'Wait until a port on a host is open (started) or closed (stopped), or a path is present/absent (search_regex in a file).',
  example: '- name: Wait for ssh on the guest\n  wait_for:\n    host: 192.168.122.10\n    port: 22\n    timeout: 300\n',
  schema,
  async read(ctx, args) {
    return { met: await check(ctx, args) };
  },
  plan(args, current) {
    const state = args.state ?? 'started';
    const result = { state, ...(args.port !== undefined ? { port: args.port } : { path: args.path }), elapsed: 0 };
    if (current.met && (args.delay ?? 0) === 0) return { changes: [], reason: 'the condition already holds', result };
    return { changes: [{ property: 'wait', before: current.met ? 'met' : 'not met', after: state }], unknowable: true, result };
  },
  async apply(ctx, args) {
    const start = Date.now();
    await sleep((args.delay ?? 0) * 1000);
    const deadline = start + (args.timeout ?? 300) * 1000;
    for (;;) {
      if (await check(ctx, args)) return { changed: false, result: { elapsed: Math.floor((Date.now() - start) / 1000) } };
      if (Date.now() + (args.sleep ?? 1) * 1000 > deadline) break;
      await sleep((args.sleep ?? 1) * 1000);
    }
    return { changed: false, failed: true, msg: timeoutMsg(args), result: { elapsed: Math.floor((Date.now() - start) / 1000) } };
  },
};
