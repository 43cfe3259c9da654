import type { Argv } from './types.ts';

// Set (non-enumerable) on argv arrays made by fixedScript; argv from a playbook never carries it.
const FIXED = Symbol('tsplay.fixedScript');

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

/** fixedScriptParts returns the script and its arguments when `argv` came from fixedScript, else undefined. */
export function fixedScriptParts(argv: Argv): { script: string; args: readonly string[] } | undefined {
  if ((argv as { [FIXED]?: boolean })[FIXED] !== true) return undefined;
  return { script: argv[2] ?? '', args: argv.slice(4) };
}
