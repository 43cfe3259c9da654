// Everything that decides the guest base image's content. The cache key is a hash of it,
// so changing any input (a package, a baked file) builds a new image next to the old one.
import { createHash } from 'node:crypto';
import { GUEST_BASE_FILES } from './guest-base-files.ts';

/** GUEST_SUITE is the Debian release the guest runs. */
export const GUEST_SUITE = 'bookworm';

/**
 * GUEST_PACKAGES is what debootstrap installs. Why each non-obvious one: linux-image-cloud-amd64
 * has team.ko, sch_sfq and act_police (the host kernel lacks them); libpam-systemd, because
 * without it polkitd (a network-manager dependency) stays unconfigured and debootstrap fails.
 */
export const GUEST_PACKAGES: readonly string[] = [
  'linux-image-cloud-amd64',
  'initramfs-tools',
  'systemd-sysv',
  'libpam-systemd',
  'udev',
  'dbus',
  'kmod',
  'network-manager',
  'libteam-utils',
  'openssh-server',
  'iproute2',
  'iputils-ping',
  'qemu-guest-agent',
  'ethtool',
  'procps',
  // python3: only so ansible-playbook, the reference tsplay is compared with, can run modules here
  'python3',
];

/** IMAGE_RECIPE_VERSION changes when image-build.ts changes how it builds. */
export const IMAGE_RECIPE_VERSION = 6;

/** ImageInputs is the full description of one base image. */
export interface ImageInputs {
  readonly suite: string;
  readonly mirror: string;
  readonly packages: readonly string[];
  readonly recipe: number;
  readonly files: Readonly<Record<string, string>>;
}

/** imageInputs assembles the inputs for the given mirror. */
export function imageInputs(mirror: string): ImageInputs {
  return { suite: GUEST_SUITE, mirror, packages: GUEST_PACKAGES, recipe: IMAGE_RECIPE_VERSION, files: GUEST_BASE_FILES };
}

/** imageKey is the cache directory name for the inputs: 16 hex digits of their sha256. */
export function imageKey(inputs: ImageInputs): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
}
