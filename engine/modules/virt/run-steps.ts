// apply for the virt modules: walk the plan's steps, stop at the first that fails, and check
// what must hold afterwards (bridge ageing in sysfs, taps back on their bridge).
import { parseAgeing } from '../../probes/bridge.ts';
import { type Must, reattachGuests } from './reattach.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { ApplyResult, ModuleContext } from '../types.ts';
import { networkDaemonPids, SS_ARGV } from './daemon.ts';
import type { Step } from './steps.ts';

/** StepFailed ends a step walk: its message is the failed command (or check) and the tool's own words. */
export class StepFailed extends Error {}

/** BaseStep is what every virt plan may hand to apply: a command (XML on stdin) or a file to write. */
export type BaseStep = Extract<Step, { run: unknown } | { put: unknown }>;

/**
 * walkSteps carries out steps in order: `run` and `put` steps here, every other kind by `special`.
 * The first failure fails the task with "HOST: OBJECT: command: exit N: the tool's message",
 * reporting changed when an earlier step ran. One walker for every virt module, so all of them
 * fail the same way.
 */
export async function walkSteps<S extends object>(ctx: ModuleContext, what: string, steps: readonly (BaseStep | S)[], special: (s: S, must: Must) => Promise<void>): Promise<ApplyResult> {
  const opts = taskOpts(ctx);
  const must: Must = async (argv, stdin) => {
    const r = await ctx.conn.run(argv, stdin === undefined ? opts : { ...opts, stdin });
    if (r.rc !== 0) throw new StepFailed(`${argv.join(' ')}: exit ${r.rc}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };
  let ran = 0;
  try {
    for (const s of steps) {
      if (isBase(s)) {
        if ('run' in s) await must(s.run, s.stdin);
        else {
          await must(['mkdir', '-p', '--', s.put.slice(0, s.put.lastIndexOf('/'))]);
          await ctx.conn.put(s.put, s.content, { mode: s.mode, become: ctx.become });
        }
      } else await special(s, must);
      ran++;
    }
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    return { changed: ran > 0, failed: true, msg: `${ctx.conn.host}: ${what}: ${e.message}` };
  }
  return { changed: true };
}

function isBase(s: object): s is BaseStep {
  return 'run' in s || 'put' in s;
}

/**
 * runSteps carries out a network or bandwidth plan's steps, with the checks that must hold
 * afterwards (bridge ageing in sysfs, the guests' ports back on their network).
 */
export function runSteps(ctx: ModuleContext, what: string, steps: readonly Step[]): Promise<ApplyResult> {
  return walkSteps<Exclude<Step, BaseStep>>(ctx, what, steps, async (s, must) => {
    if ('reattach' in s) {
      try {
        await reattachGuests(must, s.reattach);
      } catch (e) {
        throw e instanceof StepFailed ? e : new StepFailed((e as Error).message);
      }
    } else if ('reloadHooks' in s) {
      const pids = networkDaemonPids(await must(SS_ARGV));
      if (pids.length === 0) throw new StepFailed('no libvirtd (or virtnetworkd) listens on /run/libvirt: cannot make it load the network hook');
      for (const pid of pids) await must(['kill', '-HUP', String(pid)]);
      // the daemon rescans hooks in its reload thread, asynchronously to the signal
      await must(['sleep', '1']);
    } else {
      const { bridge, centiseconds } = s.verifyAgeing;
      const got = parseAgeing({ rc: 0, stdout: await must(['cat', `/sys/class/net/${bridge}/bridge/ageing_time`]), stderr: '' });
      if (Math.round(got * 100) !== centiseconds) throw new StepFailed(`bridge ${bridge}: ageing_time is ${got} s after apply, wanted ${centiseconds / 100} s`);
    }
  });
}
