import { inPlaceScript } from '../../connection/fixed-script.ts';
import type { Argv, RunResult } from '../../connection/types.ts';
import type { Change, ModuleContext } from '../types.ts';
import { taskOpts } from './task-opts.ts';
import { modeString, parseMode } from './file-mode.ts';

// Why not a static import: node:crypto costs ~8 ms to load, and a --syntax-check loads this file
// and never calls it.
const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/** FileType is what a path is, as lstat/stat see it. */
export type FileType = 'file' | 'directory' | 'link' | 'other';

/** StatInfo is one stat(1) answer, parsed. */
export interface StatInfo {
  readonly type: FileType;
  /** permission bits incl. setuid/setgid/sticky */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly owner: string;
  readonly group: string;
  readonly size: number;
  readonly mtime: number;
}

/**
 * FileState is everything copy/template/file/lineinfile/stat need to know about one path,
 * gathered in one round trip: lstat, stat of a link's target, the link text, sha1 and content.
 */
export interface FileState {
  readonly path: string;
  readonly exists: boolean;
  /** lstat: a symlink is reported as a link */
  readonly stat?: StatInfo;
  /** stat following links; only when the path is a link whose target exists */
  readonly target?: StatInfo;
  readonly linkTarget?: string;
  /** sha1 of the content (following links), when asked for and readable */
  readonly checksum?: string;
  /** content as UTF-8 text, when asked for, readable and valid UTF-8 */
  readonly content?: string;
  /** content was asked for but is not valid UTF-8 */
  readonly binary?: boolean;
}

/** STAT_FORMAT is the `stat -c` format parseStat reads; names come last as they may be UNKNOWN. */
export const STAT_FORMAT = '%f %u %g %s %Y %U %G';

/** parseStat reads one `stat -c STAT_FORMAT` line (GNU coreutils and busybox print the same). */
export function parseStat(line: string): StatInfo {
  const f = line.trim().split(' ');
  if (f.length < 7) throw new Error(`unexpected stat output: ${JSON.stringify(line)}`);
  const raw = parseInt(f[0]!, 16);
  // S_IFMT bits: 0o170000; regular 0o100000, directory 0o040000, symlink 0o120000
  const fmt = raw & 0o170000;
  const type: FileType = fmt === 0o100000 ? 'file' : fmt === 0o040000 ? 'directory' : fmt === 0o120000 ? 'link' : 'other';
  return {
    type,
    mode: raw & 0o7777,
    uid: Number(f[1]),
    gid: Number(f[2]),
    size: Number(f[3]),
    mtime: Number(f[4]),
    owner: f[5]!,
    group: f.slice(6).join(' '),
  };
}

/** ReadWant says which expensive parts of a FileState to fetch. */
export interface ReadWant {
  readonly checksum?: boolean;
  /** true: the whole content (to edit it); 'diff': only up to MAX_DIFF_SIZE, for showing a diff */
  readonly content?: boolean | 'diff';
}

/**
 * READ_SCRIPT reads every path given as an argument in one process tree, printing one tagged
 * line per fact: `X` the path after `~` expansion (base64, only when expanded), `S` lstat (empty
 * when absent), `T` stat of a link's target, `L` the link text (base64), `C` sha1 and `B` content
 * (base64). Why a fixed script rather than a batch of argv:
 * each command in a batch costs the remote shell a framed request (~1 ms); tests (`[ -L ]`,
 * `[ -f ]`) are shell builtins, so a regular file costs only `stat` and `sha1sum`.
 * Paths and the stat format arrive as arguments, never inside the script text.
 * It runs in the driver's own shell (inPlaceScript: no subshell fork per probe), so its variables
 * are READ_VARS only, and `shift 3` is guarded: in dash a failed `shift` would end the driver.
 */
