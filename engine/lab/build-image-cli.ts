// `node engine/lab/build-image-cli.ts`: installs the lab's Debian packages if missing and builds
// (or finds) the guest base image, for the test suite's warm-up before ava's timeouts apply.
// Why the packages too: on a fresh machine debootstrap, mkfs.ext4 -d and qemu-img are not there yet.
import { ensureHostPackages } from './host-packages.ts';
import { ensureImage } from './image-build.ts';

const log = (m: string): void => {
  process.stderr.write(`${m}\n`);
};
await ensureHostPackages(log);
const img = await ensureImage(log);
process.stdout.write(`${img.built ? 'built' : 'cached'} ${img.dir} in ${img.seconds.toFixed(1)} s\n`);
