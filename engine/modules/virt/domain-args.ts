// The domain description virt_domain and virt_install share: the guest description's `nics`
// unchanged, plus what libvirt needs beyond it (memory, vCPUs, disks, boot). Every value that
// reaches virsh or the XML is checked here, at load time, with its path.
import { z } from 'zod';
import { nicSchema } from '../../guest/schema.ts';
import { MAC_RE } from '../../template/ipaddr.ts';
import { abool, type ArgProblem } from '../support/args.ts';

/** DOMAIN_NAME_RE is what tsplay accepts as a libvirt domain name (also a file name on the hypervisor). */
export const DOMAIN_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/;
/** domainName is the schema of a domain name argument. */
export const domainName = z.string().regex(DOMAIN_NAME_RE, 'a libvirt domain name: letters, digits, _ . + - (at most 64)');

// an absolute path without control characters: it goes into XML (escaped) or an argv word, never a shell
const absPath = z
  .string()
  .regex(/^\/[^\0\n\r]*$/, 'an absolute path on the hypervisor')
  .refine((p) => !p.split('/').includes('..'), 'a path without ..');
const devName = z.string().regex(/^[a-z]{2,3}[a-z]{1,2}$/, 'a disk target such as vda');

/** diskSchema is one disk: a file on the hypervisor and where the guest sees it. */
export const diskSchema = z.strictObject({
  path: absPath,
  format: z.enum(['qcow2', 'raw']).default('qcow2'),
  target: devName,
  bus: z.enum(['virtio', 'sata', 'scsi', 'ide']).default('virtio'),
  readonly: abool.default(false),
  cache: z.enum(['none', 'writeback', 'writethrough', 'directsync', 'unsafe']).optional(),
  /** GiB, only for a disk virt_install creates */
  size: z.number().int().positive().max(65536).optional(),
});

const bootSchema = z.union([
  /** direct kernel boot, as the lab's guests do */
  z.strictObject({
    kernel: absPath,
    initrd: absPath.optional(),
    cmdline: z
      .string()
      .regex(/^[^\0\n\r]*$/, 'kernel arguments on one line')
      .optional(),
  }),
  z.strictObject({ devices: z.array(z.enum(['hd', 'network', 'cdrom'])).min(1) }),
]);

/** domainShape are the description's keys, shared by virt_domain and virt_install. */
export const domainShape = {
  name: domainName,
  /** libvirt's domain type: kvm, or qemu (TCG) where /dev/kvm is missing */
  type: z.enum(['kvm', 'qemu']),
  arch: z.string().regex(/^[a-z0-9_]+$/, 'an architecture such as x86_64'),
  /** machine type; an alias (pc, q35) matches libvirt's expansion (pc-i440fx-7.2) */
  machine: z.string().regex(/^[a-z0-9_.-]+$/, 'a machine type such as pc or q35'),
  /** MiB */
  memory: z
    .number()
    .int()
    .positive()
    .max(16 * 1024 * 1024),
  vcpus: z.number().int().positive().max(4096),
  /** a named CPU model (custom, exact, fallback allowed) or host-passthrough */
  cpu: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a CPU model such as qemu64 or host-passthrough'),
  boot: bootSchema,
  disks: z.array(diskSchema),
  /** the guest description's `nics`, unchanged */
  nics: z.array(nicSchema),
  /** the serial console goes to this file (else a pty) */
  console_log: absPath,
  guest_agent: abool,
  rng: abool,
  memballoon: abool,
  /** TCG translation cache in MiB (qemu 7.2 reserves 1 GiB per guest without it) */
  tb_cache: z.number().int().positive().max(65536),
};

/** DomainSpec is a described domain, after its schema. */
export interface DomainSpec {
  readonly name: string;
  readonly type?: 'kvm' | 'qemu' | undefined;
  readonly arch?: string | undefined;
  readonly machine?: string | undefined;
  readonly memory?: number | undefined;
  readonly vcpus?: number | undefined;
  readonly cpu?: string | undefined;
  readonly boot?: { kernel: string; initrd?: string | undefined; cmdline?: string | undefined } | { devices: ('hd' | 'network' | 'cdrom')[] } | undefined;
  readonly disks?: readonly z.output<typeof diskSchema>[] | undefined;
  readonly nics?: readonly z.output<typeof nicSchema>[] | undefined;
  readonly console_log?: string | undefined;
  readonly guest_agent?: boolean | undefined;
  readonly rng?: boolean | undefined;
  readonly memballoon?: boolean | undefined;
  readonly tb_cache?: number | undefined;
}

/** specProblems are the checks across a description's keys: MACs, duplicate MACs and disk targets. */
export function specProblems(a: Readonly<Record<string, unknown>>): ArgProblem[] {
  const out: ArgProblem[] = [];
  const nics = (a['nics'] as { mac: string }[] | undefined) ?? [];
  const seen = new Set<string>();
  nics.forEach((n, i) => {
    if (!MAC_RE.test(n.mac))
      out.push({ code: 'E_ARG_TYPE', message: `a MAC address: six hex pairs with colons, e.g. 52:54:00:12:34:56 (got ${JSON.stringify(n.mac)})`, path: ['nics', String(i), 'mac'] });
    else if (seen.has(n.mac.toLowerCase())) out.push({ code: 'E_ARG_CONFLICT', message: `MAC ${n.mac} is listed twice`, path: ['nics', String(i), 'mac'] });
    seen.add(n.mac.toLowerCase());
  });
  const disks = (a['disks'] as { target: string }[] | undefined) ?? [];
  disks.forEach((d, i) => {
    if (disks.findIndex((e) => e.target === d.target) !== i) out.push({ code: 'E_ARG_CONFLICT', message: `disk target ${d.target} is used twice`, path: ['disks', String(i), 'target'] });
  });
  return out;
}
