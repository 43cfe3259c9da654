import { createReadStream, existsSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { LocalFileRef } from '../../connection/types.ts';
import { MAX_DIFF_SIZE } from './file-state.ts';

// Why not a static import: node:crypto costs ~8 ms to load, and a --syntax-check loads this file
// and never calls it.
const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/**
 * findLocal finds a controller-side file named by `src`: absolute paths as given, relative
 * ones in each search directory in order (role files/ or templates/ first, then the playbook's).
 */
export function findLocal(src: string, dirs: readonly string[]): string | undefined {
  if (isAbsolute(src)) return existsSync(src) ? src : undefined;
  for (const d of dirs) {
    const p = join(d, src);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * LocalRef is a controller file too big to diff (over MAX_DIFF_SIZE): it is not read into memory
 * but hashed once and streamed to each host as it is sent (connection put).
 */
export interface LocalRef extends LocalFileRef {
  readonly checksum: string;
}

/** LocalFile is one controller file to copy: its path relative to the copied root, bytes (or a LocalRef) and mode. */
export interface LocalFile {
  readonly rel: string;
  readonly content: Buffer | LocalRef;
  readonly mode: number;
}

/**
 * LocalSource is a controller file read for copy/template, a directory tree (copy only: its
 * sub-directories and files relative to it, sorted), or why it could not be read.
 */
export type LocalSource =
  | { readonly path: string; readonly content: Buffer | LocalRef; readonly mode: number }
  | { readonly path: string; readonly tree: { readonly dirs: readonly string[]; readonly files: readonly LocalFile[] } }
  | { readonly error: string };

// One sha1 per file version per run, however many hosts copy it: every host's read awaits the
// same hashing. Keyed by what changes when the file does, so an edited file is hashed again.
const hashes = new Map<string, Promise<string>>();

function hashFile(path: string, st: Stats): Promise<string> {
  const key = `${path}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
  let h = hashes.get(key);
  if (h === undefined) {
    h = new Promise<string>((resolve, reject) => {
      const sum = crypto().createHash('sha1');
      createReadStream(path)
        .on('data', (b) => sum.update(b))
        .on('error', reject)
        .on('end', () => resolve(sum.digest('hex')));
    });
    h.catch(() => hashes.delete(key));
    hashes.set(key, h);
  }
  return h;
}

// Small files are read (templates render them, --diff shows them); large ones stay on disk.
async function contentOf(path: string, st: Stats): Promise<Buffer | LocalRef> {
  if (st.size <= MAX_DIFF_SIZE) return readFileSync(path);
  return { localPath: path, size: st.size, checksum: await hashFile(path, st) };
}

// Symlinks are followed, as Ansible's copy does by default (local_follow).
async function walk(root: string, rel: string, dirs: string[], files: LocalFile[]): Promise<void> {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel === '' ? name : `${rel}/${name}`;
    const st = statSync(join(root, r));
    if (st.isDirectory()) {
      dirs.push(r);
      await walk(root, r, dirs, files);
    } else if (st.isFile()) files.push({ rel: r, content: await contentOf(join(root, r), st), mode: st.mode & 0o7777 });
  }
}

/**
 * readLocal reads a controller-side source file or directory tree, reporting a missing src as an
 * error value. `whole` (template) always reads the bytes; otherwise a file over MAX_DIFF_SIZE
 * comes back as a LocalRef.
 */
export async function readLocal(src: string, dirs: readonly string[], allowTree = false, whole = false): Promise<LocalSource> {
  const path = findLocal(src, dirs);
  if (path === undefined) return { error: `Could not find or access '${src}' (searched: ${dirs.join(', ') || 'nothing'})` };
  const st = statSync(path);
  if (st.isDirectory()) {
    if (!allowTree) return { error: `'${src}' is a directory` };
    const treeDirs: string[] = [];
    const files: LocalFile[] = [];
    await walk(path, '', treeDirs, files);
    return { path, tree: { dirs: treeDirs, files } };
  }
  return { path, content: whole ? readFileSync(path) : await contentOf(path, st), mode: st.mode & 0o7777 };
}
