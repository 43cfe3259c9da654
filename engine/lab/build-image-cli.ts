// `node engine/lab/build-image-cli.ts`: builds (or finds) the guest base image alone, for CI warm-up.
import { ensureImage } from './image-build.ts';

const img = await ensureImage((m) => process.stderr.write(`${m}\n`));
process.stdout.write(`${img.built ? 'built' : 'cached'} ${img.dir} in ${img.seconds.toFixed(1)} s\n`);
