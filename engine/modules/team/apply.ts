// nm_team's apply: walk the plan's steps; afterwards teamd must run the desired config. A guarded
// plan runs its steps inside a NetworkManager checkpoint, detached on the guest (setsid), so a cut
// ssh session cannot stop it half-way; NM rolls the devices back by itself unless the
// checkpoint is destroyed before its timeout.
// TODO(executor): the reconnect — when the change moves or bounces the address the controller
// uses, the pooled connection may be dead; the executor should then open a new one (to the new
// address when ipv4 changed) within guard.timeout and call finishGuarded on it. Until then a dead
// connection fails the task as unreachable and NM rolls back after guard.timeout seconds.
import { shJoin } from '../../connection/quote.ts';
import { parseTeamConfig } from '../../probes/teamdctl.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { ApplyResult, ModuleContext } from '../types.ts';
import { checkpointCreateArgv, checkpointDestroyArgv, checkpointRollbackArgv, devicePathArgv, parseObjectPath } from './guard.ts';
import type { TeamPayload } from './steps.ts';
import { diffTeamd, normaliseTeamd } from './teamd-json.ts';

const RC_FILE = (device: string): string => `/run/tsplay-nm-team-${device}.rc`;
const SCRIPT_FILE = (device: string): string => `/run/tsplay-nm-team-${device}.sh`;

/** guardedScript runs the steps in order and records the first failure's exit code (argv quoted word by word). */
export function guardedScript(p: TeamPayload): string {
  const lines = p.steps.map((s) => `${shJoin(s.run)} || { echo "$? ${s.why.replace(/["\\$`]/g, '')}" > ${RC_FILE(p.device)}.tmp; mv ${RC_FILE(p.device)}.tmp ${RC_FILE(p.device)}; exit 1; }`);
  return ['#!/bin/sh', `rm -f ${RC_FILE(p.device)}`, ...lines, `echo 0 > ${RC_FILE(p.device)}.tmp && mv ${RC_FILE(p.device)}.tmp ${RC_FILE(p.device)}`, ''].join('\n');
}

async function verify(ctx: ModuleContext, p: TeamPayload): Promise<string | null> {
  if (!p.verify) return null;
  const r = await ctx.conn.run(['teamdctl', p.device, 'config', 'dump', 'actual'], taskOpts(ctx));
  if (r.rc !== 0) return `teamd for ${p.device} is not running after apply: ${(r.stderr || r.stdout).trim()}`;
  const left = diffTeamd(normaliseTeamd(parseTeamConfig(r)), p.verify);
  return left.length === 0 ? null : `teamd runs a different config after apply: ${left.map((d) => `${d.path} ${JSON.stringify(d.before)} (wanted ${JSON.stringify(d.after)})`).join(', ')}`;
}

/** applyTeam carries out an nm_team plan. */
export async function applyTeam(ctx: ModuleContext, p: TeamPayload): Promise<ApplyResult> {
  if (p.guard) return applyGuarded(ctx, p);
  const opts = taskOpts(ctx);
  let ran = 0;
  for (const s of p.steps) {
    const r = await ctx.conn.run(s.run, opts);
    if (r.rc !== 0) return { changed: ran > 0, failed: true, msg: `${s.why}: ${s.run.join(' ')}: exit ${r.rc}: ${(r.stderr || r.stdout).trim()}` };
    ran++;
  }
  const bad = await verify(ctx, p);
  return bad ? { changed: true, failed: true, msg: bad } : { changed: true };
}

async function applyGuarded(ctx: ModuleContext, p: TeamPayload): Promise<ApplyResult> {
  const opts = taskOpts(ctx);
  const g = p.guard!;
  const paths = (await ctx.conn.batch(g.devices.map(devicePathArgv), opts)).map((r) => (r.rc === 0 ? parseObjectPath(r.stdout) : null)).filter((x): x is string => x !== null);
  const cp = await ctx.conn.run(checkpointCreateArgv(paths, g.timeout), opts);
  const checkpoint = cp.rc === 0 ? parseObjectPath(cp.stdout) : null;
  if (!checkpoint) return { changed: false, failed: true, msg: `could not create a NetworkManager checkpoint: ${(cp.stderr || cp.stdout).trim()}` };
  await ctx.conn.put(SCRIPT_FILE(p.device), guardedScript(p), { mode: '0700', become: ctx.become });
  const start = await ctx.conn.run(['setsid', '-f', 'sh', SCRIPT_FILE(p.device)], { ...opts, stdin: '' });
  if (start.rc !== 0) {
    await ctx.conn.run(checkpointRollbackArgv(checkpoint), opts);
    return { changed: false, failed: true, msg: `could not start the guarded change: ${(start.stderr || start.stdout).trim()}` };
  }
  return finishGuarded(ctx, p, checkpoint);
}

/** finishGuarded waits for the detached steps, verifies teamd, then destroys the checkpoint (commit) or rolls back. */
export async function finishGuarded(ctx: ModuleContext, p: TeamPayload, checkpoint: string): Promise<ApplyResult> {
  const opts = taskOpts(ctx);
  const deadline = Date.now() + p.guard!.timeout * 1000 - 5000;
  let rc = '';
  while (Date.now() < deadline) {
    const r = await ctx.conn.run(['cat', RC_FILE(p.device)], opts);
    if (r.rc === 0 && r.stdout.trim() !== '') { rc = r.stdout.trim(); break; }
    await new Promise((res) => setTimeout(res, 500));
  }
  const bad = rc === '' ? `the guarded change did not finish within ${p.guard!.timeout} s` : rc !== '0' ? `step failed (exit ${rc})` : await verify(ctx, p);
  if (bad) {
    await ctx.conn.run(checkpointRollbackArgv(checkpoint), opts);
    return { changed: true, failed: true, msg: `${bad}; rolled back with NetworkManager checkpoint ${checkpoint}` };
  }
  const d = await ctx.conn.run(checkpointDestroyArgv(checkpoint), opts);
  if (d.rc !== 0) return { changed: true, failed: true, msg: `applied, but the checkpoint could not be destroyed (NetworkManager will roll back): ${(d.stderr || d.stdout).trim()}` };
  return { changed: true };
}
