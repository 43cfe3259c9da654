// Step "base image": the cached base image, kernel and initrd placed on a hypervisor where its
// inventory says (HV_IMAGE, inside its own /var/lib/libvirt/images), as a datacenter's golden image
// would be. Hard links: one copy on disk for every hypervisor; guests only ever write their overlays.
import { copyFileSync, existsSync, linkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BaseImage } from './image-build.ts';
import { HV_IMAGE, hvPaths } from './hv-paths.ts';
import type { HypervisorSpec } from './topology.ts';

/** hvImageFile is where a HV_IMAGE path lies on the controller (the hypervisor's /var/lib/libvirt is a bind mount of its lib dir). */
export function hvImageFile(hv: HypervisorSpec, inside: string): string {
  return join(hvPaths(hv).lib, inside.replace(/^\/var\/lib\/libvirt\//, ''));
}

/** placeImage links (or copies, across file systems) the base image files onto the hypervisor unless they are already the same files. */
export async function placeImage(hv: HypervisorSpec, image: BaseImage): Promise<void> {
  for (const [key, src] of [
    ['disk', image.disk],
    ['kernel', image.kernel],
    ['initrd', image.initrd],
  ] as const) {
    const dest = hvImageFile(hv, HV_IMAGE[key]);
    if (existsSync(dest) && statSync(dest).ino === statSync(src).ino) continue;
    rmSync(dest, { force: true });
    try {
      linkSync(src, dest);
    } catch {
      copyFileSync(src, dest);
    }
  }
}
