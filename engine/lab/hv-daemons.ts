// Step "sshd": the hypervisor's OpenSSH server, started inside its network + mount namespace and
// remembered by pid file. libvirtd and virtlogd are site.yml's (roles/kvm-host), not the lab's.
import { existsSync, writeFileSync } from 'node:fs';
import { hostKeyPath, labKeyPaths } from './keys.ts';
import { HV_DAEMON_PIDS, hvPaths } from './hv-paths.ts';
import { hvHost, mustRunOn, stepError } from './lab-host.ts';
import { alive, livePid } from './pids.ts';
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

/**
 * hvDaemonPid reads a libvirt daemon's pid file inside the hypervisor (site.yml's kvm-host role
 * starts the daemons; their pid files live in the hypervisor's own /run/libvirt) and returns the
 * PID when that process is alive; undefined when the namespace, the file or the process is gone.
 */
export async function hvDaemonPid(hv: HypervisorSpec, daemon: keyof typeof HV_DAEMON_PIDS): Promise<number | undefined> {
  if (!existsSync(hvPaths(hv).mountNs)) return undefined;
  const text = await hvHost(hv)
    .get(HV_DAEMON_PIDS[daemon])
    .then(
      (b) => b.toString('utf8'),
      () => '',
    );
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 1 && alive(pid) ? pid : undefined;
}
