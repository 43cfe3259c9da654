// Where site.yml's vm-provision role lays out a lab guest's files on its hypervisor (the role's
// defaults: roles/vm-provision/defaults/main.yml), for tests that describe a guest the role made.
import type { GuestSpec } from './topology.ts';

/** GuestFiles are the per-guest files libvirt points at (paths inside the guest's hypervisor). */
export interface GuestFiles {
  readonly dir: string;
  readonly disk: string;
  readonly seed: string;
  readonly console: string;
}

/** guestFiles returns where the vm-provision role puts a guest's overlay, seed disk and console log. */
export function guestFiles(g: GuestSpec): GuestFiles {
  const dir = '/var/lib/libvirt/images';
  return { dir, disk: `${dir}/${g.name}.qcow2`, seed: `${dir}/${g.name}-seed.img`, console: `/var/log/libvirt/qemu/${g.name}-console.log` };
}
