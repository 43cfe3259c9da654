// The trace floor's plan: the remote calls one tsplay run made (TSPLAY_TRACE_COMMANDS, one JSON
// line per call, engine/executor/command-trace.ts) turned into plain sh lines for one raw
// `sh` per host, in the order the host got them. Each line runs the very programs tsplay asked
// for, as cheaply as sh can: an argv is forked and exec'd directly, one of tsplay's fixed
// scripts is a function (defined once per shell, before timing) called in a subshell, as
// tsplay's driver calls it (it may `exit`, and it must not change the shell's variables). A
// batch is one round trip, as in tsplay. No framing, no stderr file, no stdin temp file.
// A first run's trace also writes: a put becomes sh's own `printf` of as many bytes into the path
// (the trace keeps no content), its mode set as putLine says: no SFTP, no temp file, no fsync.
import { shJoin, shQuote } from '../engine/connection/quote.ts';
import { fixedFunctionName } from '../engine/connection/shell-driver.ts';
import { isNumericMode, parseMode } from '../engine/modules/support/file-mode.ts';
import type { TracedCall, TracedCommand, TracedOptions } from '../engine/executor/command-trace.ts';

/** HostReplay is one host's part of a trace as sh text: function definitions, then round trips of lines. */
export interface HostReplay {
  /** `name() { ... }` for each fixed script the host's calls use, sent before timing starts */
  readonly defs: string;
  /** one entry per round trip (a batch is one), each the lines sent together */
  readonly trips: readonly (readonly string[])[];
}

/** readTrace groups a trace file's calls by host, in file order (each host's calls are in the order it got them). */
export function readTrace(text: string): Map<string, TracedCall[]> {
  const byHost = new Map<string, TracedCall[]>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const c = JSON.parse(line) as TracedCall;
    const list = byHost.get(c.host) ?? [];
    list.push(c);
    byHost.set(c.host, list);
  }
  return byHost;
}

function sudo(opts: TracedOptions | undefined): string[] {
  return opts?.become ? ['sudo', '-n', '-u', opts.becomeUser ?? 'root', '--'] : [];
}

/** commandLine is the sh line for one command; `defs` collects the fixed scripts it calls. */
function commandLine(cmd: TracedCommand, opts: TracedOptions | undefined, defs: Map<string, string>): string {
  const env = Object.entries(opts?.env ?? {});
  const become = sudo(opts);
  // as tsplay's driver does: sudo resets the environment, so variables go after it through `env`
  const pre = [...(opts?.cwd !== undefined ? [`cd -- ${shQuote(opts.cwd)} || exit 1`] : []), ...(become.length > 0 ? [] : env.map(([k, v]) => `export ${k}=${shQuote(v)}`))];
  let line: string;
  if ('argv' in cmd && cmd.fixed && become.length === 0) {
    const [, , script = '', , ...args] = cmd.argv;
    const fn = fixedFunctionName(script);
    defs.set(fn, script);
    line = `(${[...pre, `${fn} ${shJoin(args)}`].join('; ')})`;
  } else {
    const argv = 'script' in cmd ? ['/bin/sh', '-c', cmd.script] : cmd.argv;
    const envWords = become.length > 0 && env.length > 0 ? ['env', ...env.map(([k, v]) => `${k}=${v}`)] : [];
    const body = shJoin([...become, ...envWords, ...argv]);
    // a plain argv is forked and exec'd by sh itself; a changed cwd or environment needs a subshell
    line = pre.length > 0 ? `(${[...pre, `exec ${body}`].join('; ')})` : body;
  }
  return opts?.stdin !== undefined ? `printf %s ${shQuote(opts.stdin)} | ${line}` : line;
}

// the shell's own umask, read once with the definitions (before timing) when a put needs it back
const UMASK_VAR = 'tsplay_um';

/**
 * putLine writes `size` bytes to the put's path with sh's printf builtin, one round trip. A mode
 * within rw-rw-rw- on a new file comes from the umask (builtins only); execute bits, a symbolic
 * mode or a file already there take a `chmod`, as cheap as sh can set a mode.
 */
function putLine(c: Extract<TracedCall, { call: 'put' }>): string {
  if (c.become) throw new Error(`${c.host}: the trace writes ${c.path} as another user; the first-run floor writes as the login user only`);
  const path = shQuote(c.path);
  const write = `printf %s ${shQuote('x'.repeat(c.size))} > ${path}`;
  if (c.mode === undefined) return write;
  const chmod = shJoin(['chmod', typeof c.mode === 'number' ? c.mode.toString(8) : c.mode, '--', c.path]);
  const bits = isNumericMode(c.mode) ? parseMode(c.mode, 0, false) : undefined;
  if (bits === undefined || (bits & ~0o666) !== 0) return `${write} && ${chmod}`;
  const umask = (0o777 & ~bits).toString(8).padStart(4, '0');
  return `if [ -e ${path} ]; then ${write} && ${chmod}; else umask ${umask}; ${write}; umask "$${UMASK_VAR}"; fi`;
}

/**
 * hostReplay turns one host's traced calls into sh text (see the file head). A put is refused
 * unless `writes` (the first-run floor): a floor of a no-change run must change nothing.
 */
export function hostReplay(calls: readonly TracedCall[], { writes = false }: { writes?: boolean } = {}): HostReplay {
  const defs = new Map<string, string>();
  const trips: string[][] = [];
  for (const c of calls) {
    switch (c.call) {
      case 'run':
      case 'shell':
        trips.push([commandLine(c, c.opts, defs)]);
        break;
      case 'batch':
        trips.push(c.cmds.map((cmd) => commandLine(cmd, c.opts, defs)));
        break;
      case 'get':
        trips.push([shJoin([...sudo(c), 'cat', '--', c.path])]);
        break;
      case 'put':
        if (!writes) throw new Error(`${c.host}: the trace writes ${c.path}; the floor replays runs that change nothing`);
        trips.push([putLine(c)]);
        break;
    }
  }
  const fns = [...defs].map(([fn, script]) => `${fn}() {\n${script}\n}`);
  if (trips.some((trip) => trip.some((l) => l.includes(`$${UMASK_VAR}`)))) fns.push(`${UMASK_VAR}=$(umask)`);
  return { defs: fns.join('\n'), trips };
}
