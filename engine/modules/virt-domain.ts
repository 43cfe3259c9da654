import { virshArgv } from '../probes/virsh.ts';
import { taskOpts } from './support/task-opts.ts';
import type { ModuleContext, ModuleDef } from './types.ts';
import { domainArgsSchema, planDomain, type DomainArgs, type DomainCurrent } from './virt/domain-plan.ts';
import { runDomainSteps, toolMessage, type DomainPayload } from './virt/domain-steps.ts';

const MISSING = /failed to get domain|Domain not found/;

/** readDomain reads a domain's state, inactive and live XML and autostart flag in one round trip. */
export async function readDomain(ctx: ModuleContext, name: string): Promise<DomainCurrent> {
  const [state, inactive, live, info] = await ctx.conn.batch(
    [virshArgv('domstate', '--reason', name), virshArgv('dumpxml', '--inactive', name), virshArgv('dumpxml', name), virshArgv('dominfo', name)],
    taskOpts(ctx),
  );
  if (state!.rc !== 0) {
    if (MISSING.test(state!.stderr)) return { domstate: null, inactive: null, live: null, dominfo: null };
    return { domstate: null, inactive: null, live: null, dominfo: null, error: `virsh domstate failed: ${toolMessage(state!)}` };
  }
  for (const [what, r] of [
    ['dumpxml --inactive', inactive!],
    ['dominfo', info!],
  ] as const) {
    if (r.rc !== 0) return { domstate: state!.stdout, inactive: null, live: null, dominfo: null, error: `virsh ${what} failed: ${toolMessage(r)}` };
  }
  const running = !/^(shut off|crashed)/.test(state!.stdout.trim());
  return { domstate: state!.stdout, inactive: inactive!.stdout, live: running && live!.rc === 0 ? live!.stdout : null, dominfo: info!.stdout };
}

/** virtDomainModule converges a libvirt domain from the guest description (or a full XML): definition, NICs live where libvirt can, state and autostart. */
export const virtDomainModule: ModuleDef<DomainArgs, DomainCurrent, DomainPayload> = {
  name: 'virt_domain',
  doc: 'Converge a libvirt domain from a description (memory, vCPUs, disks, one interface per guest NIC, boot) or a full XML: NIC link, hot-plug and bandwidth live; other changes for the next start (pending restart); machine type only with allow_restart; state running/shutoff/absent, autostart.',
  classes: ['live', 'config', 'restart'],
  schema: domainArgsSchema,
  read: (ctx, args) => readDomain(ctx, args.name),
  plan: planDomain,
  async apply(ctx, args, plan) {
    return runDomainSteps(ctx, `domain ${args.name}`, plan.payload?.steps ?? []);
  },
};
