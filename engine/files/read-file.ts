// The one place the controller reads a user's file (playbooks, roles, inventories, vars files,
// `-e @file`, include_vars): a device, FIFO or socket is refused as Ansible refuses it (`-i /dev/zero`
// would otherwise read forever), and a file beyond the size cap is refused before it is read,
// so memory stays proportional to what the user meant to give.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { TsplayError } from '../errors/index.ts';
import { shortPath } from './paths.ts';
import { decodeUtf8 } from './utf8.ts';

/** DEFAULT_MAX_FILE_BYTES is the size cap per file when TSPLAY_MAX_FILE_SIZE does not set one (16 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

/** MAX_FILE_SIZE_ENV names the environment variable that overrides the cap: bytes, or with a K/M/G suffix. */
export const MAX_FILE_SIZE_ENV = 'TSPLAY_MAX_FILE_SIZE';

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** parseByteSize reads `16M`, `512K`, `1048576` (K/M/G are powers of 1024); undefined if malformed. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*([0-9]+)\s*([KMG]?)i?B?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** maxFileBytes is the cap in force: TSPLAY_MAX_FILE_SIZE if set (a bad value is E_OPTION), else 16 MiB. */
export function maxFileBytes(): number {
  const raw = process.env[MAX_FILE_SIZE_ENV];
  if (raw === undefined || raw === '') return DEFAULT_MAX_FILE_BYTES;
  const n = parseByteSize(raw);
  if (n === undefined) throw new TsplayError({ code: 'E_OPTION', message: `${MAX_FILE_SIZE_ENV}="${raw}" is not a size (bytes, or a number with K, M or G)` });
  return n;
}

/** formatBytes shows a byte count the way the cap is usually written (16 MiB, 64.6 MiB, 512 KiB). */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (n >= size) return `${n % size === 0 ? n / size : (n / size).toFixed(1)} ${unit}`;
  }
  return `${n} bytes`;
}

function tooLarge(path: string, size: string, cap: number): TsplayError {
  return new TsplayError({
    code: 'E_INPUT_TOO_LARGE',
    message: `${shortPath(path)} is ${size}, larger than the ${formatBytes(cap)} tsplay reads per file`,
    pos: { file: path, line: 1, col: 1 },
    hint: `split the file, or raise the cap with ${MAX_FILE_SIZE_ENV}=64M`,
  });
}

/**
 * readUserFile reads a regular file as strict UTF-8 text (decodeUtf8) within the size cap; a missing file is
 * E_FILE_NOT_FOUND, a directory, device, FIFO or unreadable file E_FILE_READ, a file beyond the
 * cap E_INPUT_TOO_LARGE (each a TsplayError naming the file; `from` is where it was referenced).
 */
export function readUserFile(path: string, from?: { file: string; line: number; col: number }, what = 'file'): string {
  const fail = (code: 'E_FILE_NOT_FOUND' | 'E_FILE_READ', message: string): TsplayError => new TsplayError({ code, message, pos: from });
  const cap = maxFileBytes();
  let fd: number;
  try {
    // stat before open: opening a FIFO would block until a writer comes
    const st = statSync(path);
    if (st.isDirectory()) throw fail('E_FILE_READ', `${shortPath(path)} is a directory, not a file`);
    if (!st.isFile()) throw fail('E_FILE_READ', `${shortPath(path)} is not a regular file (a device, FIFO or socket); tsplay reads only regular files, as Ansible does`);
    if (st.size > cap) throw tooLarge(path, formatBytes(st.size), cap);
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof TsplayError) throw e;
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw fail(missing ? 'E_FILE_NOT_FOUND' : 'E_FILE_READ', missing ? `file not found: ${shortPath(path)}` : `cannot read ${shortPath(path)}: ${(e as Error).message}`);
  }
  try {
    // the file was swapped or grows while read (or is a /proc file whose size says 0): stop at the cap all the same
    if (!fstatSync(fd).isFile()) throw fail('E_FILE_READ', `${shortPath(path)} is not a regular file`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, cap + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
      total += n;
      if (total > cap) throw tooLarge(path, `more than ${formatBytes(cap)}`, cap);
    }
    // strict: invalid UTF-8 is an error with its byte offset, never a silent U+FFFD
    return decodeUtf8(Buffer.concat(chunks, total), path, what);
  } catch (e) {
    if (e instanceof TsplayError) throw e;
    throw fail('E_FILE_READ', `cannot read ${shortPath(path)}: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
