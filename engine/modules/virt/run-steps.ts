// apply for the virt modules: walk the plan's steps, stop at the first that fails, and check
// what must hold afterwards (bridge ageing in sysfs, taps back on their bridge).
import { parseAgeing } from '../../probes/bridge.ts';
import { reattachGuests } from './reattach.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { ApplyResult, ModuleContext } from '../types.ts';
import { networkDaemonPids, SS_ARGV } from './daemon.ts';
import type { Step } from './steps.ts';

class StepFailed extends Error {}

/**
 * runSteps carries out a virt plan's steps in order; the first failing step (or failed check)
 * fails the task with the host, the object (`what`: "network t1", "vm1 52:54:…"), the command
 * and the tool's own message, reporting changed when an earlier step ran.
 */
export async function runSteps(ctx: ModuleContext, what: string, steps: readonly Step[]): Promise<ApplyResult> {
  const opts = taskOpts(ctx);
  const must = async (argv: readonly string[], stdin?: string): Promise<string> => {
    const r = await ctx.conn.run(argv, stdin === undefined ? opts : { ...opts, stdin });
    if (r.rc !== 0) throw new StepFailed(`${argv.join(' ')}: exit ${r.rc}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };
  let ran = 0;
  try {
    for (const s of steps) {
      if ('run' in s) await must(s.run, s.stdin);
      else if ('put' in s) {
        await must(['mkdir', '-p', '--', s.put.slice(0, s.put.lastIndexOf('/'))]);
        await ctx.conn.put(s.put, s.content, { mode: s.mode, become: ctx.become });
      } else if ('reattach' in s) {
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
      ran++;
    }
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    return { changed: ran > 0, failed: true, msg: `${ctx.conn.host}: ${what}: ${e.message}` };
  }
  return { changed: true };
}
