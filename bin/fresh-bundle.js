// Plain JS for the same reason as tsplay.js: it runs before any .ts file.
// node:fs through getBuiltinModule, not an ES import: see bin/tsplay.js
const { readFileSync, statSync } = process.getBuiltinModule('node:fs');
const { fileURLToPath } = process.getBuiltinModule('node:url');

/**
 * freshBundle returns the URL of dist/main.js under `root` (a directory URL) when the bundle
 * there (built by `npm ci`, see build/bundle.js) is fresh: each file its manifest lists still has
 * the recorded size and mtime. Otherwise, or with TSPLAY_SOURCES=1, undefined: after an edit, a
 * `git pull` or a package update tsplay runs its sources until the next `npm ci` or
 * `npm run bundle`, never old code. Cost: one stat per listed file (about 300).
 */
export function freshBundle(root) {
  if (process.env.TSPLAY_SOURCES === '1') return undefined;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/manifest.json', root), 'utf8'));
  } catch {
    return undefined;
  }
  const dir = fileURLToPath(root);
  for (const [file, [size, mtimeMs]] of Object.entries(manifest.files)) {
    const s = statSync(dir + file, { throwIfNoEntry: false });
    if (s?.size !== size || s.mtimeMs !== mtimeMs) return undefined;
  }
  return new URL('dist/main.js', root).href;
}
