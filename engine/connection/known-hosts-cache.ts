import { readFileSync, statSync } from 'node:fs';
import { appendKnownHost, entriesFor, indexKnownHosts, type KnownHostEntry, type KnownHostsIndex, parseKnownHosts } from './known-hosts.ts';

/**
 * One parse of each known_hosts file per process, shared by every connection of a run: parsing
 * it per connection was hosts × lines work (250 000 lines at 500 hosts, each plain name tried as
 * a regexp). A file is parsed again when its inode, size, mtime or ctime differ from the parse's
 * (someone else edited it), and after our own accept-new append (recordKnownHost).
 */
const parsed = new Map<string, { readonly sig: string; readonly index: KnownHostsIndex }>();

let parseCount = 0;

/** knownHostsParses counts files actually read and parsed in this process (the tests prove the sharing with it). */
export function knownHostsParses(): number {
  return parseCount;
}

function indexOf(file: string): KnownHostsIndex | undefined {
  const st = statSync(file, { bigint: true, throwIfNoEntry: false });
  if (!st) {
    parsed.delete(file);
    return undefined; // a missing file counts as empty, as OpenSSH has it
  }
  const sig = `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const hit = parsed.get(file);
  if (hit?.sig === sig) return hit.index;
  const index = indexKnownHosts(parseKnownHosts(readFileSync(file, 'utf8'), file));
  parseCount++;
  parsed.set(file, { sig, index });
  return index;
}

/** knownHostsFor returns the entries of `files` (in order) that can decide `name`'s key: entriesFor over the shared parses. */
export function knownHostsFor(files: readonly string[], name: string): KnownHostEntry[] {
  return files.flatMap((f) => {
    const ix = indexOf(f);
    return ix ? entriesFor(ix, name) : [];
  });
}

/** recordKnownHost appends an accepted key (appendKnownHost) and drops the file's parse, so the next connection reads the new line. */
export function recordKnownHost(file: string, name: string, blob: Buffer): void {
  try {
    appendKnownHost(file, name, blob);
  } finally {
    parsed.delete(file);
  }
}
