// `lab status`: each host, its PIDs, addresses and whether ssh answers.
import { hvPaths } from './hv-paths.ts';
import { netnsExists } from './hv-namespace.ts';
import { hvHost, readOn } from './lab-host.ts';
import { virsh } from '../probes/index.ts';
import { livePid } from './pids.ts';
import { hvDaemonPid } from './hv-daemons.ts';
import { sshAnswers } from './ssh-check.ts';
import { GUESTS, HYPERVISORS, hypervisorOf, type GuestSpec } from './topology.ts';

/** domainState returns virsh domstate's word ("running", "shut off", ...) or undefined if the domain is not defined. */
export async function domainState(g: GuestSpec): Promise<string | undefined> {
  const { s } = await readOn(hvHost(hypervisorOf(g)), 'status', { s: virsh.domstateProbe(g.name) });
  return s.exists ? s.state : undefined;
}

/** HostStatus is one row of `lab status`. */
export interface HostStatus {
  readonly host: string;
  readonly kind: 'hypervisor' | 'guest';
  readonly address: string;
  readonly state: string;
  readonly pids: Readonly<Record<string, number | undefined>>;
  readonly ssh: boolean;
}

/** labStatus inspects every lab host (never changes anything). */
export async function labStatus(): Promise<HostStatus[]> {
  const rows: HostStatus[] = [];
  for (const hv of HYPERVISORS) {
    const p = hvPaths(hv);
    const ns = await netnsExists(hv.netns);
    rows.push({
      host: hv.name,
      kind: 'hypervisor',
      address: `127.0.0.1:${hv.sshPort} -> ${hv.netns} 127.0.0.1:22 (bridge ${hv.bridgeAddress})`,
      state: ns ? 'namespace present' : 'down',
      pids: { relay: livePid(p.relayPid), sshd: livePid(p.sshdPid), virtlogd: await hvDaemonPid(hv, 'virtlogd'), libvirtd: await hvDaemonPid(hv, 'libvirtd') },
      ssh: ns ? await sshAnswers(hv.name) : false,
    });
  }
  for (const g of GUESTS) {
    const hv = hypervisorOf(g);
    const up = (await hvDaemonPid(hv, 'libvirtd')) !== undefined;
    const state = up ? ((await domainState(g)) ?? 'undefined') : 'down';
    let qemu: number | undefined;
    if (state === 'running') {
      // libvirt's pid file lives in the hypervisor's own /run/libvirt (a tmpfs in its mount namespace)
      const pidText = await hvHost(hv)
        .get(`/run/libvirt/qemu/${g.name}.pid`)
        .then(
          (b) => b.toString('utf8'),
          () => '',
        );
      qemu = Number(pidText.trim()) || undefined;
    }
    rows.push({
      host: g.name,
      kind: 'guest',
      address: `${g.address} via ${hv.name}`,
      state,
      pids: { qemu },
      ssh: state === 'running' ? await sshAnswers(g.name, 10) : false,
    });
  }
  return rows;
}

/** formatStatus renders the rows as an aligned table. */
export function formatStatus(rows: readonly HostStatus[]): string {
  const lines = rows.map((r) => [
    r.host,
    r.kind,
    r.state,
    Object.entries(r.pids)
      .map(([k, v]) => `${k}=${v ?? '-'}`)
      .join(' '),
    r.ssh ? 'ssh ok' : 'ssh no',
    r.address,
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  return `${lines.map((l) => l.map((c, i) => (i < 5 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')).join('\n')}\n`;
}
