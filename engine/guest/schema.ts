import { z } from 'zod';
import type { Vars } from '../inventory/types.ts';
import { knownTimezone, ZONEINFO_DIR } from './timezone.ts';

const ifname = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'an interface name: 1-15 letters, digits, _ . -');
const count = z.number().int().nonnegative();
// values that end up on kickstart, boot-loader and shell lines: one word, no quotes, no control characters
const word = (what: string) => z.string().regex(/^[^\s'"`\\#]+$/, `${what}: one word without quotes, # or spaces`);
const url = z.url().regex(/^[^\s'"`\\]+$/, 'a URL without spaces or quotes');
const netName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a libvirt network name: letters, digits, _ . -');

/** TEAM_RUNNERS are teamd's runners (man teamd.conf). */
export const TEAM_RUNNERS = ['activebackup', 'roundrobin', 'loadbalance', 'lacp', 'broadcast', 'random'] as const;

// libvirt's <bandwidth> units: average and peak in KiB/s, burst in KiB
const bandwidthDir = z.strictObject({
  average: z.number().int().positive(),
  peak: z.number().int().positive().optional(),
  burst: z.number().int().positive().optional(),
});

/** nicSchema is one NIC of a guest: name, MAC, libvirt network, model and bandwidth. */
export const nicSchema = z.strictObject({
  name: ifname,
  mac: z.string(),
  network: netName,
  model: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('virtio'),
  bandwidth: z.strictObject({ inbound: bandwidthDir.optional(), outbound: bandwidthDir.optional() }).optional(),
  /** the emulated NIC's link (virsh domif-setlink); default up */
  link: z.enum(['up', 'down']).optional(),
  /** a static address with its prefix: the source of the NIC's DHCP host and DNS host on its network */
  address: z.cidrv4('an IPv4 address with its prefix length, e.g. 10.61.1.11/24').optional(),
});

const linkWatchSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('ethtool'), delay_up: count.optional(), delay_down: count.optional() }),
  z.strictObject({
    name: z.literal('arp_ping'),
    source_host: z.ipv4().optional(),
    target_host: z.ipv4(),
    interval: count.optional(),
    init_wait: count.optional(),
    missed_max: count.optional(),
    validate_active: z.boolean().optional(),
    validate_inactive: z.boolean().optional(),
    send_always: z.boolean().optional(),
    vlanid: count.optional(),
  }),
  z.strictObject({
    name: z.literal('nsna_ping'),
    target_host: z.ipv6(),
    interval: count.optional(),
    init_wait: count.optional(),
    missed_max: count.optional(),
  }),
]);

// teamd keeps prio in an int32 and the LACP values in 16 bits (team-port.prio, lacp-prio, lacp-key in NM)
const portSchema = z.strictObject({
  nic: ifname,
  prio: z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1)
    .optional(),
  sticky: z.boolean().optional(),
  queue_id: count.optional(),
  lacp_prio: count.max(65535).optional(),
  lacp_key: count.max(65535).optional(),
});

// bursts of gratuitous ARP/unsolicited NA (notify_peers) or multicast rejoins after a port change
const burstSchema = z.strictObject({ count: count.max(255).optional(), interval: count.optional() });

const ipv4Schema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('dhcp'), dns: z.array(z.ipv4()).default([]) }),
  z.strictObject({
    method: z.literal('static'),
    // zod's own message ("Invalid IPv4 range") does not say that only the prefix length is missing
    address: z.cidrv4({
      error: (i) =>
        typeof i.input === 'string' && z.ipv4().safeParse(i.input).success
          ? `${i.input} has no prefix length: write it as ${i.input}/24 (the /NN of its network)`
          : 'an IPv4 address with its prefix length, e.g. 192.168.100.17/24',
    }),
    gateway: z.ipv4().optional(),
    dns: z.array(z.ipv4()).default([]),
  }),
]);

/** teamSchema is a guest's `team` value: what the kickstart writes and what nm_team converges. */
export const teamSchema = z.strictObject({
  device: ifname.default('team0'),
  runner: z.enum(TEAM_RUNNERS),
  /** extra runner keys passed through to teamd (tx_hash, hwaddr_policy, active, fast_rate ...) */
  runner_options: z.record(z.string(), z.unknown()).default({}),
  link_watch: z.union([linkWatchSchema, z.array(linkWatchSchema).min(1)]).default({ name: 'ethtool' }),
  notify_peers: burstSchema.optional(),
  mcast_rejoin: burstSchema.optional(),
  ports: z.array(portSchema).min(1),
  ipv4: ipv4Schema,
});

