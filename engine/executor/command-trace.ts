import { fixedScriptParts } from '../connection/fixed-script.ts';
import type { Argv, Connection, PutContent, RunOptions } from '../connection/types.ts';

/** TracedOptions are the RunOptions a traced call kept, stdin as text (latin1 for bytes). */
export type TracedOptions = Omit<RunOptions, 'stdin'> & { readonly stdin?: string };

/** TracedCommand is one command: an argv (`fixed` when it is one of tsplay's fixed scripts, engine/connection/fixed-script.ts) or a script for `sh -c`. */
export type TracedCommand = { readonly argv: readonly string[]; readonly fixed?: true } | { readonly script: string };

/**
 * TracedCall is one remote call a module made, in the order the host got it. A put keeps its
 * size and attributes, not its content.
 */
export type TracedCall =
  | ({ readonly host: string; readonly call: 'run' | 'shell'; readonly opts?: TracedOptions } & TracedCommand)
  | { readonly host: string; readonly call: 'batch'; readonly cmds: readonly TracedCommand[]; readonly opts?: TracedOptions }
  | { readonly host: string; readonly call: 'put'; readonly path: string; readonly size: number; readonly mode?: string | number; readonly become?: boolean }
  | { readonly host: string; readonly call: 'get'; readonly path: string; readonly become?: boolean };

/** CommandTrace receives every remote call of a run's tasks, except those of no_log tasks. */
export type CommandTrace = (c: TracedCall) => void;

function command(argv: Argv): TracedCommand {
  return fixedScriptParts(argv) ? { argv: [...argv], fixed: true } : { argv: [...argv] };
}

function options(o: RunOptions | undefined): { opts?: TracedOptions } {
  if (o === undefined) return {};
  const { stdin, ...rest } = o;
  return { opts: stdin === undefined ? rest : { ...rest, stdin: Buffer.isBuffer(stdin) ? stdin.toString('latin1') : stdin } };
}

function size(c: PutContent): number {
  return typeof c === 'string' ? Buffer.byteLength(c) : Buffer.isBuffer(c) ? c.length : c.size;
}

/** traceConnection returns `conn` with every call reported to `trace` (as `host`) before it is sent. */
export function traceConnection(conn: Connection, host: string, trace: CommandTrace): Connection {
  return {
    host: conn.host,
    run: (argv, opts) => {
      trace({ host, call: 'run', ...command(argv), ...options(opts) });
      return conn.run(argv, opts);
    },
    shell: (script, opts) => {
      trace({ host, call: 'shell', script, ...options(opts) });
      return conn.shell(script, opts);
    },
    batch: (cmds, opts) => {
      trace({ host, call: 'batch', cmds: cmds.map(command), ...options(opts) });
      return conn.batch(cmds, opts);
    },
    put: (path, content, opts) => {
      trace({ host, call: 'put', path, size: size(content), ...(opts?.mode !== undefined ? { mode: opts.mode } : {}), ...(opts?.become ? { become: true } : {}) });
      return conn.put(path, content, opts);
    },
    get: (path, opts) => {
      trace({ host, call: 'get', path, ...(opts?.become ? { become: true } : {}) });
      return conn.get(path, opts);
    },
    close: () => conn.close(),
    ...(conn.stats ? { stats: conn.stats.bind(conn) } : {}),
  };
}
