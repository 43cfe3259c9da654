// What virt_domain and virt_install hand to apply: the virt steps plus a graceful stop (shutdown,
// wait for "shut off" up to a timeout, then destroy). A failure names the host, the object and
// the tool's own message.
import type { Argv } from '../../connection/types.ts';
import { virshArgv } from '../../probes/virsh.ts';
import { taskOpts } from '../support/task-opts.ts';
import type { ApplyResult, ModuleContext } from '../types.ts';
import type { Step } from './steps.ts';

/** DomainStep is one thing apply does for a domain, in order. */
export type DomainStep =
  | Extract<Step, { run: Argv } | { put: string }>
  | { readonly stop: { readonly domain: string; readonly timeout: number } };

/** DomainPayload is the plan's payload for virt_domain and virt_install. */
export interface DomainPayload {
  readonly steps: readonly DomainStep[];
}

class StepFailed extends Error {}

/** toolMessage is a tool's own error message: its stderr (or stdout) without trailing noise. */
export function toolMessage(r: { stdout: string; stderr: string }): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n').filter((l) => l.trim() !== '').join('; ');
}

/**
 * runDomainSteps carries out a domain plan's steps; the first failure fails the task with
 * "host H: OBJECT: command: message", reporting changed when an earlier step ran.
 */
export async function runDomainSteps(ctx: ModuleContext, object: string, steps: readonly DomainStep[]): Promise<ApplyResult> {
  const opts = taskOpts(ctx);
  const where = `host ${ctx.host}: ${object}`;
  const must = async (argv: Argv, stdin?: string): Promise<string> => {
    const r = await ctx.conn.run(argv, stdin === undefined ? opts : { ...opts, stdin });
    const tool = argv[0] === 'virsh' ? `virsh ${argv[3] ?? ''}` : argv[0];
    if (r.rc !== 0) throw new StepFailed(`${where}: ${tool} failed (exit ${r.rc}): ${toolMessage(r)}`);
    return r.stdout;
  };
  let ran = 0;
  try {
    for (const s of steps) {
      if ('run' in s) await must(s.run, s.stdin);
      else if ('put' in s) {
        await must(['mkdir', '-p', '--', s.put.slice(0, s.put.lastIndexOf('/'))]);
        await ctx.conn.put(s.put, s.content, { mode: s.mode, become: ctx.become });
      } else {
        const { domain, timeout } = s.stop;
        await must(virshArgv('shutdown', domain));
        const deadline = Date.now() + timeout * 1000;
        let off = false;
        while (!off && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000));
          off = /^shut off/.test((await must(virshArgv('domstate', domain))).trim());
        }
        // the guest ignored ACPI shutdown (or has no OS yet): pull the plug, as the task asked for it off
        if (!off) await must(virshArgv('destroy', domain));
      }
      ran++;
    }
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    return { changed: ran > 0, failed: true, msg: e.message };
  }
  return { changed: true };
}
