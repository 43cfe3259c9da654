// Step "network": the hypervisor's isolated libvirt network. No <forward> (nothing leaves the
// namespace), DNS off and no <dhcp> (so libvirt starts no dnsmasq), STP off with delay 0 (a port
// forwards at once). The default NAT network is never defined here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hvPaths, virshArgv } from './hv-paths.ts';
import { mustRun, runTool } from './run-tool.ts';
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
  const info = await runTool(virshArgv(hv, 'net-info', hv.network));
  if (info.rc !== 0) {
    const file = join(hvPaths(hv).dir, `${hv.network}-network.xml`);
    writeFileSync(file, networkXml(hv));
    await mustRun('network', virshArgv(hv, 'net-define', file));
  }
  const again = await runTool(virshArgv(hv, 'net-info', hv.network));
  if (!/^Active:\s+yes/m.test(again.stdout)) await mustRun('network', virshArgv(hv, 'net-start', hv.network));
}
