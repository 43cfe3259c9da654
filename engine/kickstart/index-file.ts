// index.json is how tsplay knows which files of DIR are its own: every file it wrote, with the
// sha256 of what it wrote. Only a recorded file whose content still has that hash is ever removed;
// anything else in DIR (a file never recorded, or one edited since) is the user's and left alone.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PxeFile } from './pxe.ts';

/** INDEX_FILE lists, per host, what was written and the boot data (no timestamps: reruns stay identical). */
export const INDEX_FILE = 'index.json';

/** IndexEntry is one host's record: its boot data and the files written for it. */
export interface IndexEntry {
  readonly os: string;
  readonly hostname: string;
  readonly boot_nic: string;
  readonly boot_mac: string;
  readonly next_server: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly ks_url: string;
  readonly kernel_args: string[];
  readonly files: string[];
}

/** TreeIndex is index.json read back: the hosts, and every file tsplay wrote with its sha256. */
export interface TreeIndex {
  readonly hosts: Record<string, IndexEntry>;
  readonly owned: Record<string, string>;
  /** why the index could not be used (unreadable JSON, or a file list without checksums) */
  readonly problem?: string | undefined;
}

/** sha256 is the hex digest index.json records for a file's content. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** indexContent renders index.json: the hosts, then `written` (path → sha256 of every file tsplay owns). */
export function indexContent(hosts: Record<string, IndexEntry>, owned: readonly PxeFile[] | Record<string, string>): string {
  const written = Array.isArray(owned) ? Object.fromEntries((owned as readonly PxeFile[]).map((f) => [f.path, sha256(f.content)])) : owned;
  return `${JSON.stringify({ generator: 'tsplay kickstart', hosts, written }, null, 2)}\n`;
}

/** readIndex reads DIR's index.json; a missing one is an empty index, an unusable one says why. */
export function readIndex(dir: string): TreeIndex {
  let text: string;
  try {
    text = readFileSync(join(dir, INDEX_FILE), 'utf8');
  } catch {
    return { hosts: {}, owned: {} };
  }
  try {
    const j = JSON.parse(text) as { hosts?: Record<string, IndexEntry>; written?: Record<string, string> };
    const hosts = j.hosts && typeof j.hosts === 'object' ? j.hosts : {};
    if (!j.written || typeof j.written !== 'object') {
      return { hosts, owned: {}, problem: `${INDEX_FILE} was written by an older tsplay and records no checksums` };
    }
    return { hosts, owned: j.written };
  } catch (e) {
    return { hosts: {}, owned: {}, problem: `${INDEX_FILE} does not parse (${(e as Error).message})` };
  }
}