/** TeamIssue is a problem a team has with the NICs around it, at its path inside the team. */
export interface TeamIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** teamPortIssues finds ports that are not among the NICs or are listed twice (one check for kickstart and nm_team). */
export function teamPortIssues(ports: readonly { nic: string }[], nicNames: readonly string[]): TeamIssue[] {
  const out: TeamIssue[] = [];
  ports.forEach((p, i) => {
    if (!nicNames.includes(p.nic)) out.push({ path: ['ports', i, 'nic'], message: `port ${p.nic} is not one of the guest's nics (${nicNames.join(', ')})` });
    if (ports.findIndex((q) => q.nic === p.nic) !== i) out.push({ path: ['ports', i, 'nic'], message: `port ${p.nic} is listed twice` });
  });
  return out;
}

const partitionSchema = z.strictObject({
  mount: z.string().regex(/^(\/[^\s]*|swap|biosboot)$/, 'a mount point, swap or biosboot'),
  size: z.number().int().positive(),
  grow: z.boolean().default(false),
  fstype: z
    .string()
    .regex(/^[a-z0-9]+$/, 'a file system type such as xfs')
    .optional(),
});

const diskSchema = z.strictObject({
  device: z
    .string()
    .regex(/^[a-z0-9]+$/)
    .default('vda'),
  /** auto = autopart (LVM), plain = autopart without LVM, custom = the partitions list */
  layout: z.enum(['auto', 'plain', 'custom']).default('auto'),
  partitions: z.array(partitionSchema).default([]),
});

const pxeSchema = z.strictObject({
  kernel: word('a kernel path'),
  initrd: word('an initrd path'),
  next_server: z.ipv4(),
  /** where installers fetch DIR over HTTP; default http://<next_server>/ */
  ks_base_url: url.optional(),
  /** the NIC that PXE-boots; default the first team port */
  boot_nic: ifname.optional(),
  extra_args: z
    .string()
    .regex(/^[^\n\r'"`\\]*$/, 'kernel arguments on one line, without quotes')
    .default(''),
  /** EL7 only: use the old `ks=` / `ksdevice=` spelling instead of `inst.ks=` */
  legacy_ks: z.boolean().default(false),
});

/** INSTALL_MODES: kickstart and pxe guests get a kickstart and PXE entries; image guests boot an overlay of a base image. */
export const INSTALL_MODES = ['kickstart', 'pxe', 'image'] as const;

const installSchema = z.strictObject({
  mode: z.enum(INSTALL_MODES).default('kickstart'),
  /** why this guest is not installed where the inventory runs (its kickstart is still written, the install is only planned) */
  skip: z.string().min(1).optional(),
});

/** guestShape is the guest description's fields, without the checks that relate one field to another. */
export const guestShape = z.strictObject({
  os: z.string(),
  hostname: z.string().regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'a host name (letters, digits, -, dots)'),
  timezone: z
    .string()
    .regex(/^[A-Za-z0-9_+/-]+$/, 'a time zone such as Europe/Berlin')
    .default('UTC'),
  lang: z
    .string()
    .regex(/^[A-Za-z0-9_.@-]+$/, 'a locale such as en_US.UTF-8')
    .default('en_US.UTF-8'),
  keyboard: z
    .string()
    .regex(/^[A-Za-z0-9_()-]+$/, 'a keyboard layout such as us')
    .default('us'),
  timeservers: z.array(z.string().regex(/^[A-Za-z0-9.:-]+$/, 'an NTP server name or address')).default([]),
  selinux: z.enum(['enforcing', 'permissive', 'disabled']).default('enforcing'),
  root: z
    .strictObject({
      /** required by the kickstart generator (KICKSTART_REQUIRED); an image-mode guest keeps its image's */
      password_hash: z
        .string()
        .regex(/^\$(1|5|6|y|2b)\$[^\s]+$/, 'a crypt(3) hash such as $6$salt$... (never a plain password)')
        .optional(),
      ssh_keys: z.array(z.string().regex(/^(ssh|ecdsa|sk)-[^\s]+ [A-Za-z0-9+/=]+( .*)?$/, 'an OpenSSH public key line')).default([]),
    })
    .default({ ssh_keys: [] }),
  disk: diskSchema.default({ device: 'vda', layout: 'auto', partitions: [] }),
  // one %packages line each: a package, glob, @group, @^environment or -exclusion, never a section
  packages: z.array(z.string().regex(/^-?(@\^?)?[A-Za-z0-9*][A-Za-z0-9 _.+:*-]*$/, 'a package, @group, @^environment or -package')).default([]),
  /** the install tree; required by the kickstart generator */
  install_url: url.optional(),
  repos: z.array(z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_.-]+$/), url })).default([]),
  nics: z.array(nicSchema).min(1),
  team: teamSchema,
  team_fallback: z.enum(['bond', 'refuse']).default('bond'),
  /** required by the kickstart generator (PXE entries) */
  pxe: pxeSchema.optional(),
  install: installSchema.default({ mode: 'kickstart' }),
});

