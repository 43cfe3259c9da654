import { hash } from 'node:crypto';
import { randomHex } from './random-hex.ts';
import { TsplayError } from '../errors/index.ts';
import { fixedScriptParts } from './fixed-script.ts';
import { checkEnvName, shJoin, shQuote } from './quote.ts';
import { directEnv, directName } from './shell-words.ts';
import type { Argv, RunOptions } from './types.ts';

// The driver is the fixed program the persistent remote /bin/sh runs. It is one line (so any
// sh-like login shell passes it through `exec /bin/sh -c '...'` untouched) and holds no user
// data. Wire format, controller -> driver, per request:
//   line 1  `MARKER STDIN_BYTES TIMEOUT_S TIMEOUT_CEIL_S PW_FLAG DEFINE_FLAG`
//   line 2  the command text (one line: every newline of a quoted word is spliced as "$NL")
//   line 3  the become password, only when PW_FLAG is 1 (kept in a variable, fed to sudo -S)
//   then exactly STDIN_BYTES bytes, stored in a private temp file the command reads as stdin.
// DEFINE_FLAG 1 marks a definition: the text is eval'd by the driver itself, not in a subshell,
// to define one of tsplay's fixed scripts as a function (defineText); later requests call it by
// name, so the shell's `read` (one syscall per byte on a pipe) no longer takes in the whole
// script each time. Only fixed script text from tsplay's own code is ever sent this way.
// DEFINE_FLAG 2 marks a plain argv (isDirect) whose text is `NAME=value... $V WORDS`: where V is
// `command` (dash-likes, which vfork a simple command) the driver runs it itself, without the
// subshell; elsewhere V is `exec` and it runs in the subshell like any request. Two differences
// remain, both dash's own words: a missing program's message names `eval` where it named `exec`,
// and a command killed by a signal ends its stderr with dash's report (`Killed`), which the
// subshell path left on the driver's stderr (rc is the same: 128 + the signal).
// DEFINE_FLAG 3 marks a call of an in-place fixed script's function (inPlaceScript, e.g. the file
// probe): under V=command the driver calls it itself, like DEFINE_FLAG 2, saving the subshell's
// fork; the function unsets its own tsplay_* variables and returns the script's status. Elsewhere
// it runs in the subshell.
// Driver -> controller, all on the channel's stdout: first, once, the READY line (the token
// given as $1, the driver's PID and its temp dir); then per request the command's stdout as it comes, then (only if the command wrote to
// stderr, which goes to a temp file) `MARKER S\n` and the stderr bytes, then
// `MARKER E<rc> <timedout>\n`. One stream and no start frame keep a request to about two SSH
// packets, the same as a bare shell. The marker is 128 random bits, fresh per request and
// never visible to the command (a non-exported variable; commands are exec'd; an in-place fixed
// script could read it, and never prints a driver variable), so no output can forge a frame. Bytes arriving while no request is waiting (a leftover background
// process) are dropped.
// Reads use the shell's `read` (byte-exact on a pipe) and `head -c N` for stdin (GNU head reads
// exactly N bytes; elsewhere `dd bs=1` does, slowly). A command runs as a child of this shell;
// with a timeout it runs under `setsid` in a process group of its own that a watchdog
// subshell can kill (TERM, then KILL after 2 s) while the shell itself lives on.
// Leftovers: the temp dir is `.tsplay-PID-XXXXXXXX`, PID being the driver's own, and holds a
// journal: one `j-*` symlink per temp file being written beside a destination (ssh.ts put). On
// exit (EOF, HUP, TERM, and PIPE: a controller killed while a command ran) the driver removes
// its dir and the files its journal names. What a driver that could not run its trap left
// (SIGKILL, a crash) the next driver on that host removes before it says READY, at no extra
// round trip: a dir owned by the same user whose PID is no live process. A live run's dir is
// never touched, whichever controller it belongs to (its driver's PID is alive). Limit: /tmp
// shared between PID namespaces (containers) would see other namespaces' drivers as dead.
const DRIVER_LINES = [
  'NL=$(printf "\\nx"); NL=${NL%x}',
  // Z DIR: remove a driver's temp dir and every file its journal (j-* symlinks) names that is ours by name
  'Z() { for j in "$1"/j-*; do [ -h "$j" ] || continue; f=$(readlink "$j") || continue; case ${f##*/} in .*.tsplay-*) rm -f -- "$f";; esac; done; rm -rf -- "$1"; }',
  // a dir left by a driver that is gone (kill -9, SIGPIPE, host crash): ours, and its PID is dead
  'for d in "${TMPDIR:-/tmp}"/.tsplay-[0-9]*-*; do [ -d "$d" ] && [ ! -h "$d" ] && [ -O "$d" ] || continue; p=${d##*/.tsplay-}; p=${p%%-*}; case $p in *[!0-9]*) continue;; esac; kill -0 "$p" 2>/dev/null || Z "$d"; done 2>/dev/null',
  'umask 077; T=$(mktemp -d "${TMPDIR:-/tmp}/.tsplay-$$-XXXXXXXX") || exit 97; umask 022',
  'case $T in *"$NL"*) rm -rf -- "$T"; exit 97;; esac',
  'trap "Z \\"\\$T\\"" EXIT; trap "exit 129" HUP; trap "exit 143" TERM; trap "exit 141" PIPE',
  'if head --version 2>/dev/null | grep GNU >/dev/null 2>&1; then G=1; else G=; fi',
  // V: how a DEFINE_FLAG 2 request's command word runs (see isDirect): dash-likes run it themselves
  'if [ -z "${BASH_VERSION-}${KSH_VERSION-}${ZSH_VERSION-}${YASH_VERSION-}${POSH_VERSION-}${BB_ASH_VERSION-}" ]; then V=command; else V=exec; fi',
  'printf "%s %s %s\\n" "$1" "$$" "$T"',
  'while IFS=" " read -r M N TO TI B D; do',
  ' IFS= read -r C || break; PW=',
  ' if [ "$B" = 1 ]; then IFS= read -r PW || break; fi',
  ' if [ "$D" = 1 ]; then eval "$C" 2>"$T/e"; R=$?; X=0; else',
  ' I=/dev/null',
  ' if [ "$N" -gt 0 ]; then if [ -n "$G" ]; then head -c "$N" >"$T/in"; else dd bs=1 count="$N" of="$T/in" 2>/dev/null; fi; I=$T/in; fi',
  ' X=0',
  ' if [ "$TO" = 0 ]; then',
  '  if [ "$B" = 1 ]; then { printf "%s\\n" "$PW"; exec cat; } <"$I" | (eval "$C") 2>"$T/e"; R=$?',
  // a plain argv (D=2) or an in-place fixed script (D=3) without a subshell: the shell vforks and
  // execs the argv; `hash -r` keeps PATH lookups as fresh as exec's, also for the subshells after
  '  elif [ "${D#[23]}$V" = command ]; then hash -r; eval "$C" \'<"$I" 2>"$T/e"\'; R=$?; hash -r',
  '  else (eval "$C") <"$I" 2>"$T/e"; R=$?; fi',
  ' else',
  '  [ -n "$G" ] || TO=$TI; : >"$T/to"',
  '  if [ "$B" = 1 ]; then { printf "%s\\n" "$PW"; exec cat; } <"$I" | NL=$NL setsid /bin/sh -c "$C" 2>"$T/e" & P=$!; else NL=$NL setsid /bin/sh -c "$C" <"$I" 2>"$T/e" & P=$!; fi',
  '  (trap "kill \\$S 2>/dev/null; exit 0" TERM; sleep "$TO" & S=$!; wait $S; printf 1 >"$T/to"; kill -TERM -"$P" "$P"; sleep 2 & S=$!; wait $S; kill -KILL -"$P" "$P") </dev/null >/dev/null 2>&1 & W=$!',
  '  wait "$P"; R=$?; kill "$W" 2>/dev/null; wait "$W" 2>/dev/null; [ -s "$T/to" ] && X=1',
  ' fi',
  ' [ "$N" -gt 0 ] && : >"$T/in"; PW=',
  ' fi',
  ' if [ -s "$T/e" ]; then printf "%sS\\n" "$M"; cat "$T/e"; : >"$T/e"; fi',
  ' printf "%sE%s %s\\n" "$M" "$R" "$X"',
  'done',
];

