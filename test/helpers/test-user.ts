// A throwaway Unix user with a password and sudo rights, for become tests. Created with the
// system's own tools and removed again (user, home, sudoers drop-in) by `remove()`.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

/** TestUser is a user created for one test file. */
export interface TestUser {
  readonly name: string;
  readonly password: string;
  readonly home: string;
  remove(): void;
}

/** createTestUser adds a user whose sudo asks for its password (or not, with `nopasswd`). */
export function createTestUser(opts: { nopasswd?: boolean } = {}): TestUser {
  const name = `tsplay-${randomBytes(3).toString('hex')}`;
  const password = `pw ${randomBytes(6).toString('hex')} $(x) ';"`;
  const home = `/tmp/tsplay-users/${name}`;
  mkdirSync(home, { recursive: true });
  execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', name]);
  execFileSync('chown', [name, home]);
  execFileSync('chpasswd', [], { input: `${name}:${password}\n` });
  const sudoers = `/etc/sudoers.d/${name}`;
  writeFileSync(sudoers, `${name} ALL=(ALL:ALL) ${opts.nopasswd ? 'NOPASSWD: ' : ''}ALL\n`, { mode: 0o440 });
  execFileSync('visudo', ['-c', '-f', sudoers], { stdio: 'ignore' });
  return {
    name,
    password,
    home,
    remove(): void {
      rmSync(sudoers, { force: true });
      try {
        execFileSync('userdel', [name], { stdio: 'ignore' });
      } catch {
        // already gone
      }
      rmSync(home, { recursive: true, force: true });
    },
  };
}
