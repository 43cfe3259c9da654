// Step "network": the hypervisor's isolated libvirt network. No <forward> (nothing leaves the
// namespace), DNS off and no <dhcp> (so libvirt starts no dnsmasq), STP off with delay 0 (a port
// forwards at once). The default NAT network is never defined here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { virsh } from '../probes/index.ts';
import { hvPaths } from './hv-paths.ts';
import { hvHost, mustRunOn, readOn } from './lab-host.ts';
import type { HypervisorSpec } from './topology.ts';

/** networkXml is the isolated network of a hypervisor. */
export function networkXml(hv: HypervisorSpec): string {
  return `<network>
  <name>${hv.network}</name>
  <bridge name='${hv.bridge}' stp='off' delay='0'/>
  <mac address='52:54:00:61:${hv.index.toString(16).padStart(2, '0')}:01'/>
  <dns enable='no'/>
  <ip address='${hv.bridgeAddress}' prefix='${hv.prefix}'/>
</network>
`;
}

/** ensureNetwork defines and starts the lab network unless it is already active. */
export async function ensureNetwork(hv: HypervisorSpec): Promise<void> {
  const on = hvHost(hv);
  const { nets } = await readOn(on, 'network', { nets: virsh.netListProbe() });
  const net = nets.find((n) => n.name === hv.network);
  if (!net) {
    const file = join(hvPaths(hv).dir, `${hv.network}-network.xml`);
    writeFileSync(file, networkXml(hv));
    await mustRunOn(on, 'network', virsh.virshArgv('net-define', file));
  }
  if (!net?.active) await mustRunOn(on, 'network', virsh.virshArgv('net-start', hv.network));
}
