import { statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';

/** shortPath shows a path relative to the working directory when it lies below it, for messages. */
export function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** fileExists tells whether path names a regular file. */
export function fileExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
