// `lab down`: destroys guests and networks (whatever site.yml made), stops every daemon by its PID
// (libvirtd and virtlogd by the pid files the kvm-host role gave them), removes the namespaces (and
// with them every tap, bridge, ifb and iptables rule, which only ever existed inside them).
import { readdirSync, rmSync } from 'node:fs';
import { ip, virsh } from '../probes/index.ts';
import { hvPaths, NS_DIR } from './hv-paths.ts';
import { isMountpoint, netnsExists, removeHvNamespace } from './hv-namespace.ts';
import { hvHost, LAB_HOST, readOn, runTool } from './lab-host.ts';
import { stopPid, stopPidFile } from './pids.ts';
import { hvDaemonPid } from './hv-daemons.ts';
import { statePath } from './paths.ts';
import { HYPERVISORS, type HypervisorSpec } from './topology.ts';
import { removeOldUserKnownHostsBlock } from './keys.ts';

async function downHv(hv: HypervisorSpec, log: (m: string) => void): Promise<void> {
  const p = hvPaths(hv);
  const libvirtd = await hvDaemonPid(hv, 'libvirtd');
  if (libvirtd !== undefined) {
    const on = hvHost(hv);
    // a libvirtd that does not answer is stopped by PID below, and its qemus with the namespace
    const doms = await readOn(on, 'down', { all: virsh.listProbe() }, { timeoutMs: 20_000 }).then(
      (r) => r.all,
      (e: Error) => {
        log(`${hv.name}: cannot list domains: ${e.message}`);
        return [];
      },
    );
    for (const d of doms.filter((x) => x.id !== null)) {
      log(`${hv.name}: destroy ${d.name}`);
      await on.run(virsh.virshArgv('destroy', d.name), { timeoutMs: 30_000 });
    }
    // whatever networks site.yml defined: destroying them stops their dnsmasq and removes bridges
    const nets = await readOn(on, 'down', { nets: virsh.netListProbe() }, { timeoutMs: 20_000 }).then(
      (r) => r.nets,
      () => [],
    );
    for (const n of nets.filter((x) => x.active)) await on.run(virsh.virshArgv('net-destroy', n.name), { timeoutMs: 20_000 });
  }
  // the daemons site.yml's kvm-host role started, by the PIDs in their pid files
  for (const daemon of ['libvirtd', 'virtlogd'] as const) {
    const pid = await hvDaemonPid(hv, daemon);
    if (pid !== undefined) {
      log(`${hv.name}: stopping ${daemon} (pid ${pid})`);
      await stopPid(pid);
    }
  }
  for (const f of [p.sshdPid, p.relayPid]) await stopPidFile(f);
  if (await netnsExists(hv.netns)) {
    // whatever still runs in the namespace was started by the lab (qemu, sshd sessions)
    const { pids } = await readOn(LAB_HOST, 'down', { pids: ip.netnsPidsProbe(hv.netns) });
    for (const pid of pids.filter((n) => n > 1)) {
      log(`${hv.name}: stopping leftover pid ${pid}`);
      await stopPid(pid);
    }
  }
  await removeHvNamespace(hv);
  rmSync(p.dir, { recursive: true, force: true });
}

/** labDown tears the whole lab down; keys and the image cache are kept. */
export async function labDown(log: (m: string) => void): Promise<void> {
  const errors: string[] = [];
  for (const hv of HYPERVISORS) {
    try {
      await downHv(hv, log);
    } catch (e) {
      errors.push(`${hv.name}: ${(e as Error).message}`);
    }
  }
  rmSync(statePath('guests'), { recursive: true, force: true });
  if (removeOldUserKnownHostsBlock()) log('removed the lab block an earlier `lab up` wrote into ~/.ssh/known_hosts');
  try {
    if ((await isMountpoint(NS_DIR)) && readdirSync(NS_DIR).length === 0) await runTool(['umount', NS_DIR]);
  } catch {
    // NS_DIR absent: nothing to unmount
  }
  if (errors.length > 0) throw new Error(`lab down left problems:\n${errors.join('\n')}`);
}
