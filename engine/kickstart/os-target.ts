/** OsFamily is the installer lineage a kickstart is written for. */
export type OsFamily = 'rhel' | 'fedora';

/** OsTarget is a parsed OS target: family and major version, plus the user's spelling. */
export interface OsTarget {
  readonly family: OsFamily;
  readonly major: number;
  /** canonical name: `rhel9` or `fedora40` */
  readonly name: string;
  /** what the user wrote, e.g. `rocky9` */
  readonly spelled: string;
}

/** RHEL_MAJORS are the RHEL levels tsplay writes kickstarts for. */
export const RHEL_MAJORS = [7, 8, 9, 10] as const;
/** FEDORA_RANGE is the span of Fedora releases the lint table covers (team lines need 20+). */
export const FEDORA_RANGE = { min: 20, max: 45 } as const;

// Rebuilds keep the RHEL level: CentOS (incl. Stream), AlmaLinux, Rocky and Oracle Linux install with
// the same anaconda as the RHEL release of the same major, so they share its kickstart dialect.
const RHEL_ALIASES = ['rhel', 'el', 'centos', 'centos-stream', 'alma', 'almalinux', 'rocky', 'oracle', 'ol'];

/**
 * parseOsTarget reads `rhel7`..`rhel10`, `centos7`, `alma9`, `rocky8`, `fedora40` (also `fedora-40`,
 * `fedora 40`); it returns a message instead of a target when the spelling or version is unsupported.
 */
export function parseOsTarget(spelled: string): OsTarget | { error: string } {
  const m = /^([a-z-]+?)[-_ ]?(\d+)$/.exec(spelled.trim().toLowerCase());
  if (!m) return { error: `"${spelled}" is not an OS target (use rhel7..rhel10, centos7, alma9, rocky8, fedora40 ...)` };
  const [, word = '', num = ''] = m;
  const major = Number(num);
  if (word === 'fedora' || word === 'f') {
    if (major < FEDORA_RANGE.min || major > FEDORA_RANGE.max) {
      return { error: `fedora${major} is outside the supported range fedora${FEDORA_RANGE.min}..fedora${FEDORA_RANGE.max}` };
    }
    return { family: 'fedora', major, name: `fedora${major}`, spelled };
  }
  if (RHEL_ALIASES.includes(word)) {
    if (!(RHEL_MAJORS as readonly number[]).includes(major)) {
      return { error: `${word}${major} has no supported RHEL level (supported: ${RHEL_MAJORS.map((n) => `rhel${n}`).join(', ')})` };
    }
    return { family: 'rhel', major, name: `rhel${major}`, spelled };
  }
  return { error: `unknown OS family "${word}" in "${spelled}" (use rhel, centos, alma, rocky or fedora + version)` };
}

/** versionKey is the short key the lint table uses: `r9` or `f40`. */
export function versionKey(os: OsTarget): string {
  return `${os.family === 'rhel' ? 'r' : 'f'}${os.major}`;
}

/** hasTeaming tells whether the installer and NetworkManager of this OS still support teamd. */
export function hasTeaming(os: OsTarget): boolean {
  return os.family === 'fedora' || os.major < 10;
}

/** atLeast compares an OS against per-family minimum versions, e.g. `{ rhel: 9, fedora: 33 }`. */
export function atLeast(os: OsTarget, min: { rhel: number; fedora: number }): boolean {
  return os.major >= (os.family === 'rhel' ? min.rhel : min.fedora);
}
