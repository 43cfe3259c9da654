// Anaconda checks `timezone` against the zone database (pytz.all_timezones on EL 7, zoneinfo's
// available_timezones later) and, on a name it does not know, logs a warning and installs UTC: the
// mistake only shows after the install. tsplay checks the same database, the tzdata zoneinfo tree.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** ZONEINFO_DIR is the tzdata zoneinfo tree checked (TZDIR when set, as the C library does). */
export const ZONEINFO_DIR = process.env['TZDIR'] || '/usr/share/zoneinfo';

function hasTzifMagic(file: string): boolean | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(4);
    return readSync(fd, buf, 0, 4, 0) === 4 && buf.toString('latin1') === 'TZif';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR' || (e as NodeJS.ErrnoException).code === 'EISDIR' ? false : undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * knownTimezone says whether `name` is a zone of the database: a TZif file under ZONEINFO_DIR, as
 * Python's zoneinfo.available_timezones() lists them (not posixrules, nothing under right/ or posix/).
 * undefined when the database itself cannot be read here (then nothing is claimed).
 */
export function knownTimezone(name: string, dir = ZONEINFO_DIR): boolean | undefined {
  if (hasTzifMagic(join(dir, 'UTC')) !== true) return undefined;
  if (name === 'posixrules' || /^(right|posix)\//.test(name) || name.split('/').some((p) => p === '' || p === '.' || p === '..')) return false;
  return hasTzifMagic(join(dir, name));
}
