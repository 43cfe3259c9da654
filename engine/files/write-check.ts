import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TsplayError } from '../errors/index.ts';

/**
 * checkWritableFile refuses, as E_OPTION naming the flag, an output path that could not be written
 * when the run ends (missing or read-only directory, a directory in its place): checked before the
 * run, so a whole run is not spent only for the report to fail and hide the run's exit code.
 */
export function checkWritableFile(path: string, flag: string): void {
  const bad = (why: string): TsplayError => new TsplayError({ code: 'E_OPTION', message: `${flag} ${path}: ${why}` });
  const dir = dirname(resolve(path));
  let st: Stats;
  try {
    st = statSync(dir);
  } catch {
    throw bad(`directory ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw bad(`${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw bad(`directory ${dir} is not writable`);
  }
  try {
    if (statSync(path).isDirectory()) throw bad('is a directory');
  } catch (e) {
    if (e instanceof TsplayError) throw e;
  }
}
