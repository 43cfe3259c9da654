import { TsplayError } from '../errors/index.ts';
import { fixedScript } from './fixed-script.ts';
import type { Argv, PutOptions } from './types.ts';

/**
 * UNCHANGED_FN defines the sh function `unchanged TARGET SHA1 WRITER LAST` that answers whether
 * TARGET still holds the content whose sha1 is SHA1 (`-`: TARGET must not exist). It first takes an
 * flock on TARGET's directory (when the host has flock), held until the calling script exits, so
 * tsplay writers check and rename one at a time: a writer that waited sees the file its predecessor
 * put. Writers that take no lock (Ansible, an editor) can still slip in between the check and `mv`.
 *
 * Turns: a writer that loses (its file changed) leaves a symlink `.NAME.tsplay-turn` -> WRITER,
 * and every other writer steps aside (answers "changed") until that one has written, lost its
 * LAST (=1) try, or 30 s have passed. Without it, a run editing the file item after item wins every
 * race: it reads again the moment it renamed, always before the loser's retry, so the loser gives up.
 */
const UNCHANGED_FN = [
  'unchanged() {',
  // the split by builtins where the path ends in a name (two fork+execs fewer per write)
  '  case $1 in */*[!/]) ud=${1%/*}; ub=${1##*/}; [ -n "$ud" ] || ud=/;; *) ud=$(dirname -- "$1"); ub=$(basename -- "$1");; esac',
  '  uw="$ud/.$ub.tsplay-turn"',
  '  if command -v flock >/dev/null 2>&1 && [ -r "$ud" ]; then exec 9<"$ud"; flock 9; fi',
  '  uo=; if [ -L "$uw" ]; then uo=$(readlink -- "$uw"); if [ $(( $(date +%s) - $(stat -c %Y -- "$uw") )) -ge 30 ]; then uo=; fi; fi',
  '  if [ -n "$uo" ] && [ "$uo" != "$3" ]; then return 1; fi',
  '  if [ "$2" = - ]; then if [ -e "$1" ] || [ -L "$1" ]; then uc=1; else uc=0; fi',
  '  else us=$(sha1sum < "$1" 2>/dev/null) && [ "${us%% *}" = "$2" ] && uc=0 || uc=1; fi',
  '  if [ "$uc" = 0 ] || [ "$4" = 1 ] || [ -z "$3" ]; then if [ -n "$uo" ]; then rm -f -- "$uw"; fi; return $uc; fi',
  '  if [ -z "$uo" ]; then rm -f -- "$uw"; ln -s -- "$3" "$uw" 2>/dev/null || :; fi',
  '  return 1',
  '}',
];

/** CONFLICT_RC is the exit status of PUT_SCRIPT and RENAME_SCRIPT when the target changed since it was read. */
export const CONFLICT_RC = 3;

/**
 * RENAME_SCRIPT renames a written temp file over its target only if the target is unchanged:
 * `sh -c RENAME_SCRIPT tsplay-rename TEMP TARGET SHA1|- WRITER LAST`; otherwise it removes the temp file
 * and exits CONFLICT_RC. Where the target must be absent (`-`) it is created by a hard link, which
 * fails if the name exists: SshConnection.put creates new files by an SFTP link without this
 * script or its lock, and a `mv` here could replace such a file between the check and the move.
 * Only where the link fails and the name is still free (a filesystem without hard links) does `mv` do it.
 */
export const RENAME_SCRIPT = [
  ...UNCHANGED_FN,
  `if ! unchanged "$2" "$3" "$4" "$5"; then rm -f -- "$1"; exit ${CONFLICT_RC}; fi`,
  `if [ "$3" = - ]; then if ln -- "$1" "$2" 2>/dev/null; then rm -f -- "$1"; exit 0; fi; if [ -e "$2" ] || [ -L "$2" ]; then rm -f -- "$1"; exit ${CONFLICT_RC}; fi; fi`,
  'mv -f -- "$1" "$2"',
].join('\n');

/** turnPath is the name of UNCHANGED_FN's turn link for `path` (a writer that lost holds it). */
export function turnPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.tsplay-turn`;
}

/**
 * PUT_SCRIPT is the fixed sh program that replaces a file atomically when the write needs
 * sudo: `sh -c PUT_SCRIPT tsplay-put PATH MODE OWNER GROUP EXPECT WRITER LAST` with the content on stdin. It
 * writes a temp file beside PATH, keeps the old file's mode and owner unless told otherwise
 * (keeping the owner is skipped quietly where only root may give files away, as over SFTP),
 * and renames it over PATH, so readers see the old or the new file, never half of one. A
 * non-empty EXPECT (a sha1, or `-` for absent) makes the rename wait for UNCHANGED_FN's check.
 * Builtins do what they can (a path ending in a file name is split without dirname/basename).
 */
export const PUT_SCRIPT = [
  'set -e',
  ...UNCHANGED_FN,
  'case $1 in */*[!/]) d=${1%/*}; b=${1##*/}; [ -n "$d" ] || d=/;; *) d=$(dirname -- "$1"); b=$(basename -- "$1");; esac',
  't=$(mktemp "$d/.$b.tsplay-XXXXXXXX")',
  'trap \'rm -f -- "$t"\' EXIT',
  'cat >"$t"',
  'o=; if [ -e "$1" ]; then o=$(stat -c "%a %u:%g" -- "$1"); fi',
  'if [ -n "$2" ]; then chmod -- "$2" "$t"; elif [ -n "$o" ]; then chmod -- "${o%% *}" "$t"; else chmod 644 "$t"; fi',
  'if [ -z "$3$4" ] && [ -n "$o" ]; then chown -- "${o#* }" "$t" 2>/dev/null || :; fi',
  'if [ -n "$3" ]; then chown -- "$3" "$t"; fi',
  'if [ -n "$4" ]; then chgrp -- "$4" "$t"; fi',
  `if [ -n "$5" ] && ! unchanged "$1" "$5" "$6" "$7"; then exit ${CONFLICT_RC}; fi`,
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
  return fixedScript(PUT_SCRIPT, 'tsplay-put', [path, mode === undefined ? '' : mode.toString(8), opts.owner ?? '', opts.group ?? '', expectArg(opts), ...writerArgs(opts)]);
}

/** renameArgv is the argv that renames `tmp` over `path` only if `path` is as `opts.expect` says. */
export function renameArgv(tmp: string, path: string, opts: PutOptions): Argv {
  return fixedScript(RENAME_SCRIPT, 'tsplay-rename', [tmp, path, expectArg(opts) || '-', ...writerArgs(opts)]);
}

function writerArgs(opts: PutOptions): [string, string] {
  return [opts.writer?.id ?? '', opts.writer?.lastTry ? '1' : ''];
}

function expectArg(opts: PutOptions): string {
  return opts.expect === undefined ? '' : opts.expect === null ? '-' : opts.expect;
}

/** writeConflict is the error of a put whose target changed after it was read (PutOptions.expect). */
export function writeConflict(host: string, path: string): TsplayError {
  return new TsplayError({ code: 'E_WRITE_CONFLICT', host, message: `${path} changed on ${host} after it was read; not replaced` });
}
