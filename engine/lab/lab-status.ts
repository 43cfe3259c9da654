// `lab status`: each host, its PIDs, addresses and whether ssh answers.
import { hvPaths } from './hv-paths.ts';
import { netnsExists } from './hv-namespace.ts';
import { domainState } from './guest-domain.ts';
import { hvHost } from './lab-host.ts';
import { livePid } from './pids.ts';
import { sshAnswers } from './ssh-check.ts';
import { GUESTS, HYPERVISORS, hypervisorOf } from './topology.ts';

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
      pids: { relay: livePid(p.relayPid), sshd: livePid(p.sshdPid), virtlogd: livePid(p.virtlogdPid), libvirtd: livePid(p.libvirtdPid) },
      ssh: ns ? await sshAnswers(hv.name) : false,
    });
  }
  for (const g of GUESTS) {
    const hv = hypervisorOf(g);
    const up = livePid(hvPaths(hv).libvirtdPid) !== undefined;
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
