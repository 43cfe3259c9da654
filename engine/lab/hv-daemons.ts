// Step "daemons": sshd, virtlogd and libvirtd of one hypervisor, each started inside its
// network + mount namespace and remembered by pid file.
import { writeFileSync } from 'node:fs';
import { hostKeyPath, labKeyPaths } from './keys.ts';
import { virsh } from '../probes/index.ts';
import { hvPaths } from './hv-paths.ts';
import { hvHost, mustRunOn, readOn, stepError } from './lab-host.ts';
import { livePid } from './pids.ts';
import type { HypervisorSpec } from './topology.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sshdConfig(hv: HypervisorSpec): string {
  const p = hvPaths(hv);
  return [
    '# tsplay lab hypervisor sshd (runs inside the hypervisor namespace)',
    'Port 22',
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKeyPath(hv.name)}`,
    `PidFile ${p.sshdPid}`,
    `AuthorizedKeysFile ${labKeyPaths().authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'UseDNS no',
    // a clean HOME: root's real ~/.bashrc (pyenv init) costs up to 0.8 s per exec here
    `SetEnv HOME=${p.home}`,
    // jumps to the guests are direct-tcpip channels through this sshd
    'AllowTcpForwarding yes',
    'MaxSessions 32',
    'MaxStartups 32:30:64',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

async function waitFor(step: string, what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await check()) return;
    await sleep(200);
  }
  throw stepError(step, `${what} not ready after ${timeoutMs / 1000} s`);
}

/** ensureSshd starts the hypervisor's sshd if not running; returns its PID. */
export async function ensureSshd(hv: HypervisorSpec): Promise<number> {
  const p = hvPaths(hv);
  const running = livePid(p.sshdPid);
  if (running !== undefined) return running;
  writeFileSync(p.sshdConfig, sshdConfig(hv));
  await mustRunOn(hvHost(hv), 'sshd', ['/usr/sbin/sshd', '-t', '-f', p.sshdConfig]);
  await mustRunOn(hvHost(hv), 'sshd', ['/usr/sbin/sshd', '-f', p.sshdConfig, '-E', `${p.log}/sshd.log`]);
  await waitFor('sshd', 'sshd pid file', async () => livePid(p.sshdPid) !== undefined, 10_000);
  return livePid(p.sshdPid) ?? 0;
}

/** ensureLibvirtd starts virtlogd then libvirtd if not running and waits until virsh answers. */
export async function ensureLibvirtd(hv: HypervisorSpec): Promise<{ virtlogd: number; libvirtd: number }> {
  const p = hvPaths(hv);
  const on = hvHost(hv);
  if (livePid(p.virtlogdPid) === undefined) {
    await mustRunOn(on, 'virtlogd', ['virtlogd', '-d', '-p', p.virtlogdPid]);
    await waitFor('virtlogd', 'virtlogd', async () => livePid(p.virtlogdPid) !== undefined, 10_000);
  }
  if (livePid(p.libvirtdPid) === undefined) {
    await mustRunOn(on, 'libvirtd', ['libvirtd', '-d', '-p', p.libvirtdPid]);
    await waitFor('libvirtd', 'libvirtd', async () => livePid(p.libvirtdPid) !== undefined, 15_000);
  }
  // libvirtd answers once virsh can list its domains
  await waitFor(
    'libvirtd',
    'libvirtd socket',
    () =>
      readOn(on, 'libvirtd', { doms: virsh.listProbe() }).then(
        () => true,
        () => false,
      ),
    30_000,
  );
  return { virtlogd: livePid(p.virtlogdPid) ?? 0, libvirtd: livePid(p.libvirtdPid) ?? 0 };
}
