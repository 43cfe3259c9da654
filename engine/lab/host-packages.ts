// Step "packages": installs the host's Debian packages the lab needs, only those missing.
import { mustRun, runTool } from './lab-host.ts';

/** HOST_PACKAGES is what a fresh Debian 12 host needs to run the lab (FIELD-NOTES' verified list). */
export const HOST_PACKAGES: readonly string[] = [
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

/** ensureHostPackages apt-get installs whatever is missing (no recommends). */
export async function ensureHostPackages(log: (m: string) => void): Promise<string[]> {
  const missing = await missingPackages(HOST_PACKAGES);
  if (missing.length === 0) return [];
  log(`packages: installing ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await mustRun('packages', ['apt-get', 'update', '-q'], { env });
  await mustRun('packages', ['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...missing], { env });
  return missing;
}
