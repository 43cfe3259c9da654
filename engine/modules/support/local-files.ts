import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

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

/** LocalFile is one controller file to copy: its path relative to the copied root, bytes and mode. */
export interface LocalFile {
  readonly rel: string;
  readonly content: Buffer;
  readonly mode: number;
}

/**
 * LocalSource is a controller file read for copy/template, a directory tree (copy only: its
 * sub-directories and files relative to it, sorted), or why it could not be read.
 */
export type LocalSource =
  | { readonly path: string; readonly content: Buffer; readonly mode: number }
  | { readonly path: string; readonly tree: { readonly dirs: readonly string[]; readonly files: readonly LocalFile[] } }
  | { readonly error: string };

// Symlinks are followed, as Ansible's copy does by default (local_follow).
function walk(root: string, rel: string, dirs: string[], files: LocalFile[]): void {
  for (const name of readdirSync(join(root, rel)).sort()) {
    const r = rel === '' ? name : `${rel}/${name}`;
    const st = statSync(join(root, r));
    if (st.isDirectory()) {
      dirs.push(r);
      walk(root, r, dirs, files);
    } else if (st.isFile()) files.push({ rel: r, content: readFileSync(join(root, r)), mode: st.mode & 0o7777 });
  }
}

/** readLocal reads a controller-side source file or directory tree, reporting a missing src as an error value. */
export function readLocal(src: string, dirs: readonly string[], allowTree = false): LocalSource {
  const path = findLocal(src, dirs);
  if (path === undefined) return { error: `Could not find or access '${src}' (searched: ${dirs.join(', ') || 'nothing'})` };
  const st = statSync(path);
  if (st.isDirectory()) {
    if (!allowTree) return { error: `'${src}' is a directory` };
    const treeDirs: string[] = [];
    const files: LocalFile[] = [];
    walk(path, '', treeDirs, files);
    return { path, tree: { dirs: treeDirs, files } };
  }
  return { path, content: readFileSync(path), mode: st.mode & 0o7777 };
}