/** GuestParts is a guest description of which only some fields may be valid (the others are absent). */
export type GuestParts = { [K in keyof z.infer<typeof guestShape>]?: z.infer<typeof guestShape>[K] };

/**
 * guestIssues checks what relates fields to each other or to the controller (the zone database),
 * on whichever fields are valid: a mistake elsewhere in the guest never hides these.
 */
export function guestIssues(g: GuestParts): GuestIssue[] {
  const out: GuestIssue[] = [];
  const add = (path: (string | number)[], message: string): void => void out.push({ path, message });
  const names = g.nics?.map((n) => n.name);
  g.nics?.forEach((n, i) => {
    if (names!.indexOf(n.name) !== i) add(['nics', i, 'name'], `NIC name ${n.name} is used twice`);
  });
  if (names && g.team) for (const issue of teamPortIssues(g.team.ports, names)) add(['team', ...issue.path], issue.message);
  if (names && g.pxe?.boot_nic && !names.includes(g.pxe.boot_nic)) add(['pxe', 'boot_nic'], `boot_nic ${g.pxe.boot_nic} is not one of the guest's nics`);
  if (g.disk?.layout === 'custom') {
    const mounts = g.disk.partitions.map((p) => p.mount);
    if (g.disk.partitions.length === 0) add(['disk', 'partitions'], 'layout custom needs a partitions list');
    else {
      if (!mounts.includes('/')) add(['disk', 'partitions'], 'layout custom has no / partition: the installer stops and asks for one');
      // every guest gets a UEFI GRUB entry (grub2/grub.cfg-01-<mac>); booted that way, the installer wants an EFI system partition
      if (!mounts.includes('/boot/efi')) add(['disk', 'partitions'], 'layout custom has no /boot/efi partition, but UEFI GRUB entries are generated: add { mount: /boot/efi, size: 600 } (fstype efi)');
    }
  }
  if (g.timezone !== undefined && knownTimezone(g.timezone) === false) {
    add(['timezone'], `"${g.timezone}" is not in the zone database (${ZONEINFO_DIR}); the installer would silently install UTC instead`);
  }
  return out;
}

/** guestSchema is the one description of a guest that drives its kickstart and PXE entries. */
export const guestSchema = guestShape.superRefine((g, ctx) => {
  for (const i of guestIssues(g)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
});

/** Guest is a validated guest description with defaults filled in. */
export type Guest = z.infer<typeof guestSchema>;
/** KickstartGuest is a guest with what the kickstart generator needs beyond the schema: install tree, root password, PXE entries. */
export type KickstartGuest = Guest & { install_url: string; pxe: NonNullable<Guest['pxe']>; root: Guest['root'] & { password_hash: string } };

/** isKickstartGuest says whether a valid guest has everything its kickstart and PXE entries need. */
export function isKickstartGuest(g: Guest): g is KickstartGuest {
  return g.install_url !== undefined && g.pxe !== undefined && g.root.password_hash !== undefined;
}

/** GuestNic is one NIC of a guest. */
export type GuestNic = Guest['nics'][number];
/** GuestTeam is the team (or, on RHEL 10, bond) a guest's NICs join. */
export type GuestTeam = Guest['team'];
/** LinkWatch is one teamd link watcher. */
export type LinkWatch = z.infer<typeof linkWatchSchema>;

/** GuestIssue is one schema problem: the var path (e.g. `guest.team.ports[1].prio`) and the message. */
export interface GuestIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** deepMerge overlays `top` on `base`: mappings merge key by key, everything else is replaced. */
export function deepMerge(base: unknown, top: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(top)) return top === undefined ? base : top;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(top)) out[k] = deepMerge(base[k], v);
  return out;
}

