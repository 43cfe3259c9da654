import { FALSE_WORDS, TRUE_WORDS } from './args.ts';

/**
 * sysctlProcPath is the /proc/sys file of a key, converted as sysctl(8) does (`.` separates,
 * `/` stands for a dot inside a component, as in `net.ipv4.conf.eth0/100.forwarding`); undefined
 * when the key would name something outside /proc/sys (an empty, `.` or `..` component).
 */
export function sysctlProcPath(name: string): string | undefined {
  const parts = name.split('.').map((p) => p.replaceAll('/', '.'));
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) return undefined;
  return `/proc/sys/${parts.join('/')}`;
}

/** sysctlValue normalises a wanted value as ansible.posix.sysctl does: boolean words become 1/0, the rest is stripped. */
export function sysctlValue(value: string | undefined): string {
  if (value === undefined) return '';
  const w = value.toLowerCase();
  if (TRUE_WORDS.has(w)) return '1';
  if (FALSE_WORDS.has(w)) return '0';
  return value.trim();
}

/** sysctlValuesEqual compares two values word by word, as a multi-value key (`32768\t60999`) reads back with tabs. */
export function sysctlValuesEqual(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const x = a.split(/\s+/).filter((w) => w !== '');
  const y = b.split(/\s+/).filter((w) => w !== '');
  return x.length === y.length && x.every((w, i) => w === y[i]);
}

function isEntry(line: string): boolean {
  return line !== '' && !line.startsWith('#') && !line.startsWith(';') && line.includes('=');
}

function splitEntry(line: string): [string, string] {
  const i = line.indexOf('=');
  return [line.slice(0, i).trim(), line.slice(i + 1).trim()];
}

/** SysctlFile is a sysctl.conf as ansible.posix.sysctl reads it: stripped lines, and each key's last value. */
export interface SysctlFile {
  readonly lines: readonly string[];
  readonly values: ReadonlyMap<string, string>;
}

/** parseSysctlFile reads a sysctl.conf text: `key = value` lines; `#`/`;` comments, blank lines and lines without `=` are kept as they are. */
export function parseSysctlFile(text: string): SysctlFile {
  const lines = text.split('\n');
  // a final newline ends the last line; it does not start an empty one
  if (lines.at(-1) === '') lines.pop();
  const stripped = lines.map((l) => l.trim());
  const values = new Map<string, string>();
  for (const l of stripped) if (isEntry(l)) values.set(...splitEntry(l));
  return { lines: stripped, values };
}

/**
 * editSysctlFile is the file ansible.posix.sysctl writes: every entry rewritten as `key=value`,
 * the key's first entry set (or dropped for `absent`) and its later duplicates dropped, as are
 * later duplicates of any key; a missing key appended. Ansible's algorithm, kept so a file edited
 * by either tool ends up the same.
 */
export function editSysctlFile(file: SysctlFile, name: string, value: string, present: boolean): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of file.lines) {
    if (!isEntry(line)) {
      out.push(line);
      continue;
    }
    const [k, v] = splitEntry(line);
    if (seen.has(k)) continue;
    seen.add(k);
    if (k !== name) out.push(`${k}=${v}`);
    else if (present) out.push(`${k}=${value}`);
  }
  if (!seen.has(name) && present) out.push(`${name}=${value}`);
  return out.map((l) => `${l.trim()}\n`).join('');
}

/**
 * sysctlStderrFailed spots the errors sysctl reports with exit status 0 (Red Hat bug 1264080),
 * which ansible.posix.sysctl also treats as failures.
 */
export function sysctlStderrFailed(stderr: string): boolean {
  return /^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$/m.test(stderr);
}
