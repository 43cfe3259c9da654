// nm_team's apply: walk the plan's steps; afterwards teamd must run the desired config. A guarded
// plan runs its steps inside a NetworkManager checkpoint, detached on the guest (setsid), so a cut
// ssh session cannot stop it half-way; NM rolls the devices back by itself unless the
// checkpoint is destroyed before its timeout.
// When the change cuts the session (or moves the address the controller uses), the executor's
// ctx.reconnect opens a new connection, to the new address when the plan says so, within the
// checkpoint's timeout; only then is the checkpoint destroyed.
import { shJoin } from '../../connection/quote.ts';
import { parseTeamConfig } from '../../probes/teamdctl.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { RunResult } from '../../connection/types.ts';
import type { ApplyResult, ModuleContext } from '../types.ts';
import { checkpointCreateArgv, checkpointDestroyArgv, checkpointListArgv, checkpointRollbackArgv, devicePathArgv, parseObjectPath } from './guard.ts';
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
  const started = Date.now();
  const cp = await ctx.conn.run(checkpointCreateArgv(paths, g.timeout), opts);
  const checkpoint = cp.rc === 0 ? parseObjectPath(cp.stdout) : null;
  if (!checkpoint) return { changed: false, failed: true, msg: `could not create a NetworkManager checkpoint: ${(cp.stderr || cp.stdout).trim()}` };
  await ctx.conn.put(SCRIPT_FILE(p.device), guardedScript(p), { mode: '0700', become: ctx.become });
  const start = await ctx.conn.run(['setsid', '-f', 'sh', SCRIPT_FILE(p.device)], { ...opts, stdin: '' });
  if (start.rc !== 0) {
    await ctx.conn.run(checkpointRollbackArgv(checkpoint), opts);
    return { changed: false, failed: true, msg: `could not start the guarded change: ${(start.stderr || start.stdout).trim()}` };
  }
  return finishGuarded(ctx, p, checkpoint, started);
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

// One command on the host within `ms`: null when the connection broke or the command hung (the
// change cut the session: a moved address drops its packets, so nothing ever errors by itself).
async function tryRun(ctx: ModuleContext, argv: string[], ms: number): Promise<RunResult | null> {
  // the host-side timeout needs the host's answer; a dead session gives none, so race a timer too
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((res) => (timer = setTimeout(() => res(null), ms + 2000)));
  try {
    const r = await Promise.race([ctx.conn.run(argv, { ...taskOpts(ctx), timeoutMs: ms }), late]);
    return r === null || r.timedOut ? null : r;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

// A new connection (to `address` when given) before `deadline`, retried; null when none came.
async function reopen(ctx: ModuleContext, address: string | undefined, deadline: number): Promise<ModuleContext | null> {
  if (!ctx.reconnect) return null;
  while (Date.now() < deadline) {
    try {
      const next = { ...ctx, conn: await ctx.reconnect(address) };
      if ((await tryRun(next, ['true'], 5000))?.rc === 0) return next;
    } catch {
      // not there yet (the address is still moving) or never (the change cut it off)
    }
    await sleep(1000);
  }
  return null;
}

/**
 * finishGuarded waits for the detached steps, reconnecting when the change cut the connection
 * (to the team's new address when the plan moves it), verifies teamd, then destroys the checkpoint
 * (commit) or rolls back. Without a connection before the rollback timeout NetworkManager rolls
 * back by itself: it then waits for the host at its old address and fails saying so.
 */
export async function finishGuarded(ctx: ModuleContext, p: TeamPayload, checkpoint: string, started = Date.now()): Promise<ApplyResult> {
  const g = p.guard!;
  // margin for the destroy call to arrive before NetworkManager's own timer fires
  const deadline = started + g.timeout * 1000 - 3000;
  let c: ModuleContext | null = ctx;
  let moved = false;
  let rc = '';
  while (c && Date.now() < deadline) {
    const r = await tryRun(c, ['cat', RC_FILE(p.device)], 5000);
    if (r === null) {
      // the session is gone: where the host should answer now
      moved = g.reconnectTo !== null;
      c = await reopen(ctx, g.reconnectTo ?? undefined, deadline);
      continue;
    }
    if (r.rc === 0 && r.stdout.trim() !== '') {
      rc = r.stdout.trim();
      break;
    }
    await sleep(500);
  }
  if (!c) return rolledBack(ctx, p, checkpoint, started, `no connection to ${g.reconnectTo ?? g.controller} within the checkpoint's ${g.timeout} s`);
  if (g.reconnectTo !== null && !moved) {
    // the steps finished before the old session noticed: the host must answer at its new address
    c = await reopen(ctx, g.reconnectTo, deadline);
    if (!c) return rolledBack(ctx, p, checkpoint, started, `no connection to the new address ${g.reconnectTo} within the checkpoint's ${g.timeout} s`);
  }
  const opts = taskOpts(c);
  const bad = rc === '' ? `the guarded change did not finish within ${g.timeout} s` : rc !== '0' ? `step failed (exit ${rc})` : await verify(c, p);
  if (bad) {
    await c.conn.run(checkpointRollbackArgv(checkpoint), opts);
    if (g.reconnectTo !== null) await reopen(ctx, undefined, Date.now() + 60_000);
    return { changed: true, failed: true, msg: `${bad}; rolled back with NetworkManager checkpoint ${checkpoint}` };
  }
  const d = await c.conn.run(checkpointDestroyArgv(checkpoint), opts);
  if (d.rc !== 0) return { changed: true, failed: true, msg: `applied, but the checkpoint could not be destroyed (NetworkManager will roll back): ${(d.stderr || d.stdout).trim()}` };
  return { changed: true, msg: `checkpoint ${checkpoint} destroyed after reaching the host${g.reconnectTo ? ` at its new address ${g.reconnectTo}` : ''}` };
}

// NetworkManager rolls back by itself when the timeout passes: wait for the host where it was,
// then make sure the checkpoint is gone (rolled back), rolling back now if it is still pending.
async function rolledBack(ctx: ModuleContext, p: TeamPayload, checkpoint: string, started: number, why: string): Promise<ApplyResult> {
  const g = p.guard!;
  const back = await reopen(ctx, undefined, started + g.timeout * 1000 + 90_000);
  if (!back) {
    return {
      changed: false,
      failed: true,
      msg: `${p.device}: ${why}; NetworkManager should have rolled the change back (checkpoint ${checkpoint}, ${g.timeout} s), but the host does not answer at ${g.controller} either`,
    };
  }
  const list = await back.conn.run(checkpointListArgv(), taskOpts(back));
  if (list.rc === 0 && list.stdout.includes(`"${checkpoint}"`)) {
    await back.conn.run(checkpointRollbackArgv(checkpoint), taskOpts(back));
    return { changed: false, failed: true, msg: `${p.device}: ${why}; the host answers again at ${g.controller}, and tsplay rolled the change back (checkpoint ${checkpoint})` };
  }
  return { changed: false, failed: true, msg: `${p.device}: ${why}; NetworkManager rolled the change back (checkpoint ${checkpoint}, ${g.timeout} s); the host answers again at ${g.controller}` };
}
