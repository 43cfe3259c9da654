/** isNumericMode tells a numeric mode (an int, or '644' / '0644': it sets every bit) from a symbolic one (relative to the current bits). */
export function isNumericMode(spec: string | number): boolean {
  return typeof spec === 'number' || /^0?[0-7]{3,4}$/.test(spec);
}

/**
 * parseMode turns a mode argument into its value given the current mode: octal strings and
 * ints directly, symbolic clauses (`u=rw,g+x,o-w`, `a+X`) the way chmod applies them, with
 * an empty "who" meaning all (Ansible does not apply the umask there). Returns undefined for
 * `preserve`, which the caller resolves.
 */
export function parseMode(spec: string | number, current: number, isDir: boolean): number {
  if (typeof spec === 'number') return spec & 0o7777;
  if (isNumericMode(spec)) return parseInt(spec, 8) & 0o7777;
  let mode = current & 0o7777;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause);
    if (!m) throw new Error(`bad symbolic mode: ${clause}`);
    const who = m[1] === '' || m[1]!.includes('a') ? 'ugo' : m[1]!;
    for (const [, op, perms] of m[2]!.matchAll(/([-+=])([rwxXstugo]*)/g)) {
      const bits = permBits(who, perms!, mode, isDir);
      const classMask = classBits(who);
      if (op === '+') mode |= bits;
      else if (op === '-') mode &= ~bits;
      else mode = (mode & ~classMask) | bits;
    }
  }
  return mode;
}

function classBits(who: string): number {
  let b = 0;
  if (who.includes('u')) b |= 0o4700;
  if (who.includes('g')) b |= 0o2070;
  if (who.includes('o')) b |= 0o1007;
  return b;
}

function permBits(who: string, perms: string, mode: number, isDir: boolean): number {
  let rwx = 0;
  let special = 0;
  for (const p of perms) {
    if (p === 'r') rwx |= 4;
    else if (p === 'w') rwx |= 2;
    else if (p === 'x') rwx |= 1;
    else if (p === 'X') {
      if (isDir || (mode & 0o111) !== 0) rwx |= 1;
    } else if (p === 's') special |= (who.includes('u') ? 0o4000 : 0) | (who.includes('g') ? 0o2000 : 0);
    else if (p === 't') special |= 0o1000;
    else if (p === 'u') rwx |= (mode >> 6) & 7;
    else if (p === 'g') rwx |= (mode >> 3) & 7;
    else if (p === 'o') rwx |= mode & 7;
  }
  let bits = special;
  if (who.includes('u')) bits |= rwx << 6;
  if (who.includes('g')) bits |= rwx << 3;
  if (who.includes('o')) bits |= rwx;
  return bits;
}

/** modeString renders a mode as Ansible shows it: four octal digits, e.g. `0644`. */
export function modeString(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
