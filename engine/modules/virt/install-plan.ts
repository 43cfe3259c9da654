// The pure plan of virt_install: a guest that does not exist yet, created from the same domain
// description as virt_domain, in one of three modes — `image` (qcow2 overlay on a base image +
// seed disk, defined from XML and started), `kickstart` (virt-install --location with the
// generated kickstart injected into the installer's initrd) or `pxe` (network boot).
import { z } from 'zod';
import { virshArgv } from '../../probes/virsh.ts';
import { aint, astr, abool, moduleArgs, type ArgProblem } from '../support/args.ts';
import type { Change, Plan, PlanContext } from '../types.ts';
import { domainShape, specProblems, type DomainSpec } from './domain-args.ts';
import type { DomainPayload, DomainStep } from './domain-steps.ts';
import { buildDomainTree } from './domain-xml.ts';
import { buildXml } from './xml-tree.ts';

const absPath = domainShape.console_log;
const url = z.url().regex(/^(https?|ftp|nfs):\/\/[^\s'"`\\]+$/, 'an http, ftp or nfs URL without spaces or quotes');

/** installArgsSchema is virt_install's argument schema. */
export const installArgsSchema = moduleArgs(
  {
    ...domainShape,
    mode: z.enum(['image', 'kickstart', 'pxe']),
    /** image mode: the overlay to create on `base`, and an optional seed disk for the first boot */
    image: z.strictObject({ base: absPath, overlay: absPath, seed: absPath.optional(), size: z.number().int().positive().max(65536).optional() }),
    /** kickstart mode: the install tree */
    location: url,
    /** kickstart mode: the kickstart file on the controller (what `tsplay kickstart` wrote: ks/<host>.ks) */
    kickstart: astr,
    /** more installer kernel arguments (one line, no quotes) */
    extra_args: z.string().regex(/^[^\n\r'"`\\]*$/, 'kernel arguments on one line, without quotes'),
    /** virt-install's --os-variant (default: detect from the media, not required) */
    os_variant: z.string().regex(/^[a-z0-9._-]+$/, 'an osinfo short id such as rhel9.4'),
    /** image mode: start the guest once defined (default true) */
    start: abool,
    /**
     * kickstart and pxe modes: minutes virt-install waits for the installer to finish (-1: no limit);
     * then it starts the installed guest itself. Without it virt-install returns while the installer
     * runs, and the guest, whose install-time XML says on_reboot destroy, stays off after it.
     */
    wait: aint.pipe(z.number().min(-1).max(10080)),
  },
  {
    required: ['name', 'mode', 'memory', 'vcpus', 'nics'],
    requiredIf: [
      ['mode', 'image', ['image', 'boot']],
      ['mode', 'kickstart', ['location', 'kickstart']],
    ],
    custom: (a): ArgProblem[] => {
      const out = specProblems(a);
      if (a['mode'] !== 'image' && a['image'] !== undefined) out.push({ code: 'E_ARG_CONFLICT', message: `image is for mode image, not ${String(a['mode'])}`, path: ['image'] });
      if (a['mode'] !== 'kickstart' && (a['location'] !== undefined || a['kickstart'] !== undefined))
        out.push({ code: 'E_ARG_CONFLICT', message: `location and kickstart are for mode kickstart, not ${String(a['mode'])}`, path: [a['location'] !== undefined ? 'location' : 'kickstart'] });
      if (a['mode'] !== 'image' && a['boot'] !== undefined) out.push({ code: 'E_ARG_CONFLICT', message: 'boot is chosen by virt-install in modes kickstart and pxe', path: ['boot'] });
      if (a['mode'] === 'image' && a['wait'] !== undefined)
        out.push({ code: 'E_ARG_CONFLICT', message: 'wait is for virt-install (modes kickstart and pxe); image mode defines and starts at once', path: ['wait'] });
      // virt-install 4.1 escapes these in XML twice (a path with & became &amp;amp; in --print-xml): refuse them
      const odd = /['"&<>\\]/;
      ((a['disks'] as { path: string }[] | undefined) ?? []).forEach((d, i) => {
        if (a['mode'] !== 'image' && odd.test(d.path))
          out.push({ code: 'E_ARG_TYPE', message: 'a disk path virt-install keeps intact: no quotes, &, <, > or backslash', path: ['disks', String(i), 'path'] });
      });
      if (a['mode'] !== 'image' && typeof a['console_log'] === 'string' && odd.test(a['console_log']))
        out.push({ code: 'E_ARG_TYPE', message: 'a console_log path virt-install keeps intact: no quotes, &, <, > or backslash', path: ['console_log'] });
      const ks = a['kickstart'];
      if (typeof ks === 'string' && !/^[A-Za-z0-9_.+-]+$/.test(ks.split('/').pop() ?? ''))
        out.push({ code: 'E_ARG_TYPE', message: 'the kickstart file name (it becomes inst.ks=file:/NAME): letters, digits, _ . + -', path: ['kickstart'] });
      return out;
    },
  },
);

/** InstallArgs are virt_install's checked arguments. */
export type InstallArgs = z.output<typeof installArgsSchema>;

/** InstallCurrent is what read found: whether the domain exists, the kickstart, the overlay, virt-install's --print-xml. */
export interface InstallCurrent {
  readonly exists: boolean;
  readonly error?: string | null | undefined;
  /** kickstart mode: the file read on the controller */
  readonly kickstart?: { readonly path: string; readonly content: string } | { readonly error: string } | null | undefined;
  /** image mode: the overlay file is already there */
  readonly overlayExists?: boolean | undefined;
  /** `virt-install … --print-xml --dry-run` on the hypervisor: its stdout, or its error */
  readonly printXml?: { readonly xml: string } | { readonly error: string } | null | undefined;
}

/** KS_DIR is where the kickstart goes on the hypervisor before virt-install injects it. */
export const KS_DIR = '/var/lib/tsplay/kickstart';

// virt-install splits sub-options with a POSIX shlex whose only separator is the comma: a value
// with a comma, quote or backslash goes in single quotes (a quote inside as '"'"')
const opt = (v: string): string => (/^[^,'"\\]*$/.test(v) ? v : `'${v.replace(/'/g, `'"'"'`)}'`);

/** ksTarget is where the kickstart lands on the hypervisor and its name inside the initrd. */
export function ksTarget(args: InstallArgs): { path: string; name: string } {
  const name = (args.kickstart ?? '').split('/').pop() ?? 'ks.cfg';
  return { path: `${KS_DIR}/${args.name}/${name}`, name };
}

/** installArgv is the virt-install command of modes kickstart and pxe (argv words, never a shell line). */
export function installArgv(args: InstallArgs, opts: { inject: boolean }): string[] {
  const a = ['virt-install', '--connect', 'qemu:///system', '--name', args.name, '--memory', String(args.memory), '--vcpus', String(args.vcpus)];
  if (args.type) a.push('--virt-type', args.type);
  if (args.arch) a.push('--arch', args.arch);
  if (args.machine) a.push('--machine', args.machine);
  if (args.cpu) a.push('--cpu', args.cpu === 'host-passthrough' ? 'host-passthrough' : `${args.cpu},match=exact`);
  if (args.mode === 'kickstart') {
    const ks = ksTarget(args);
    a.push('--location', args.location!);
    if (opts.inject) a.push('--initrd-inject', ks.path);
    a.push(
      '--extra-args',
      [
        `inst.ks=file:/${ks.name}`,
        'console=ttyS0',
        ...(args.extra_args ?? '')
          .trim()
          .split(/\s+/)
          .filter((w) => w !== ''),
      ].join(' '),
    );
  } else a.push('--pxe');
  for (const d of args.disks ?? []) {
    a.push(
      '--disk',
      [
        `path=${opt(d.path)}`,
        `format=${d.format}`,
        `bus=${d.bus}`,
        `target.dev=${d.target}`,
        ...(d.size ? [`size=${d.size}`] : []),
        ...(d.cache ? [`cache=${d.cache}`] : []),
        ...(d.readonly ? ['readonly=on'] : []),
      ].join(','),
    );
  }
  for (const n of args.nics ?? []) a.push('--network', `network=${n.network},mac=${n.mac.toLowerCase()},model=${n.model}`);
  if (args.console_log) a.push('--serial', `file,path=${opt(args.console_log)}`);
  if (args.guest_agent) a.push('--channel', 'unix,target.type=virtio,target.name=org.qemu.guest_agent.0');
  if (args.rng) a.push('--rng', '/dev/urandom');
  if (args.memballoon !== undefined) a.push('--memballoon', args.memballoon ? 'virtio' : 'none');
  // virt-install has no option for TCG's translation cache: its --xml edits put the element
  // virt_domain writes (in KiB, as libvirt reports it) into both the install and the final XML
  if (args.tb_cache !== undefined) a.push('--xml', `./features/tcg/tb-cache=${args.tb_cache * 1024}`, '--xml', './features/tcg/tb-cache/@unit=KiB');
  a.push(...(args.os_variant ? ['--os-variant', args.os_variant] : ['--osinfo', 'detect=on,require=off']));
  a.push('--graphics', 'none', '--noautoconsole');
  if (args.wait !== undefined) a.push('--wait', String(args.wait));
  return a;
}

/** imageTree is the domain image mode defines: the overlay as vda, the seed (read-only raw) as vdb, then the listed disks. */
export function imageSpec(args: InstallArgs): DomainSpec {
  const img = args.image!;
  return {
    ...(args as DomainSpec),
    type: args.type ?? 'kvm',
    disks: [
      { path: img.overlay, format: 'qcow2', target: 'vda', bus: 'virtio', readonly: false },
      ...(img.seed ? [{ path: img.seed, format: 'raw' as const, target: 'vdb', bus: 'virtio' as const, readonly: true }] : []),
      ...(args.disks ?? []),
    ],
  };
}

/** planInstall is the pure plan of virt_install. */
export function planInstall(args: InstallArgs, cur: InstallCurrent, ctx: Pick<PlanContext, 'host'>): Plan<DomainPayload> {
  const name = args.name;
  const where = `host ${ctx.host}: domain ${name}`;
  if (cur.error) return { changes: [], failed: true, msg: `${where}: ${cur.error}` };
  const result: Record<string, unknown> = { domain: name, mode: args.mode };
  if (cur.exists) return { changes: [], reason: `domain ${name} exists: virt_install only creates guests (virt_domain converges them)`, result };
  const changes: Change[] = [];
  const steps: DomainStep[] = [];
  // virt-install has no option for <bandwidth> (and link state is virt_domain's too); image mode's XML has both
  const later = (args.nics ?? []).filter((n) => n.bandwidth || n.link === 'down').map((n) => n.mac.toLowerCase());
  if (later.length > 0 && args.mode !== 'image') result['converge_with_virt_domain'] = later;

  if (args.mode === 'image') {
    const img = args.image!;
    if (cur.overlayExists)
      return { changes, failed: true, msg: `${where}: ${img.overlay} already exists and the domain does not; remove the stale overlay first (virt_install never overwrites a disk)`, result };
    const xml = buildXml('domain', buildDomainTree(imageSpec(args)));
    // started in this same task, the new guest runs what was defined; not started, nothing runs
    // that could wait for a restart: either way nothing is pending
    const cls = args.start === false ? ({ class: 'config', idle: true } as const) : ({ class: 'live' } as const);
    changes.push({ property: 'overlay', before: null, after: `${img.overlay} on ${img.base}`, ...cls });
    // qemu-img creates no directories; a new guest's folder usually does not exist yet
    steps.push({ run: ['mkdir', '-p', '--', img.overlay.slice(0, img.overlay.lastIndexOf('/')) || '/'] });
    steps.push({ run: ['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', img.base, '--', img.overlay, ...(img.size ? [`${img.size}G`] : [])] });
    changes.push({ property: 'definition', before: null, after: name, ...cls });
    steps.push({ run: virshArgv('define', '/dev/stdin'), stdin: xml });
    if (args.start !== false) {
      changes.push({ property: 'state', before: 'absent', after: 'running', class: 'live' });
      steps.push({ run: virshArgv('start', name) });
    }
    return { changes, result: { ...result, domain_xml: xml }, payload: { steps } };
  }

  if (args.mode === 'kickstart') {
    const ks = cur.kickstart;
    if (!ks || 'error' in ks) return { changes, failed: true, msg: `${where}: kickstart ${args.kickstart}: ${ks && 'error' in ks ? ks.error : 'not read'}`, result };
    const target = ksTarget(args);
    // read by the installer this same task starts: nothing waits for a restart (class config would report one)
    changes.push({ property: 'kickstart', before: null, after: target.path, class: 'live', diff: { path: target.path, before: '', after: ks.content } });
    steps.push({ put: target.path, content: ks.content, mode: '0600' });
  }
  // virt-install creates a new disk only in an existing folder
  const dirs = [...new Set((args.disks ?? []).filter((d) => d.size).map((d) => d.path.slice(0, d.path.lastIndexOf('/')) || '/'))];
  if (dirs.length > 0) steps.push({ run: ['mkdir', '-p', '--', ...dirs] });
  const argv = installArgv(args, { inject: true });
  changes.push({ property: 'install', before: null, after: argv, class: 'live' });
  // what the hypervisor's virt-install would define (the installer's XML, then the installed
  // guest's), as a diff so -D shows it; virt-install itself defines it in the step above
  if (cur.printXml && 'xml' in cur.printXml)
    changes.push({ property: 'definition', before: null, after: name, class: 'live', diff: { path: `domain ${name} (virt-install --print-xml)`, before: '', after: cur.printXml.xml } });
  steps.push({ run: argv });
  if (cur.printXml) result['xml' in cur.printXml ? 'domain_xml' : 'print_xml_error'] = 'xml' in cur.printXml ? cur.printXml.xml : cur.printXml.error;
  return { changes, result: { ...result, virt_install: argv }, payload: { steps } };
}
