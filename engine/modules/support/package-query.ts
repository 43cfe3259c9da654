import { fixedScript } from '../../connection/fixed-script.ts';
import type { Argv } from '../../connection/types.ts';

/** PackageManager is the host's package tool family tsplay drives. */
export type PackageManager = 'apt' | 'dnf' | 'yum';

/** DETECT_MANAGER prints the first package manager found; a fixed script with no user data. */
export const DETECT_MANAGER = 'for m in apt-get dnf yum; do if command -v "$m" >/dev/null 2>&1; then echo "$m"; exit 0; fi; done; exit 1';

/** parseManager reads DETECT_MANAGER's output. */
export function parseManager(stdout: string): PackageManager | undefined {
  const w = stdout.trim();
  return w === 'apt-get' ? 'apt' : w === 'dnf' ? 'dnf' : w === 'yum' ? 'yum' : undefined;
}

/** DPKG_FORMAT is the dpkg-query -f format parseDpkgQuery reads (dpkg-query itself turns `\t`/`\n` into tab/newline). */
export const DPKG_FORMAT = '${Package}\\t${db:Status-Abbrev}\\t${Version}\\t${Architecture}\\n';
/** RPM_FORMAT is the rpm --qf format parseRpmQuery reads (rpm itself turns `\t`/`\n` into tab/newline). */
export const RPM_FORMAT = '%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n';

/** queryCommands are the read-only queries for names; both families are asked, the absent tool just fails. */
export function queryCommands(names: readonly string[], latest: boolean): Argv[] {
  const cmds: Argv[] = [fixedScript(DETECT_MANAGER, 'tsplay-detect', []), ['dpkg-query', '-W', '-f', DPKG_FORMAT, ...names], ['rpm', '-q', '--qf', RPM_FORMAT, ...names]];
  if (latest) cmds.push(['apt-cache', 'policy', ...names]);
  return cmds;
}

/**
 * parseDpkgQuery maps installed package names to versions. Quirks: dpkg-query prints in its
 * own (sorted) order, not the argument order; unknown names go to stderr with rc 1; a removed
 * package that kept its config files is listed with status `rc` and is not installed.
 */
export function parseDpkgQuery(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, status, version, arch] = line.split('\t');
    if (!name || status === undefined || version === undefined) continue;
    // db:Status-Abbrev is three letters: wanted, current, error; current 'i' is installed.
    if (status[1] !== 'i') continue;
    if (!out.has(name)) out.set(name, version);
    // Arch-qualified names (`libc6:i386`) are asked for as such, so answer them as such too.
    if (arch) out.set(`${name}:${arch}`, version);
  }
  return out;
}

/** parseRpmQuery maps installed names (and name.arch) to version-release; missing ones print "package X is not installed". */
export function parseRpmQuery(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, version, arch] = line.split('\t');
    if (!name || version === undefined) continue;
    if (!out.has(name)) out.set(name, version);
    if (arch) out.set(`${name}.${arch}`, version);
  }
  return out;
}

/** AptPolicy is one package's installed and candidate versions (null for apt's "(none)"). */
export interface AptPolicy {
  readonly installed: string | null;
  readonly candidate: string | null;
}

/** parseAptPolicy reads `apt-cache policy` output; a name apt does not know is simply absent. */
export function parseAptPolicy(stdout: string): Map<string, AptPolicy> {
  const out = new Map<string, AptPolicy>();
  let name: string | undefined;
  let installed: string | null = null;
  for (const line of stdout.split('\n')) {
    const head = /^(\S+):$/.exec(line);
    if (head) {
      name = head[1]!;
      continue;
    }
    const inst = /^\s+Installed: (.*)$/.exec(line);
    if (inst) installed = inst[1] === '(none)' ? null : inst[1]!;
    const cand = /^\s+Candidate: (.*)$/.exec(line);
    if (cand && name !== undefined) {
      out.set(name, { installed, candidate: cand[1] === '(none)' ? null : cand[1]! });
      installed = null;
    }
  }
  return out;
}
