// Step "disks": a fresh qcow2 overlay on the cached base image, and the small ext4 "seed" disk
// carrying this guest's hostname, host key, root's authorized key and its management NM profile.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaseImage } from './image-build.ts';
import { hostKeyPath, labKeyPaths } from './keys.ts';
import { statePath } from './paths.ts';
import { mustRun } from './lab-host.ts';
import { hypervisorOf, type GuestSpec } from './topology.ts';

/** GuestFiles are the per-guest files libvirt points at. */
export interface GuestFiles {
  readonly dir: string;
  readonly disk: string;
  readonly seed: string;
  readonly console: string;
  readonly xml: string;
}

/** guestFiles returns where a guest's files live. */
export function guestFiles(g: GuestSpec): GuestFiles {
  const dir = statePath('guests', g.name);
  return { dir, disk: join(dir, 'disk.qcow2'), seed: join(dir, 'seed.img'), console: join(dir, 'console.log'), xml: join(dir, 'domain.xml') };
}

/** mgmtKeyfile is the NM profile of eth0, matched by MAC so it survives renames. */
export function mgmtKeyfile(g: GuestSpec): string {
  const hv = hypervisorOf(g);
  return `[connection]
id=mgmt
type=ethernet
autoconnect=true

[ethernet]
mac-address=${g.macs[0].toUpperCase()}

[ipv4]
method=manual
address1=${g.address}/${hv.prefix}

[ipv6]
method=disabled
`;
}

/** writeGuestDisks (re)creates the overlay and seed disk; call only while the guest is not running. */
export async function writeGuestDisks(g: GuestSpec, image: BaseImage): Promise<GuestFiles> {
  const f = guestFiles(g);
  rmSync(f.dir, { recursive: true, force: true });
  const tree = join(f.dir, 'seed-tree', 'tree');
  const put = (rel: string, content: string, mode: number): void => {
    const p = join(tree, rel);
    mkdirSync(join(p, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(p, content, { mode });
  };
  put('etc/hostname', `${g.name}\n`, 0o644);
  put('etc/hosts', `127.0.0.1 localhost\n127.0.1.1 ${g.name}\n`, 0o644);
  mkdirSync(join(tree, 'root', '.ssh'), { recursive: true, mode: 0o700 });
  copyFileSync(labKeyPaths().authorizedKeys, join(tree, 'root', '.ssh', 'authorized_keys'));
  mkdirSync(join(tree, 'etc', 'ssh'), { recursive: true });
  copyFileSync(hostKeyPath(g.name), join(tree, 'etc', 'ssh', 'ssh_host_ed25519_key'));
  copyFileSync(`${hostKeyPath(g.name)}.pub`, join(tree, 'etc', 'ssh', 'ssh_host_ed25519_key.pub'));
  put('etc/NetworkManager/system-connections/mgmt.nmconnection', mgmtKeyfile(g), 0o600);
  await mustRun('disks', ['chmod', '700', join(tree, 'root', '.ssh')]);
  await mustRun('disks', ['chmod', '600', join(tree, 'etc', 'ssh', 'ssh_host_ed25519_key')]);
  await mustRun('disks', ['truncate', '-s', '8M', f.seed]);
  await mustRun('disks', ['mkfs.ext4', '-q', '-F', '-L', 'tsplay-seed', '-d', join(f.dir, 'seed-tree'), f.seed]);
  await mustRun('disks', ['qemu-img', 'create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', image.disk, f.disk]);
  writeFileSync(f.console, '');
  return f;
}
