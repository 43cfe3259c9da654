// What virt_domain and virt_install hand to apply: the virt steps plus a graceful stop (shutdown,
// wait for "shut off" up to a timeout, then destroy). A failure names the host, the object and
// the tool's own message.
import { virshArgv } from '../../probes/virsh.ts';
import type { ApplyResult, ModuleContext } from '../types.ts';
import { type BaseStep, walkSteps } from './run-steps.ts';

/** DomainStep is one thing apply does for a domain, in order. */
export type DomainStep = BaseStep | { readonly stop: { readonly domain: string; readonly timeout: number } };

/** DomainPayload is the plan's payload for virt_domain and virt_install. */
export interface DomainPayload {
  readonly steps: readonly DomainStep[];
}

/** toolMessage is a tool's own error message: its stderr (or stdout) without trailing noise. */
export function toolMessage(r: { stdout: string; stderr: string }): string {
  return (r.stderr.trim() || r.stdout.trim())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .join('; ');
}

/**
 * runDomainSteps carries out a domain plan's steps (the shared walker, plus the graceful stop);
 * a failure names the host, the object and the tool's own message.
 */
export function runDomainSteps(ctx: ModuleContext, object: string, steps: readonly DomainStep[]): Promise<ApplyResult> {
  return walkSteps<Extract<DomainStep, { stop: unknown }>>(ctx, object, steps, async (s, must) => {
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
  });
}