export const READ_SCRIPT = [
  'tsplay_fmt=$1; tsplay_c=$2; tsplay_b=$3; [ $# -lt 3 ] || shift 3',
  'for tsplay_p in "$@"; do',
  // `~` and `~/...` are the host user's home, as Ansible's path arguments expand them.
  '  case $tsplay_p in "~") tsplay_p=$HOME; tsplay_x=1;; "~/"*) tsplay_p=$HOME/${tsplay_p#"~/"}; tsplay_x=1;; *) tsplay_x=;; esac',
  "  if [ -n \"$tsplay_x\" ]; then printf 'X '; printf '%s' \"$tsplay_p\" | base64 -w 0; printf '\\n'; fi",
  // each tag is part of stat's format: a `printf 'S '` of its own left as an SSH packet of its own
  '  if ! stat -c "S $tsplay_fmt" -- "$tsplay_p" 2>/dev/null; then printf \'S \\n\'; continue; fi',
  '  if [ -L "$tsplay_p" ]; then',
  '    stat -L -c "T $tsplay_fmt" -- "$tsplay_p" 2>/dev/null || printf \'T \\n\'',
  "    printf 'L '; readlink -- \"$tsplay_p\" | base64 -w 0; printf '\\n'",
  '  fi',
  '  if [ -f "$tsplay_p" ] && [ -r "$tsplay_p" ]; then',
  '    if [ "$tsplay_c" = 1 ]; then printf \'C \'; sha1sum < "$tsplay_p"; fi',
  '    if [ "$tsplay_b" = - ]; then printf \'B \'; base64 -w 0 < "$tsplay_p"; printf \'\\n\'; fi',
  // A diff only needs files up to max_diff_size: read one byte more to know it is larger.
  '    if [ "$tsplay_b" != - ] && [ "$tsplay_b" != 0 ]; then printf \'B \'; head -c "$tsplay_b" < "$tsplay_p" | base64 -w 0; printf \'\\n\'; fi',
  '  fi',
  'done',
].join('\n');

/** READ_VARS are the variables READ_SCRIPT assigns (the driver's function unsets them after it). */
export const READ_VARS = ['tsplay_fmt', 'tsplay_c', 'tsplay_b', 'tsplay_p', 'tsplay_x'] as const;

/** MAX_DIFF_SIZE is Ansible's default max_diff_size: larger files get no content diff. */
export const MAX_DIFF_SIZE = 104448;

/** readArgv is the one command that reads `paths` with READ_SCRIPT. */
export function readArgv(paths: readonly string[], want: ReadWant): Argv {
  const content = want.content === 'diff' ? String(MAX_DIFF_SIZE + 1) : want.content ? '-' : '0';
  return inPlaceScript(READ_SCRIPT, 'tsplay-read', [STAT_FORMAT, want.checksum ? '1' : '0', content, ...paths], READ_VARS);
}

function decodeText(b64: string): { content?: string; binary?: boolean } {
  const buf = Buffer.from(b64, 'base64');
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? { content: text } : { binary: true };
}

/** parseReadOutput turns READ_SCRIPT's tagged lines into one FileState per path, in order. */
export function parseReadOutput(paths: readonly string[], stdout: string, cappedAt?: number): FileState[] {
  const out: FileState[] = [];
  let cur: { -readonly [K in keyof FileState]: FileState[K] } | undefined;
  let expanded: string | undefined;
  for (const line of stdout.split('\n')) {
    const tag = line.slice(0, 2);
    const rest = line.slice(2);
    if (tag === 'X ') expanded = Buffer.from(rest, 'base64').toString('utf8');
    else if (tag === 'S ') {
      const path = expanded ?? paths[out.length] ?? '';
      expanded = undefined;
      cur = rest.trim() === '' ? { path, exists: false } : { path, exists: true, stat: parseStat(rest) };
      out.push(cur);
    } else if (!cur) continue;
    else if (tag === 'T ' && rest.trim() !== '') cur.target = parseStat(rest);
    else if (tag === 'L ') cur.linkTarget = Buffer.from(rest, 'base64').toString('utf8').replace(/\n$/, '');
    else if (tag === 'C ' && /^[0-9a-f]{40}/.test(rest)) cur.checksum = rest.slice(0, 40);
    else if (tag === 'B ') {
      const text = decodeText(rest);
      // A capped read that got more than the cap is too large to diff: leave the content out.
      if (cappedAt === undefined || Buffer.from(rest, 'base64').length <= cappedAt) Object.assign(cur, text);
    }
  }
  if (out.length !== paths.length) throw new Error(`reading ${paths.join(', ')} gave ${out.length} answers for ${paths.length} paths`);
  return out;
}

/** readFileStates reads several paths in ONE round trip (one command). */
export async function readFileStates(ctx: ModuleContext, paths: readonly string[], want: ReadWant): Promise<FileState[]> {
  return (await readFileStatesAnd(ctx, paths, want, [])).states;
}

/**
 * readFileStatesAnd reads several paths and runs extra read-only commands in the same round
 * trip (e.g. file's recurse probe), returning the extra commands' results in order.
 */
export async function readFileStatesAnd(ctx: ModuleContext, paths: readonly string[], want: ReadWant, extra: readonly Argv[]): Promise<{ states: FileState[]; extra: RunResult[] }> {
  const [r, ...rest] = await ctx.conn.batch([readArgv(paths, want), ...extra], taskOpts(ctx));
  if (!r || (r.rc !== 0 && r.stdout === '')) throw new Error(`cannot read ${paths.join(', ')}: ${r?.stderr.trim() ?? 'no answer'}`);
  return { states: parseReadOutput(paths, r.stdout, want.content === 'diff' ? MAX_DIFF_SIZE : undefined), extra: rest };
}

