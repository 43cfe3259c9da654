// Step "namespace": a hypervisor's network namespace plus a persistent mount namespace in which
// the libvirt directories (and the /etc folders of HV_OWN_ETC) are the hypervisor's own. Why a mount namespace: two libvirtds on one
// machine collide on /run/libvirt (sockets, pid files), /etc/libvirt (definitions) and
// /var/lib/libvirt; libvirtd has no option to move all of them (its --config only moves
// libvirtd.conf, the qemu driver's paths are compiled in). Bind mounts over the standard paths
// give each hypervisor a full, unmodified libvirt layout, and every process entering the
// namespace (libvirtd, qemu, sshd and the sessions it spawns) sees the same view — as on a real
// hypervisor. `ip netns exec` alone only binds /etc/netns/NAME/* over /etc, not /run or /var.
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HV_OWN_ETC, HV_OWN_VAR, hvPaths, NS_DIR } from './hv-paths.ts';
import { statePath } from './paths.ts';
import { ip } from '../probes/index.ts';
import { hvHost, LAB_HOST, mustRun, mustRunOn, readOn, runTool } from './lab-host.ts';
import { tcWrapperScript } from './tc-wrapper.ts';
import type { HypervisorSpec } from './topology.ts';

const STEP = 'namespace';

/** netnsExists says whether `ip netns` knows the namespace. */
export async function netnsExists(name: string): Promise<boolean> {
  const { all } = await readOn(LAB_HOST, STEP, { all: ip.netnsListProbe() });
  return all.some((n) => n.name === name);
}

/** isMountpoint says whether path is a mount point (nsfs bind mounts count). */
export async function isMountpoint(path: string): Promise<boolean> {
  return (await runTool(['mountpoint', '-q', path])).rc === 0;
}

async function ensureNsDir(): Promise<void> {
  mkdirSync(NS_DIR, { recursive: true });
  // unshare --mount=FILE needs FILE on a mount that does not propagate (see unshare(1))
  if (!(await isMountpoint(NS_DIR))) await mustRun(STEP, ['mount', '--bind', NS_DIR, NS_DIR]);
  await mustRun(STEP, ['mount', '--make-private', NS_DIR]);
}

// what the packages installed into /etc (libvirt's default qemu.conf, libvirtd.conf, the init
// scripts of the machine): each hypervisor starts from a copy, as a freshly installed host would.
// site.yml's kvm-host role then writes its configuration, init scripts and sysctl files there.
async function writeOwnEtc(hv: HypervisorSpec): Promise<void> {
  const p = hvPaths(hv);
  for (const d of [
    join(p.etc, 'qemu', 'networks'),
    join(p.lib, 'qemu'),
    join(p.lib, 'images'),
    join(p.lib, 'dnsmasq'),
    join(p.lib, 'network'),
    join(p.log, 'qemu'),
    join(p.cache, 'qemu'),
    p.home,
    ...HV_OWN_VAR.map(p.ownVar),
  ]) {
    mkdirSync(d, { recursive: true });
  }
  // libvirt's package ships /var/lib/libvirt/boot (root 0711, its tmpfiles.d): virt-install
  // --location downloads the installer's kernel and initrd there for qemu:///system
  mkdirSync(join(p.lib, 'boot'), { recursive: true });
  chmodSync(join(p.lib, 'boot'), 0o711);
  if (!existsSync(join(p.etc, 'libvirt.conf'))) await mustRun(STEP, ['cp', '-a', '--', '/etc/libvirt/.', p.etc]);
  for (const name of HV_OWN_ETC) {
    const own = p.ownEtc(name);
    if (existsSync(own)) continue;
    mkdirSync(own, { recursive: true });
    if (existsSync(join('/etc', name))) await mustRun(STEP, ['cp', '-a', '--', join('/etc', name, '.'), own]);
  }
}

/** ensureHvNamespace creates (if missing) the netns and mount namespace of a hypervisor. */
export async function ensureHvNamespace(hv: HypervisorSpec, adaptTc: boolean): Promise<void> {
  const p = hvPaths(hv);
  if (!(await netnsExists(hv.netns))) await mustRun(STEP, ['ip', 'netns', 'add', hv.netns]);
  await mustRun(STEP, ['ip', '-n', hv.netns, 'link', 'set', 'lo', 'up']);
  await writeOwnEtc(hv);
  if (await isMountpoint(p.mountNs)) return;
  await ensureNsDir();
  writeFileSync(p.mountNs, '');
  await mustRun(STEP, ['unshare', `--mount=${p.mountNs}`, '--propagation', 'private', 'true']);
  const inMnt = (argv: string[]): Promise<unknown> => mustRun(STEP, ['nsenter', `--mount=${p.mountNs}`, '--', ...argv]);
  await inMnt(['mount', '-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', '/run/libvirt']);
  // a sysfs mounted from inside the netns shows that namespace's devices (/sys/class/net/labbr0/
  // bridge/ageing_time), as `ip netns exec` does; mounted over /sys, so the host's stays untouched
  await mustRunOn(hvHost(hv), STEP, ['mount', '-t', 'sysfs', 'sysfs', '/sys']);
  await inMnt(['mount', '--bind', p.etc, '/etc/libvirt']);
  await inMnt(['mount', '--bind', p.lib, '/var/lib/libvirt']);
  await inMnt(['mount', '--bind', p.log, '/var/log/libvirt']);
  await inMnt(['mount', '--bind', p.cache, '/var/cache/libvirt']);
  for (const name of HV_OWN_ETC) {
    // a mount point must exist: /etc/tsplay is the only one a Debian host may lack
    mkdirSync(join('/etc', name), { recursive: true });
    await inMnt(['mount', '--bind', p.ownEtc(name), join('/etc', name)]);
  }
  for (const path of HV_OWN_VAR) {
    // the machine's folder is only the mount point: nothing of a hypervisor is written into it
    mkdirSync(path, { recursive: true });
    await inMnt(['mount', '--bind', p.ownVar(path), path]);
  }
  if (adaptTc) {
    const realTc = statePath('bin', 'tc.real');
    mkdirSync(statePath('bin'), { recursive: true });
    copyFileSync('/usr/sbin/tc', realTc);
    chmodSync(realTc, 0o755);
    const ip = existsSync('/usr/bin/ip') ? '/usr/bin/ip' : '/usr/sbin/ip';
    writeFileSync(p.tcWrapper, tcWrapperScript(realTc, ip, p.tcLog), { mode: 0o755 });
    await inMnt(['mount', '--bind', p.tcWrapper, '/usr/sbin/tc']);
  }
}

/** removeHvNamespace drops the mount namespace file and the netns (processes must be gone). */
export async function removeHvNamespace(hv: HypervisorSpec): Promise<void> {
  const p = hvPaths(hv);
  if (await isMountpoint(p.mountNs)) await mustRun('down', ['umount', p.mountNs]);
  await runTool(['rm', '-f', p.mountNs]);
  if (await netnsExists(hv.netns)) await mustRun('down', ['ip', 'netns', 'del', hv.netns]);
}
