// Step "accounts": the users, groups and directories libvirt-daemon-system would have made.
// Why by hand: that package also starts the host's libvirtd and its default NAT network,
// which the lab must never do.
import { mkdirSync } from 'node:fs';
import { mustRun, runTool } from './lab-host.ts';

/** LIBVIRT_DIRS are the mount points the per-hypervisor mount namespaces bind over. */
export const LIBVIRT_DIRS: readonly string[] = ['/etc/libvirt', '/run/libvirt', '/var/lib/libvirt', '/var/log/libvirt', '/var/cache/libvirt'];

/** ensureHostAccounts creates groups kvm, libvirt, libvirt-qemu, user libvirt-qemu and libvirt's dirs. */
export async function ensureHostAccounts(): Promise<void> {
  for (const g of ['kvm', 'libvirt', 'libvirt-qemu']) {
    if ((await runTool(['getent', 'group', g])).rc !== 0) await mustRun('accounts', ['groupadd', '--system', g]);
  }
  if ((await runTool(['getent', 'passwd', 'libvirt-qemu'])).rc !== 0) {
    await mustRun('accounts', [
      'useradd',
      '--system',
      '--no-create-home',
      '--home-dir',
      '/var/lib/libvirt',
      '--shell',
      '/usr/sbin/nologin',
      '--gid',
      'libvirt-qemu',
      '--groups',
      'kvm',
      'libvirt-qemu',
    ]);
  }
  for (const d of LIBVIRT_DIRS) mkdirSync(d, { recursive: true });
  // sshd's privilege separation dir (normally made by the host's ssh.service)
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}
