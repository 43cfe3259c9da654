import type { Argv } from '../../connection/types.ts';
import type { ModuleContext } from '../types.ts';
import { taskOpts } from './task-opts.ts';

const VAR = /\$(\w+|\{[^}]*\})/g;

/**
 * pyExpandVars is Python's posixpath.expandvars: `$name` and `${name}` are replaced by the
 * variable's value when it is set, and left as written when it is not. No other expansion.
 */
export function pyExpandVars(word: string, env: Readonly<Record<string, string>>): string {
  if (!word.includes('$')) return word;
  return word.replace(VAR, (m, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name;
    return Object.hasOwn(env, key) ? env[key]! : m;
  });
}

/** pyExpandUser is Python's posixpath.expanduser: a leading `~` or `~user` becomes the home directory. */
export function pyExpandUser(word: string, env: Readonly<Record<string, string>>, homes: Readonly<Record<string, string>>): string {
  if (!word.startsWith('~')) return word;
  const slash = word.indexOf('/');
  const user = word.slice(1, slash === -1 ? undefined : slash);
  const home = user === '' ? env.HOME : homes[user];
  if (home === undefined) return word;
  const rest = slash === -1 ? '' : word.slice(slash);
  return home.replace(/\/+$/, '') + rest || '/';
}

/** needsExpansion says whether Ansible's run_command would change a word (a `$` or a leading `~`). */
export function needsExpansion(word: string): boolean {
  return word.startsWith('~') || /\$(\w|\{)/.test(word);
}

/** parseEnv0 reads `env -0` output (NUL-separated NAME=value entries; values may hold newlines). */
export function parseEnv0(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of stdout.split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}

/**
 * expandArgv applies what Ansible's run_command does to a non-shell command's words
 * (expandvars, then expanduser) with the HOST's environment, as the command would see it.
 * Costs one round trip, and only when some word has a `$` or a leading `~`.
 */
export async function expandArgv(ctx: ModuleContext, argv: Argv): Promise<string[]> {
  if (!argv.some(needsExpansion)) return [...argv];
  const users = [...new Set(argv.filter((w) => /^~[^/]/.test(w)).map((w) => w.slice(1).split('/')[0]!))];
  const cmds: Argv[] = [['env', '-0']];
  if (users.length > 0) cmds.push(['getent', 'passwd', ...users]);
  const [envR, pw] = await ctx.conn.batch(cmds, { ...taskOpts(ctx), env: ctx.env });
  const env = parseEnv0(envR?.stdout ?? '');
  const homes: Record<string, string> = {};
  for (const line of (pw?.stdout ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 7) homes[f[0]!] = f[5]!;
  }
  return argv.map((w) => pyExpandUser(pyExpandVars(w, env), env, homes));
}
