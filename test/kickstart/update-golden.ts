// Rewrites test/kickstart/golden/pxe-example/ from the current generator (`npm run golden:update`).
// Why a separate command: regenerating inside the test would make the test pass by construction;
// review the `git diff` of the golden files before committing them.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTree } from '../../engine/kickstart/generate.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const goldenDir = fileURLToPath(new URL('./golden/pxe-example/', import.meta.url));

const tree = await generateTree({ inventories: ['inventories/pxe-example'], cwd: root });
// start empty so a file the generator no longer writes disappears from the goldens too
rmSync(goldenDir, { recursive: true, force: true });
for (const f of tree.files) {
  mkdirSync(dirname(join(goldenDir, f.path)), { recursive: true });
  writeFileSync(join(goldenDir, f.path), f.content);
}
process.stdout.write(`wrote ${tree.files.length} files under ${goldenDir}; review them with git diff\n`);