/** ParsedGuest is a guest read in one pass: every issue, the valid fields, and the guest when there is no issue. */
export interface ParsedGuest {
  readonly guest?: Guest | undefined;
  readonly parts: GuestParts;
  readonly issues: GuestIssue[];
}

/**
 * parseGuestParts reads a host's `guest` var, laid over `guest_defaults`, and reports every issue at
 * once: the schema's, and the cross-field checks run on the fields that are valid, so a mistake in
 * group vars does not hide the next round of mistakes until it is fixed.
 */
export function parseGuestParts(vars: Vars): ParsedGuest {
  if (vars['guest'] === undefined) return { parts: {}, issues: [{ path: [], message: 'the host has no `guest` variable' }] };
  const raw = rawGuest(vars);
  const whole = guestShape.safeParse(raw);
  const toIssues = (e: z.ZodError): GuestIssue[] => e.issues.map((i) => ({ path: i.path.filter((p): p is string | number => typeof p !== 'symbol'), message: i.message }));
  if (whole.success) {
    const issues = guestIssues(whole.data);
    return issues.length === 0 ? { guest: whole.data, parts: whole.data, issues } : { parts: whole.data, issues };
  }
  const parts: Record<string, unknown> = {};
  const fields = isPlainObject(raw) ? raw : {};
  for (const [key, schema] of Object.entries(guestShape.shape)) {
    const r = (schema as z.ZodType).safeParse(fields[key]);
    if (r.success) parts[key] = r.data;
  }
  return { parts: parts as GuestParts, issues: [...toIssues(whole.error), ...guestIssues(parts as GuestParts)] };
}

/** rawGuest is a host's `guest` laid over `guest_defaults`, before the schema (undefined when the host has none). */
export function rawGuest(vars: Vars): unknown {
  return vars['guest'] === undefined ? undefined : deepMerge(vars['guest_defaults'] ?? {}, vars['guest']);
}

/** installModeOf is a host's `guest.install.mode` as written (kickstart when absent or not a mode). */
export function installModeOf(vars: Vars): (typeof INSTALL_MODES)[number] {
  const raw = rawGuest(vars);
  const install = isPlainObject(raw) ? raw['install'] : undefined;
  const mode = isPlainObject(install) ? install['mode'] : undefined;
  return INSTALL_MODES.find((m) => m === mode) ?? 'kickstart';
}

/**
 * kickstartIssues names what the kickstart generator needs that the schema leaves optional (an
 * image-mode guest has no install tree, root password or PXE entry): one issue per missing field.
 */
export function kickstartIssues(vars: Vars): GuestIssue[] {
  const raw = rawGuest(vars);
  if (!isPlainObject(raw)) return [];
  const out: GuestIssue[] = [];
  const need = 'is required for a kickstart (install.mode kickstart or pxe)';
  if (raw['install_url'] === undefined) out.push({ path: ['install_url'], message: `install_url ${need}` });
  if (raw['pxe'] === undefined) out.push({ path: ['pxe'], message: `pxe ${need}` });
  const root = raw['root'];
  if (root === undefined || (isPlainObject(root) && root['password_hash'] === undefined)) out.push({ path: ['root', 'password_hash'], message: `root.password_hash ${need}` });
  return out;
}

/** parseGuest reads and validates a host's guest description (see parseGuestParts). */
export function parseGuest(vars: Vars): { guest: Guest } | { issues: GuestIssue[] } {
  const p = parseGuestParts(vars);
  return p.guest ? { guest: p.guest } : { issues: p.issues };
}

/** formatVarPath renders `['team','ports',1,'prio']` as `guest.team.ports[1].prio`. */
export function formatVarPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : `${acc}.${p}`), 'guest');
}
