import { z } from 'zod';
import type { Argv } from '../connection/types.ts';
import type { Change, ModuleDef, Plan } from './types.ts';
import { abool, astr, moduleArgs } from './support/args.ts';
import { taskOpts } from './support/task-opts.ts';

const schema = moduleArgs(
  {
    name: astr,
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']),
    enabled: abool,
    daemon_reload: abool,
  },
  { required: ['name'], aliases: { service: 'name', unit: 'name', 'daemon-reload': 'daemon_reload' } },
);
type Args = z.output<typeof schema>;

/** ServiceCurrent is a unit's state as `systemctl show` reports it. */
export interface ServiceCurrent {
  readonly LoadState: string;
  readonly ActiveState: string;
  readonly UnitFileState: string;
}

/** parseSystemctlShow reads `systemctl show -p A -p B` output: one `Key=Value` per line, any order. */
export function parseSystemctlShow(stdout: string): ServiceCurrent {
  const kv: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  return { LoadState: kv.LoadState ?? '', ActiveState: kv.ActiveState ?? '', UnitFileState: kv.UnitFileState ?? '' };
}

// `systemctl is-enabled` exits 0 for these, which is what Ansible's systemd module calls enabled.
const ENABLED = new Set(['enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated', 'transient']);
// These cannot be switched with enable/disable; asking to would change nothing, every run.
const FIXED = new Set(['static', 'generated', 'transient', 'indirect']);
const RUNNING = new Set(['active', 'activating', 'reloading']);

/** planService is the pure service plan: enable/disable, then start/stop/restart/reload. */
export function planService(args: Args, cur: ServiceCurrent, host: string): Plan<{ commands: Argv[] }> {
  if (cur.LoadState === 'not-found') return { changes: [], failed: true, msg: `Could not find the requested service ${args.name}: host ${host}` };
  const changes: Change[] = [];
  const cmds: Argv[] = [];
  if (args.daemon_reload) {
    changes.push({ property: 'daemon_reload', before: null, after: true });
    cmds.push(['systemctl', 'daemon-reload']);
  }
  if (args.enabled !== undefined && !FIXED.has(cur.UnitFileState)) {
    const isOn = ENABLED.has(cur.UnitFileState);
    if (isOn !== args.enabled) {
      changes.push({ property: 'enabled', before: isOn, after: args.enabled });
      cmds.push(['systemctl', args.enabled ? 'enable' : 'disable', '--', args.name]);
    }
  }
  const running = RUNNING.has(cur.ActiveState);
  const verb: Record<NonNullable<Args['state']>, string | undefined> = {
    started: running ? undefined : 'start',
    stopped: running ? 'stop' : undefined,
    restarted: 'restart',
    // Ansible starts a stopped service when asked to reload it.
    reloaded: running ? 'reload' : 'start',
  };
  const v = args.state !== undefined ? verb[args.state] : undefined;
  if (v !== undefined) {
    changes.push({ property: 'state', before: cur.ActiveState, after: args.state });
    cmds.push(['systemctl', v, '--', args.name]);
  }
  const result = { name: args.name, state: running ? 'started' : 'stopped', enabled: ENABLED.has(cur.UnitFileState), status: cur };
  if (changes.length === 0) return { changes, reason: `${args.name} is already ${args.state ?? 'as requested'}`, result };
  return { changes, result, payload: { commands: cmds } };
}

/** serviceModule starts, stops, restarts, reloads and enables systemd units (also known as `systemd`). */
export const serviceModule: ModuleDef<Args, ServiceCurrent, { commands: Argv[] }> = {
  name: 'service',
  aliases: ['systemd', 'systemd_service'],
  doc: 'Manage a systemd unit: state started/stopped/restarted/reloaded, enabled, daemon_reload.',
  example: '- name: libvirtd running and enabled\n  service:\n    name: libvirtd\n    state: started\n    enabled: true\n',
  schema,
  async read(ctx, args) {
    const r = await ctx.conn.run(['systemctl', 'show', '-p', 'LoadState', '-p', 'ActiveState', '-p', 'UnitFileState', '--', args.name], taskOpts(ctx));
    if (r.rc !== 0) throw new Error(`systemctl show ${args.name} failed (rc ${r.rc}): ${r.stderr.trim()}`);
    return parseSystemctlShow(r.stdout);
  },
  plan(args, current, ctx) {
    return planService(args, current, ctx.host);
  },
  async apply(ctx, _args, plan) {
    for (const argv of plan.payload?.commands ?? []) {
      const r = await ctx.conn.run(argv, taskOpts(ctx));
      if (r.rc !== 0) return { changed: true, failed: true, msg: `${argv.join(' ')} failed (rc ${r.rc}): ${r.stderr.trim()}` };
    }
    // A bare daemon-reload changes no unit, and Ansible reports it unchanged.
    const onlyReload = plan.changes.every((c) => c.property === 'daemon_reload');
    return { changed: !onlyReload };
  },
};
