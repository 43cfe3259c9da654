import { fixedScript } from '../../connection/fixed-script.ts';
import type { Argv } from '../../connection/types.ts';

/** MODULES_LOAD_DIR and MODPROBE_DIR are the directories community.general.modprobe manages (fixed: it has no option for them). */
export const MODULES_LOAD_DIR = '/etc/modules-load.d';
export const MODPROBE_DIR = '/etc/modprobe.d';

/** ConfFile is one regular file of a configuration directory, as the host has it. */
export interface ConfFile {
  readonly path: string;
  /** octal permission bits as stat prints them (`644`) */
  readonly mode: string;
  readonly content: string;
}

// Fixed script; the directories arrive as arguments. Each file is framed by NULs, which no
// configuration text holds: `\0F MODE PATH\0CONTENT`. Hidden files count, as os.listdir lists them.
const DUMP_SCRIPT = [
  'for d in "$@"; do',
  '  [ -d "$d" ] || continue',
  '  for f in "$d"/* "$d"/.[!.]*; do',
  '    [ -f "$f" ] || continue',
  `    printf '\\0F %s %s\\0' "$(stat -c %a -- "$f")" "$f"; cat -- "$f"`,
  '  done',
  'done',
].join('\n');

/** confDumpArgv reads every regular file of `dirs` in one command (parse with parseConfDump). */
export function confDumpArgv(dirs: readonly string[]): Argv {
  return fixedScript(DUMP_SCRIPT, 'tsplay-conf', dirs);
}

/** parseConfDump reads confDumpArgv's output: the files in the order the host listed them. */
export function parseConfDump(stdout: string): ConfFile[] {
  const parts = stdout.split('\0');
  const out: ConfFile[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const m = /^F (\d+) (.*)$/s.exec(parts[i]!);
    if (m) out.push({ mode: m[1]!, path: m[2]!, content: parts[i + 1]! });
  }
  return out;
}

// Fixed script: the module's sysfs name arrives as $1. One `name=value` line per readable
// parameter (a value's own newlines become spaces); exit 1 when /sys/module/NAME is absent.
const SYSFS_SCRIPT = [
  'd=/sys/module/$1; [ -d "$d" ] || exit 1',
  'for f in "$d"/parameters/*; do',
  '  [ -f "$f" ] && [ -r "$f" ] || continue',
  `  v=$(cat -- "$f" 2>/dev/null) || continue; printf '%s=%s\\n' "\${f##*/}" "$(printf '%s' "$v" | tr '\\n' ' ')"`,
  'done',
].join('\n');

/** sysfsParamsArgv lists a module's parameters under /sys/module (the name as the kernel spells it, `_` for `-`). */
export function sysfsParamsArgv(name: string): Argv {
  return fixedScript(SYSFS_SCRIPT, 'tsplay-sysfs', [kernelName(name)]);
}

/** parseSysfsParams reads sysfsParamsArgv's lines into parameter → value. */
export function parseSysfsParams(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** kernelName is a module's name as /proc/modules and /sys/module spell it: dashes are underscores. */
export function kernelName(name: string): string {
  return name.replaceAll('-', '_');
}

/** ProcModule is one /proc/modules line: name, size, reference count, users, state. */
export interface ProcModule {
  readonly name: string;
  readonly size: number;
  readonly refcount: number;
  readonly usedBy: readonly string[];
  readonly state: string;
}

/** parseProcModules reads /proc/modules (`name size refcount deps, state address [taints]`, proc(5)). */
export function parseProcModules(text: string): ProcModule[] {
  const out: ProcModule[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[0] === '') continue;
    const deps = f[3] === '-' ? [] : f[3]!.split(',').filter((d) => d !== '');
    out.push({ name: f[0]!, size: Number(f[1]), refcount: Number(f[2]), usedBy: deps, state: f[4]! });
  }
  return out;
}
