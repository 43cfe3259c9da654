import { TsplayError } from '../errors/index.ts';
import type { BecomeSpec } from './shell-driver.ts';
import type { Argv, RunOptions, RunResult } from './types.ts';

/** becomeFailure returns sudo's own complaint when a become command failed in sudo rather than in the command. */
export function becomeFailure(r: RunResult): string | undefined {
  if (r.rc === 0) return undefined;
  const m = /^sudo: (.*(?:password is required|incorrect password|no password was provided|not in the sudoers|is not allowed to execute|unknown user|no tty present).*)$/m.exec(r.stderr);
  if (m?.[1]) return m[1];
  if (r.rc === 127 && /(?:^|: )sudo: (?:command )?not found|spawn sudo ENOENT/m.test(r.stderr)) return 'sudo is not installed';
  return undefined;
}

/** checkBecome returns `r`, or throws E_BECOME when sudo itself refused the command. */
export function checkBecome(r: RunResult, become: BecomeSpec | undefined, host: string): RunResult {
  const why = become ? becomeFailure(r) : undefined;
  if (why) throw new TsplayError({ code: 'E_BECOME', host, message: `sudo to ${become!.user} failed: ${why}` });
  return r;
}

/**
 * BecomeResolver decides, for local and ssh connections alike, how a request escalates: not at
 * all when already that user, else sudo with the become password only if the policy asks for one
 * (probed once per user and remembered for the connection).
 */
export class BecomeResolver {
  private readonly password: string | undefined;
  private readonly defaultUser: string;
  private readonly needsPassword = new Map<string, Promise<boolean>>();

  constructor(become: { password?: string; user?: string }) {
    this.password = become.password;
    this.defaultUser = become.user ?? 'root';
  }

  /** resolve says how `opts` escalates for a connection logged in as `me`; `probe` runs an argv without become. */
  async resolve(opts: RunOptions | undefined, me: string | undefined, probe: (argv: Argv) => Promise<RunResult>): Promise<BecomeSpec | undefined> {
    if (!opts?.become) return undefined;
    const user = opts.becomeUser ?? this.defaultUser;
    // already that user: sudo would add nothing but a dependency on sudo
    if (user === me) return undefined;
    if (this.password === undefined) return { user };
    let needs = this.needsPassword.get(user);
    if (!needs) {
      // -k ignores cached credentials and -n refuses to prompt: rc 0 means the policy asks no
      // password, and then none may be fed (sudo would not read it; the command would)
      needs = probe(['sudo', '-k', '-n', '-u', user, '--', 'true']).then((r) => r.rc !== 0);
      this.needsPassword.set(user, needs);
    }
    return (await needs) ? { user, password: this.password } : { user };
  }
}
