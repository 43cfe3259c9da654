// Finds the Debian mirror this machine's apt uses: debootstrap must use exactly that one
// (it may be the only archive reachable from the machine).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** DEFAULT_MIRROR is used only when no apt source names a Debian main archive. */
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/** parseAptSources returns the archive URIs that serve `suite` with the `main` component, in file order. */
export function parseAptSources(text: string, deb822: boolean, suite: string): string[] {
  const found: string[] = [];
  if (deb822) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string): string[] => {
        const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(stanza);
        return m?.[1]?.trim().split(/\s+/) ?? [];
      };
      if (!field('Types').includes('deb')) continue;
      if (!field('Suites').includes(suite) || !field('Components').includes('main')) continue;
      found.push(...field('URIs'));
    }
  } else {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      // "deb [opts] URI SUITE COMPONENTS..."
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line);
      if (m && m[2] === suite && (m[3] ?? '').split(/\s+/).includes('main') && m[1]) found.push(m[1]);
    }
  }
  return found.map((u) => u.replace(/\/+$/, ''));
}

/** configuredMirror reads /etc/apt/sources.list{,.d/*} and returns the first Debian archive for `suite`. */
export function configuredMirror(suite: string, root = '/etc/apt'): string {
  const files: { path: string; deb822: boolean }[] = [];
  if (existsSync(join(root, 'sources.list'))) files.push({ path: join(root, 'sources.list'), deb822: false });
  const dir = join(root, 'sources.list.d');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith('.sources')) files.push({ path: join(dir, f), deb822: true });
      else if (f.endsWith('.list')) files.push({ path: join(dir, f), deb822: false });
    }
  }
  for (const f of files) {
    const uris = parseAptSources(readFileSync(f.path, 'utf8'), f.deb822, suite);
    if (uris[0] !== undefined) return uris[0];
  }
  return DEFAULT_MIRROR;
}
