import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

/**
 * buildTestBundle builds the bundle into a fresh folder of the test's own under the checkout's
 * .cache/ (the bundle resolves its packages from the checkout's node_modules; dist/ may be in use
 * by other tests' runs), removed when the test ends. Asserts the build succeeded.
 */
export function buildTestBundle(t: ExecutionContext, prefix: string): string {
  mkdirSync(join(root, '.cache'), { recursive: true });
  const out = mkdtempSync(join(root, '.cache', prefix));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const built = spawnSync(process.execPath, [join(root, 'build/bundle.js'), out], { cwd: root, encoding: 'utf8' });
  t.is(built.status, 0, built.stderr);
  return out;
}
