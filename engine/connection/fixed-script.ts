import type { Argv } from './types.ts';

// Set (non-enumerable) on argv arrays made by fixedScript; argv from a playbook never carries it.
const FIXED = Symbol('tsplay.fixedScript');
// Set beside FIXED by inPlaceScript: the variables such a script assigns (and cleans up).
const IN_PLACE = Symbol('tsplay.inPlace');

/**
 * fixedScript returns the argv `sh -c SCRIPT NAME ARGS...` for a script written in tsplay's own
 * code (never user text), marked so that the persistent shell may run it in the subshell it
 * forks anyway instead of starting another sh (one exec fewer per request). Such a script must
 * assign every variable it reads and not use `$0`; its arguments stay separate, quoted words.
 */
export function fixedScript(script: string, name: string, args: readonly string[]): Argv {
  const argv = ['sh', '-c', script, name, ...args];
  Object.defineProperty(argv, FIXED, { value: true });
  return argv;
}

/**
 * inPlaceScript is fixedScript for a script the driver may run in its own shell, without a
 * subshell (shell-driver.ts, DEFINE_FLAG 3), so it is held to more than fixedScript's rules:
 * - it assigns only the variables in `vars`, each named `tsplay_*`; the driver's function unsets
 *   them after it and returns the script's own status;
 * - no `cd`, `exit`, `exec`, `return`, `break`, `set`, `trap`, `umask`, `read`, `eval`, `.`,
 *   `export`, `readonly`, `local`, `hash`, `shift` beyond the arguments it surely has, nor a
 *   redirection on a special builtin (in dash such an error ends the shell, here the driver);
 * - it reads nothing from stdin (the driver gives it /dev/null anyway), and prints no variable
 *   of the driver's (the request's frame marker is one).
 * test/connection/in-place.test.ts checks the driver's state after such scripts.
 */
export function inPlaceScript(script: string, name: string, args: readonly string[], vars: readonly string[]): Argv {
  const argv = fixedScript(script, name, args);
  Object.defineProperty(argv, IN_PLACE, { value: vars });
  return argv;
}

/** fixedScriptParts returns the script and its arguments when `argv` came from fixedScript, else undefined; `vars` only for inPlaceScript. */
export function fixedScriptParts(argv: Argv): { script: string; args: readonly string[]; vars?: readonly string[] } | undefined {
  if ((argv as { [FIXED]?: boolean })[FIXED] !== true) return undefined;
  const vars = (argv as { [IN_PLACE]?: readonly string[] })[IN_PLACE];
  return { script: argv[2] ?? '', args: argv.slice(4), ...(vars !== undefined ? { vars } : {}) };
}