/** DRIVER_SCRIPT is the persistent shell's fixed program (see the wire format above). */
export const DRIVER_SCRIPT: string = joinDriver(DRIVER_LINES);

/** driverCommand is the exec request that starts the persistent shell; it prints `ready` once it runs. */
export function driverCommand(ready: string): string {
  return `exec /bin/sh -c ${shQuote(DRIVER_SCRIPT)} tsplay-driver ${shQuote(ready)}`;
}

// Lines are joined with `;` or a space depending on how each ends, since sh rejects `do;`.
function joinDriver(lines: readonly string[]): string {
  let out = '';
  for (const raw of lines) {
    const l = raw.trim();
    if (out === '') out = l;
    else if (/(\bdo|\bthen|\belse|\{|\|)$/.test(out)) out += ` ${l}`;
    else out += `; ${l}`;
  }
  return out;
}

/** newMarker returns a fresh unguessable frame marker (letters and digits only, so `read` keeps it whole). */
export function newMarker(prefix = 'TSPLAY'): string {
  return `${prefix}${randomHex(16)}`;
}

/** BecomeSpec says how a request escalates: sudo to `user`, with the password fed on stdin or none. */
export interface BecomeSpec {
  readonly user: string;
  /** undefined: `sudo -n` (no password may be asked); a string: `sudo -k -S -p ''` reading it from stdin */
  readonly password?: string;
}

/** CommandSpec is one request before encoding: an argv or a script, with its options. */
export interface CommandSpec {
  readonly argv?: Argv;
  readonly script?: string;
  readonly opts?: RunOptions;
  readonly become?: BecomeSpec;
}

/** sudoArgv returns the sudo words that prefix a command for `become` (password never among them). */
export function sudoArgv(become: BecomeSpec): string[] {
  return become.password === undefined ? ['sudo', '-n', '-u', become.user, '--'] : ['sudo', '-k', '-S', '-p', '', '-u', become.user, '--'];
}

// The driver's own variables, unset before a fixed script runs in the driver's subshell so it
// starts as clean as under `sh -c` (C too: eval holds its own copy of the text; $T, the temp
// dir, and $NL stay: the request text itself uses $NL).
const DRIVER_VARS = 'M N TO TI B D C PW I X R G P W S V';

/**
 * fixedFunctionName is the sh function name a fixed script is defined under in a driver
 * (defineText): derived from the script text, so one driver never holds two texts under one name.
 */
export function fixedFunctionName(script: string, vars?: readonly string[]): string {
  // an in-place script's function differs (no unset of the driver's variables, its own cleanup)
  const key = vars === undefined ? script : `${script}\0${vars.join(' ')}`;
  let name = functionNames.get(key);
  if (name === undefined) {
    name = `tsplay_f_${hash('sha1', key, 'hex').slice(0, 16)}`;
    if (functionNames.size < 256) functionNames.set(key, name);
  }
  return name;
}
// fixed scripts are a handful of constant texts, asked for on every request: hashed once each
const functionNames = new Map<string, string>();

/** definableScript returns the function a request may call instead of sending its fixed script; none with become or a timeout (those run under a new sh). */
export function definableScript(spec: CommandSpec): { name: string; script: string; vars?: readonly string[] } | undefined {
  if (spec.argv === undefined || spec.become || (spec.opts?.timeoutMs ?? 0) > 0) return undefined;
  const fixed = fixedScriptParts(spec.argv);
  if (!fixed) return undefined;
  return { name: fixedFunctionName(fixed.script, fixed.vars), script: fixed.script, ...(fixed.vars ? { vars: fixed.vars } : {}) };
}

/**
 * defineText is the text of a definition request (DEFINE_FLAG 1): it defines `script` as the
 * function `name` in the driver. A fixed script's function first unsets the driver's variables
 * (it runs in a subshell). An in-place script's (`vars` given) must not touch them: it runs in
 * the driver itself, and ends by unsetting its own variables and returning the script's status
 * (`set --` only replaces the function's own arguments).
 */
export function defineText(name: string, script: string, vars?: readonly string[]): string {
  if (vars !== undefined) {
    for (const v of vars) if (!/^tsplay_[a-z0-9_]+$/.test(v)) throw new TsplayError({ code: 'E_INTERNAL', message: `in-place script variable ${v} is not tsplay_*` });
    return `eval ${shQuote(`${name}() {\n${script}\nset -- "$?"; unset ${vars.join(' ')}; return "$1"\n}`)}`;
  }
  // the unset is part of the function, so a call's text is only its name and arguments
  return `eval ${shQuote(`${name}() {\nunset ${DRIVER_VARS}\n${script}\n}`)}`;
}

/**
 * isInPlace says whether a request that calls the function `fn` may run in the driver's own
 * shell (DEFINE_FLAG 3): an inPlaceScript with no become, cwd, environment or timeout (a cwd or an
 * `export` would outlast the request there).
 */
export function isInPlace(spec: CommandSpec, fn: string | undefined): boolean {
  const { argv, opts } = spec;
  if (fn === undefined || argv === undefined || spec.become || fixedScriptParts(argv)?.vars === undefined) return false;
  return opts?.cwd === undefined && (opts?.timeoutMs ?? 0) === 0 && Object.keys(opts?.env ?? {}).length === 0;
}

/**
 * commandText builds the sh text one request runs: exports, cd, then `exec` of the argv (or of
 * `/bin/sh -c SCRIPT`), through sudo when becoming. A fixedScript argv without become runs in
 * the request's subshell: as a call of the driver function `fn` when given (defineText), else by
 * `eval` of its text with its arguments set by `set --`; an inPlaceScript's call (isInPlace) runs
 * in the driver itself where it can. Every user-supplied word is quoted.
 */
export function commandText(spec: CommandSpec, fn?: string): string {
  const opts = spec.opts ?? {};
  const parts: string[] = [];
  // NL last: the values before it are spliced with the driver's "$NL", which an NL of the request would replace
  const env = Object.entries(opts.env ?? {}).sort(([a], [b]) => Number(a === 'NL') - Number(b === 'NL'));
  if (isDirect(spec)) {
    for (const [k] of env) checkEnvName(k);
    return [...env.map(([k, v]) => `${k}=${shQuote(v)}`), '$V', shJoin(spec.argv ?? [])].join(' ');
  }
  const fixed = spec.argv !== undefined && !spec.become ? fixedScriptParts(spec.argv) : undefined;
  let argv: string[] = spec.argv ? [...spec.argv] : ['/bin/sh', '-c', spec.script ?? ''];
  if (argv.length === 0) throw new TsplayError({ code: 'E_COMMAND', message: 'empty command' });
  for (const [k] of env) checkEnvName(k);
  if (opts.cwd !== undefined) parts.push(`cd -- ${shQuote(opts.cwd)} || exit 1`);
  if (spec.become) {
    // sudo resets the environment, so variables travel as `env NAME=value` after it
    if (env.length > 0) argv = ['env', ...env.map(([k, v]) => `${k}=${v}`), ...argv];
    argv = [...sudoArgv(spec.become), ...argv];
  } else {
    for (const [k, v] of env) parts.push(`export ${k}=${shQuote(v)}`);
  }
  if (fixed && fn !== undefined) parts.push(`${fn} ${shJoin(fixed.args)}`);
  else if (fixed) parts.push(`unset ${DRIVER_VARS}; set -- ${shJoin(fixed.args)}; eval ${shQuote(fixed.script)}`);
  else parts.push(`exec ${shJoin(argv)}`);
  return parts.join('; ');
}

/**
 * isDirect says whether a request may run without a subshell (DEFINE_FLAG 2): a plain argv (no
 * fixed script, become, cwd or timeout) whose program name and environment cannot touch the
 * driver's shell (shell-words.ts). Its text is `NAME=value... $V WORDS`: the driver sets V to
 * `command` where its shell runs it in place (dash vforks and execs it; `command` also skips
 * functions), and to `exec` where it runs the text in a subshell as before (bash, ksh, busybox ash:
 * they fork either way). The environment is prefix assignments, which last for that command only.
 */
export function isDirect(spec: CommandSpec): boolean {
  const { argv, opts } = spec;
  if (argv === undefined || argv.length === 0 || spec.become || fixedScriptParts(argv) !== undefined) return false;
  if (opts?.cwd !== undefined || (opts?.timeoutMs ?? 0) > 0) return false;
  return directName(argv[0] as string) && directEnv(Object.keys(opts?.env ?? {}));
}

/** encodeDefine renders a definition request (DEFINE_FLAG 1) of `script` as the driver function `name`. */
export function encodeDefine(marker: string, name: string, script: string, vars?: readonly string[]): Buffer {
  return Buffer.from(`${marker} 0 0 0 0 1\n${defineText(name, script, vars).replaceAll('\n', `'"$NL"'`)}\n`, 'utf8');
}

/** encodeRequest renders one request in the driver's wire format (see DRIVER_SCRIPT); `fn` as for commandText. */
export function encodeRequest(marker: string, spec: CommandSpec, fn?: string): Buffer {
  const text = commandText(spec, fn).replaceAll('\n', `'"$NL"'`);
  const stdin = spec.opts?.stdin;
  const data = stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin, 'utf8');
  const timeoutMs = spec.opts?.timeoutMs ?? 0;
  const to = timeoutMs > 0 ? (Math.max(timeoutMs, 1) / 1000).toFixed(3) : '0';
  const ti = timeoutMs > 0 ? String(Math.ceil(timeoutMs / 1000)) : '0';
  const pw = spec.become?.password;
  if (pw !== undefined && /[\n\0]/.test(pw)) {
    throw new TsplayError({ code: 'E_BECOME', message: 'the become password contains a newline or NUL byte' });
  }
  const flag = isDirect(spec) ? 2 : isInPlace(spec, fn) ? 3 : 0;
  const head = `${marker} ${data.length} ${to} ${ti} ${pw === undefined ? 0 : 1} ${flag}\n${text}\n${pw === undefined ? '' : `${pw}\n`}`;
  return Buffer.concat([Buffer.from(head, 'utf8'), data]);
}
