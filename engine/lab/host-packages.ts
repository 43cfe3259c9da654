// Step "packages": installs the host's Debian packages the lab needs, only those missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mustRun, runTool } from './lab-host.ts';

/** LAB_PACKAGES is what a fresh Debian 12 host needs to run the lab (FIELD-NOTES' verified list). */
const LAB_PACKAGES: readonly string[] = [
  'qemu-system-x86',
  'qemu-utils',
  'libvirt-daemon',
  'libvirt-daemon-driver-qemu',
  'libvirt-clients',
  // roles/kvm-host installs it on the hypervisors, whose only package source is this machine's install
  'virtinst',
  'dnsmasq-base',
  'iptables',
  'debootstrap',
  'bridge-utils',
  'iproute2',
  'openssh-client',
  'openssh-server',
  'e2fsprogs',
  'iputils-ping',
  'ethtool',
  'util-linux',
];

const KVM_HOST_DEFAULTS = join(import.meta.dirname, '..', '..', 'roles', 'kvm-host', 'defaults', 'main.yml');

/**
 * kvmHostPackages is the kvm-host role's Debian package list (its defaults): the hypervisors are
 * namespaces of this host and their package source is this host's apt, offline, so what the role
 * installs must already be installed here (on a fresh machine virtinst was not, and the role's
 * apt-get failed resolving the archive).
 */
function kvmHostPackages(): string[] {
  const defaults = parse(readFileSync(KVM_HOST_DEFAULTS, 'utf8')) as { kvm_packages_debian?: unknown };
  const list = defaults.kvm_packages_debian;
  if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) throw new Error(`${KVM_HOST_DEFAULTS}: kvm_packages_debian is not a list of package names`);
  return list;
}

/** HOST_PACKAGES is the lab's own packages and the kvm-host role's. */
export const HOST_PACKAGES: readonly string[] = [...new Set([...LAB_PACKAGES, ...kvmHostPackages()])];

/** missingPackages returns the packages from `pkgs` dpkg does not report as installed. */
export async function missingPackages(pkgs: readonly string[]): Promise<string[]> {
  const r = await runTool(['dpkg-query', '-W', '-f=${Package} ${Status}\\n', ...pkgs]);
  const ok = new Set(
    r.stdout
      .split('\n')
      .filter((l) => l.endsWith(' install ok installed'))
      .map((l) => l.split(' ')[0]),
  );
  return pkgs.filter((p) => !ok.has(p));
}

/** ensurePackages apt-get installs whichever of `pkgs` is missing (no recommends) and returns those it installed. */
export async function ensurePackages(pkgs: readonly string[], log: (m: string) => void): Promise<string[]> {
  const missing = pkgs.length === 0 ? [] : await missingPackages(pkgs);
  if (missing.length === 0) return [];
  log(`packages: installing ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await mustRun('packages', ['apt-get', 'update', '-q'], { env });
  await mustRun('packages', ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  return missing;
}

/** ensureHostPackages installs whatever of HOST_PACKAGES is missing. */
export function ensureHostPackages(log: (m: string) => void): Promise<string[]> {
  return ensurePackages(HOST_PACKAGES, log);
}
