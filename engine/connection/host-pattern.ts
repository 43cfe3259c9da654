/**
 * sshGlobMatch is OpenSSH's match_pattern: `*` any run, `?` one character, case-insensitive, as
 * host names are compared in known_hosts lines and in ssh_config `Host` blocks alike.
 */
export function sshGlobMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}