/** sha1 is the checksum Ansible uses for files (stat.checksum, copy's checksum). */
export function sha1(data: string | Buffer): string {
  // one-shot: no Hash object per call (a copy or template task checksums its content on every host)
  return crypto().hash('sha1', data, 'hex');
}

/** AttrArgs are the ownership and permission arguments shared by copy, template, file, lineinfile. */
export interface AttrArgs {
  readonly mode?: string | number;
  readonly owner?: string;
  readonly group?: string;
}

/** effective returns the stat that attributes apply to: a link's target, as Ansible follows links. */
export function effective(state: FileState): StatInfo | undefined {
  return state.stat?.type === 'link' ? state.target : state.stat;
}

function sameUser(want: string, name: string, id: number): boolean {
  return /^\d+$/.test(want) ? Number(want) === id : want === name;
}

/**
 * attrChanges lists mode/owner/group changes for a path whose state is `st` (undefined: the
 * path will be created, so `before` is null). Throws on a malformed symbolic mode.
 */
export function attrChanges(args: AttrArgs, st: StatInfo | undefined, isDir: boolean, defaultMode?: number): Change[] {
  const out: Change[] = [];
  if (args.mode !== undefined && args.mode !== 'preserve') {
    const base = st?.mode ?? defaultMode ?? (isDir ? 0o755 : 0o644);
    const want = parseMode(args.mode, base, isDir);
    if (!st || st.mode !== want) out.push({ property: 'mode', before: st ? modeString(st.mode) : null, after: modeString(want) });
  }
  if (args.owner !== undefined && (!st || !sameUser(args.owner, st.owner, st.uid))) {
    out.push({ property: 'owner', before: st ? st.owner : null, after: args.owner });
  }
  if (args.group !== undefined && (!st || !sameUser(args.group, st.group, st.gid))) {
    out.push({ property: 'group', before: st ? st.group : null, after: args.group });
  }
  return out;
}

/**
 * modeOperand is a planned mode (four octal digits) as chmod's or `mkdir -m`'s operand: five
 * digits, because the plan computed the exact mode from the path's real bits (or from a numeric
 * mode), and GNU chmod and mkdir keep a directory's setuid/setgid bits for a numeric mode of four
 * digits or fewer (coreutils >= 8.16 sets them as given for five), so `mode=0750` on a setgid
 * directory reported a change on every run; Ansible's os.chmod sets the mode exactly.
 * `keepInherited`: a new directory whose mode is symbolic, computed without the setgid bit it may
 * inherit: four digits keep that bit, as Ansible's mode from the directory it just made does.
 */
export function modeOperand(mode: string, keepInherited = false): string {
  return keepInherited ? mode : `0${mode}`;
}

/** attrCommands turns mode/owner/group changes into chmod/chown argv (`-h` for a link itself); the mode as modeOperand gives it. */
export function attrCommands(path: string, changes: readonly Change[], opts: { noFollow?: boolean; keepInherited?: boolean } = {}): Argv[] {
  const cmds: Argv[] = [];
  const by = (p: string): Change | undefined => changes.find((c) => c.property === p);
  const owner = by('owner')?.after as string | undefined;
  const group = by('group')?.after as string | undefined;
  if (owner !== undefined || group !== undefined) {
    const spec = `${owner ?? ''}${group !== undefined ? `:${group}` : ''}`;
    // every user value after `--`: a name starting with `-` must never reach chown as an option
    cmds.push(opts.noFollow ? ['chown', '-h', '--', spec, path] : ['chown', '--', spec, path]);
  }
  // Why after chown: chown clears setuid/setgid bits, so the mode must come last.
  const mode = by('mode')?.after as string | undefined;
  if (mode !== undefined && !opts.noFollow) cmds.push(['chmod', '--', modeOperand(mode, opts.keepInherited), path]);
  return cmds;
}

/** runAll runs argv commands in one batch and throws with the first failure's stderr. */
export async function runAll(ctx: ModuleContext, cmds: readonly Argv[]): Promise<void> {
  if (cmds.length === 0) return;
  const res = await ctx.conn.batch(cmds, taskOpts(ctx));
  res.forEach((r, i) => {
    if (r.rc !== 0) throw new Error(`${cmds[i]!.join(' ')}: ${r.stderr.trim() || `exit ${r.rc}`}`);
  });
}

/** backupName is Ansible's backup file name: `path.PID.YYYY-MM-DD@HH:MM:SS~`. */
export function backupName(path: string, now: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const ts = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  return `${path}.${process.pid}.${ts}~`;
}
