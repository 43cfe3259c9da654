import { TsplayError } from '../errors/index.ts';
import type { Argv, PutOptions } from './types.ts';

/**
 * PUT_SCRIPT is the fixed sh program that replaces a file atomically when the write needs
 * sudo: `sh -c PUT_SCRIPT tsplay-put PATH MODE OWNER GROUP` with the content on stdin. It
 * writes a temp file beside PATH, keeps the old file's mode and owner unless told otherwise,
 * and renames it over PATH, so readers see the old or the new file, never half of one.
 */
export const PUT_SCRIPT = [
  'set -e',
  'd=$(dirname -- "$1"); b=$(basename -- "$1")',
  't=$(mktemp "$d/.$b.tsplay-XXXXXXXX")',
  'trap \'rm -f -- "$t"\' EXIT',
  'cat >"$t"',
  'if [ -n "$2" ]; then chmod "$2" "$t"; elif [ -e "$1" ]; then chmod "$(stat -c %a -- "$1")" "$t"; else chmod 644 "$t"; fi',
  'if [ -z "$3$4" ] && [ -e "$1" ]; then chown "$(stat -c %u:%g -- "$1")" "$t"; fi',
  'if [ -n "$3" ]; then chown -- "$3" "$t"; fi',
  'if [ -n "$4" ]; then chgrp -- "$4" "$t"; fi',
  'mv -f -- "$t" "$1"',
  'trap - EXIT',
].join('\n');

/** parseMode reads a file mode given as an octal string ('0644', '644') or a number. */
export function parseMode(mode: string | number, host?: string): number {
  if (typeof mode === 'number') {
    if (Number.isInteger(mode) && mode >= 0 && mode <= 0o7777) return mode;
  } else if (/^0?[0-7]{3,4}$/.test(mode)) {
    return Number.parseInt(mode, 8);
  }
  throw new TsplayError({ code: 'E_ARG_TYPE', ...(host ? { host } : {}), message: `file mode ${JSON.stringify(mode)} is not an octal mode like '0644'` });
}

/** putArgv is the argv that runs PUT_SCRIPT for `path` (the content goes on its stdin). */
export function putArgv(path: string, mode: number | undefined, opts: PutOptions): Argv {
  return ['/bin/sh', '-c', PUT_SCRIPT, 'tsplay-put', path, mode === undefined ? '' : mode.toString(8), opts.owner ?? '', opts.group ?? ''];
}
