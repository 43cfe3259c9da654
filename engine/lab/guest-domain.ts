// Step "guest": the guest's libvirt domain (TCG, direct kernel boot, serial console to a file,
// three virtio NICs on the isolated network: eth0 management, eth1+eth2 free for a team).
import { writeFileSync } from 'node:fs';
import type { BaseImage } from './image-build.ts';
import type { GuestFiles } from './guest-disks.ts';
import { virsh } from '../probes/index.ts';
import { hvHost, mustRunOn, readOn } from './lab-host.ts';
import { hypervisorOf, type GuestSpec } from './topology.ts';

/** domainXml is the definition of a lab guest. */
export function domainXml(g: GuestSpec, image: BaseImage, f: GuestFiles): string {
  const hv = hypervisorOf(g);
  const nics = g.macs
    .map(
      (mac) => `    <interface type='network'>
      <mac address='${mac}'/>
      <source network='${hv.network}'/>
      <model type='virtio'/>
    </interface>`,
    )
    .join('\n');
  return `<domain type='qemu'>
  <name>${g.name}</name>
  <memory unit='MiB'>${g.memoryMiB}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${image.kernel}</kernel>
    <initrd>${image.initrd}</initrd>
    <cmdline>root=/dev/vda rw console=ttyS0 net.ifnames=0</cmdline>
  </os>
  <features>
    <acpi/>
    <!-- qemu 7.2's TCG reserves a 1 GiB translation cache per guest by default (RSS ~1.5 GiB) -->
    <tcg><tb-cache unit='MiB'>128</tb-cache></tcg>
  </features>
  <cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='unsafe'/>
      <source file='${f.disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='${f.seed}'/>
      <target dev='vdb' bus='virtio'/>
      <readonly/>
    </disk>
${nics}
    <serial type='file'>
      <source path='${f.console}'/>
      <target port='0'/>
    </serial>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
    <memballoon model='none'/>
  </devices>
</domain>
`;
}

/** domainState returns virsh domstate's word ("running", "shut off", ...) or undefined if undefined. */
export async function domainState(g: GuestSpec): Promise<string | undefined> {
  const { s } = await readOn(hvHost(hypervisorOf(g)), 'guest', { s: virsh.domstateProbe(g.name) });
  return s.exists ? s.state : undefined;
}

/** defineAndStart (re)defines the domain from its XML and starts it. */
export async function defineAndStart(g: GuestSpec, image: BaseImage, f: GuestFiles): Promise<void> {
  const hv = hvHost(hypervisorOf(g));
  writeFileSync(f.xml, domainXml(g, image, f));
  await mustRunOn(hv, 'guest', virsh.virshArgv('define', f.xml));
  await mustRunOn(hv, 'guest', virsh.virshArgv('start', g.name));
}
