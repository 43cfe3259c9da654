// Step "image": builds the guest base image with debootstrap, or finds it in the cache.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configuredMirror } from './apt-mirror.ts';
import { imageInputs, imageKey, type ImageInputs } from './image-inputs.ts';
import { LAB_CACHE_DIR } from './paths.ts';
import { mustRun, runTool, stepError } from './lab-host.ts';

/** BaseImage names the cached files a guest boots from. */
export interface BaseImage {
  readonly key: string;
  readonly dir: string;
  readonly disk: string;
  readonly kernel: string;
  readonly initrd: string;
  /** true when this call built it, false when it came from the cache */
  readonly built: boolean;
  readonly seconds: number;
}

const STEP = 'image';

function imagePaths(dir: string): { disk: string; kernel: string; initrd: string } {
  return { disk: join(dir, 'base.qcow2'), kernel: join(dir, 'vmlinuz'), initrd: join(dir, 'initrd.img') };
}

/** cachedImage returns the base image for the current inputs if it is already built. */
export function cachedImage(cacheDir = LAB_CACHE_DIR): BaseImage | undefined {
  const inputs = imageInputs(configuredMirror('bookworm'));
  const key = imageKey(inputs);
  const dir = join(cacheDir, key);
  if (!existsSync(join(dir, 'DONE'))) return undefined;
  return { key, dir, ...imagePaths(dir), built: false, seconds: 0 };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** ensureImage returns the cached base image, building it first (debootstrap, ~5–10 min) when missing. */
export async function ensureImage(log: (msg: string) => void, cacheDir = LAB_CACHE_DIR): Promise<BaseImage> {
  const t0 = Date.now();
  const cached = cachedImage(cacheDir);
  if (cached) return cached;
  const inputs = imageInputs(configuredMirror('bookworm'));
  const key = imageKey(inputs);
  const dir = join(cacheDir, key);
  const work = `${dir}.build`;
  mkdirSync(cacheDir, { recursive: true });
  const lock = join(work, 'pid');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    if (pid && pidAlive(pid)) throw stepError(STEP, `another image build (pid ${pid}) is writing ${work}; wait for it`);
  }
  await cleanupWork(work);
  mkdirSync(join(work, 'rootfs'), { recursive: true });
  writeFileSync(lock, String(process.pid));
  try {
    await buildInto(work, inputs, log, cacheDir);
    const out = join(work, 'out');
    writeFileSync(join(out, 'inputs.json'), `${JSON.stringify(inputs, null, 2)}\n`);
    writeFileSync(join(out, 'DONE'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
  } finally {
    await cleanupWork(work);
  }
  return { key, dir, ...imagePaths(dir), built: true, seconds: (Date.now() - t0) / 1000 };
}

async function cleanupWork(work: string): Promise<void> {
  if (!existsSync(work)) return;
  const rootfs = join(work, 'rootfs');
  // the rootfs is a tmpfs mount (dpkg's fsyncs are free there); unmount before deleting
  if ((await runTool(['mountpoint', '-q', rootfs])).rc === 0) await mustRun(STEP, ['umount', '-l', rootfs]);
  rmSync(work, { recursive: true, force: true });
}

async function buildInto(work: string, inputs: ImageInputs, log: (msg: string) => void, cacheDir: string): Promise<void> {
  const rootfs = join(work, 'rootfs');
  const out = join(work, 'out');
  mkdirSync(out);
  await mustRun(STEP, ['mount', '-t', 'tmpfs', '-o', 'size=3g,mode=755', 'tmpfs', rootfs]);
  const debs = join(cacheDir, 'debs');
  mkdirSync(debs, { recursive: true });
  log(`image: debootstrap ${inputs.suite} from ${inputs.mirror} (several minutes)`);
  await mustRun(STEP, ['debootstrap', '--variant=minbase', `--include=${inputs.packages.join(',')}`, `--cache-dir=${debs}`, inputs.suite, rootfs, inputs.mirror], { timeoutMs: 40 * 60_000 });
  log('image: customising the root file system');
  customise(rootfs, inputs);
  // the initramfs debootstrap made holds every module (MODULES=most); remade with the baked config
  await mustRun(STEP, ['chroot', rootfs, 'update-initramfs', '-u', '-k', 'all'], { timeoutMs: 10 * 60_000 });
  const boot = readdirSync(join(rootfs, 'boot'));
  const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-'));
  const initrd = boot.find((f) => f.startsWith('initrd.img-'));
  if (!vmlinuz || !initrd) throw stepError(STEP, `no kernel/initrd in ${rootfs}/boot (found: ${boot.join(' ')})`);
  await mustRun(STEP, ['cp', join(rootfs, 'boot', vmlinuz), join(out, 'vmlinuz')]);
  await mustRun(STEP, ['cp', join(rootfs, 'boot', initrd), join(out, 'initrd.img')]);
  log('image: mkfs.ext4 -d + qemu-img convert');
  const raw = join(work, 'root.img');
  await mustRun(STEP, ['truncate', '-s', '2G', raw]);
  await mustRun(STEP, ['mkfs.ext4', '-q', '-F', '-L', 'tsplay-root', '-d', rootfs, raw]);
  await mustRun(STEP, ['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, join(out, 'base.qcow2')]);
  rmSync(raw);
  chmodSync(out, 0o755);
}

function customise(rootfs: string, inputs: ImageInputs): void {
  for (const [path, content] of Object.entries(inputs.files)) {
    const target = join(rootfs, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    if (path.includes('/sbin/')) chmodSync(target, 0o755);
  }
  const link = (target: string, at: string): void => {
    const p = join(rootfs, at);
    mkdirSync(dirname(p), { recursive: true });
    rmSync(p, { force: true });
    symlinkSync(target, p);
  };
  link('/etc/systemd/system/tsplay-seed.service', '/etc/systemd/system/sysinit.target.wants/tsplay-seed.service');
  // Why: nothing in the lab waits for "network online", and under TCG this unit costs seconds.
  link('/dev/null', '/etc/systemd/system/NetworkManager-wait-online.service');
  link('/dev/null', '/etc/systemd/system/systemd-networkd-wait-online.service');
  for (const unit of [
    // Why: on the guests' one TCG vCPU e2scrub_reap cost ~9 s of every boot, and a timer firing in
    // a test (apt-daily, fstrim, …) steals the vCPU a measured failover needs; the lab needs none.
    ...['e2scrub_reap.service', 'e2scrub_all.timer', 'apt-daily.timer', 'apt-daily-upgrade.timer', 'dpkg-db-backup.timer', 'fstrim.timer', 'systemd-tmpfiles-clean.timer'],
    // Why: each of these cost 0.2-0.3 s of the vCPU at every boot and nothing in the lab uses them:
    // modules and file systems for loop devices, FUSE, device mapper, configfs, binfmt, hugepages,
    // debug and trace; gettys on a console nobody types at; utmp records and a random seed (the
    // guests have virtio-rng). Not logind: it turns the ACPI power button into a shutdown, and
    // with it masked `virsh shutdown` left the guest running (still running 90 s later).
    ...['configfs', 'dm_mod', 'drm', 'efi_pstore', 'fuse', 'loop'].map((m) => `modprobe@${m}.service`),
    ...['dev-hugepages.mount', 'dev-mqueue.mount', 'sys-kernel-debug.mount', 'sys-kernel-tracing.mount', 'sys-kernel-config.mount', 'sys-fs-fuse-connections.mount'],
    ...['proc-sys-fs-binfmt_misc.automount', 'systemd-binfmt.service', 'getty@.service', 'serial-getty@.service'],
    ...['systemd-update-utmp.service', 'systemd-update-utmp-runlevel.service', 'systemd-random-seed.service'],
  ]) {
    link('/dev/null', `/etc/systemd/system/${unit}`);
  }
  // Why: Debian's NM runs /etc/network/if-*.d for every device event through this script (ethtool's
  // hook, run-parts, a shell): 7.9 s of the vCPU over one test file, some of it while a failover is
  // measured. The lab's guests have no ifupdown; the guest-team role's own dispatcher script stays.
  rmSync(join(rootfs, 'etc/NetworkManager/dispatcher.d/01-ifupdown'), { force: true });
  // each guest gets its own host keys (from its seed) and machine-id (first boot)
  for (const f of readdirSync(join(rootfs, 'etc/ssh'))) {
    if (f.startsWith('ssh_host_')) rmSync(join(rootfs, 'etc/ssh', f));
  }
  writeFileSync(join(rootfs, 'etc/machine-id'), '');
  rmSync(join(rootfs, 'var/lib/dbus/machine-id'), { force: true });
  for (const d of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/locale']) {
    const p = join(rootfs, d);
    if (!existsSync(p)) continue;
    for (const f of readdirSync(p)) if (f !== 'partial' && f !== 'lock') rmSync(join(p, f), { recursive: true, force: true });
  }
}
