import { virshArgv } from '../probes/virsh.ts';
import { readLocal } from './support/local-files.ts';
import { taskOpts } from './support/task-opts.ts';
import type { ModuleDef } from './types.ts';
import { runDomainSteps, toolMessage, type DomainPayload } from './virt/domain-steps.ts';
import { installArgsSchema, installArgv, planInstall, type InstallArgs, type InstallCurrent } from './virt/install-plan.ts';

const MISSING = /failed to get domain|Domain not found/;

/** virtInstallModule creates a guest that does not exist yet: image overlay + define, or virt-install from a kickstart or PXE. */
export const virtInstallModule: ModuleDef<InstallArgs, InstallCurrent, DomainPayload> = {
  name: 'virt_install',
  doc: 'Create a guest that does not exist yet from the domain description: image (qcow2 overlay + seed, define, start), kickstart (virt-install --location --initrd-inject of the generated kickstart) or pxe; an existing domain plans nothing.',
  classes: ['live', 'config'],
  schema: installArgsSchema,
  async read(ctx, args) {
    const opts = taskOpts(ctx);
    const [state, overlay] = await ctx.conn.batch([virshArgv('domstate', args.name), ['test', '-e', args.image?.overlay ?? '/nonexistent/tsplay']], opts);
    if (state!.rc === 0) return { exists: true };
    if (!MISSING.test(state!.stderr)) return { exists: false, error: `virsh domstate failed: ${toolMessage(state!)}` };
    let kickstart: InstallCurrent['kickstart'] = null;
    if (args.mode === 'kickstart') {
      // whole: a kickstart is small text the plan shows and puts on the hypervisor
      const src = await readLocal(args.kickstart!, ctx.searchPaths.files, false, true);
      kickstart = 'error' in src ? { error: src.error } : 'content' in src && Buffer.isBuffer(src.content) ? { path: src.path, content: src.content.toString('utf8') } : { error: 'is a directory' };
    }
    let printXml: InstallCurrent['printXml'] = null;
    if (args.mode !== 'image') {
      // what virt-install would define, from the hypervisor's own libvirtd; defines and writes nothing
      // virt-install 4.1 defines (and autostarts) a dir storage pool for a new disk's folder even
      // with --dry-run (seen on the lab): the pools it added are taken away again, so --check writes nothing
      const pools = virshArgv('pool-list', '--all', '--name');
      const [before, r, after] = await ctx.conn.batch([pools, [...installArgv(args, { inject: false }), '--print-xml', '--dry-run'], pools], opts);
      printXml = r!.rc === 0 ? { xml: r!.stdout } : { error: toolMessage(r!) };
      const had = new Set(before!.stdout.split('\n').map((l) => l.trim()));
      for (const pool of after!.stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !had.has(l))) {
        await ctx.conn.run(virshArgv('pool-destroy', pool), opts);
        await ctx.conn.run(virshArgv('pool-undefine', pool), opts);
      }
    }
    return { exists: false, kickstart, overlayExists: overlay!.rc === 0, printXml };
  },
  plan: planInstall,
  async apply(ctx, args, plan) {
    return runDomainSteps(ctx, `domain ${args.name}`, plan.payload?.steps ?? []);
  },
};
