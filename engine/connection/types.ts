/**
 * Argv is a command as separate words. Connections quote every word themselves
 * (engine/connection/quote.ts), so user data never reaches a shell unquoted.
 */
export type Argv = readonly string[];

/** RunOptions tunes one remote command. */
export interface RunOptions {
  /** bytes fed to the command's stdin */
  readonly stdin?: string | Buffer;
  /** extra environment (names must match /^[A-Za-z_][A-Za-z0-9_]*$/) */
  readonly env?: Readonly<Record<string, string>>;
  /** working directory */
  readonly cwd?: string;
  /** run through sudo (become) for this command */
  readonly become?: boolean;
  readonly becomeUser?: string;
  /** give up after this many ms; the result then has rc 124 and timedOut true */
  readonly timeoutMs?: number;
}

/** RunResult keeps exit code, stdout and stderr apart, as the framed protocol delivers them. */
export interface RunResult {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut?: boolean;
}

/** PutOptions says how a file must end up on the host. */
export interface PutOptions {
  /** octal string like '0644' or a number */
  readonly mode?: string | number;
  readonly owner?: string;
  readonly group?: string;
  readonly become?: boolean;
}

/**
 * Connection is how every module and probe reaches a host: one per host for the whole run.
 * `run` executes an argv; `shell` executes a script text in /bin/sh (only for the `shell`
 * and `raw` modules and for fixed scripts written in tsplay's own code); `batch` sends
 * several commands in ONE round trip; `put` replaces a file atomically (temp + rename).
 */
export interface Connection {
  readonly host: string;
  run(argv: Argv, opts?: RunOptions): Promise<RunResult>;
  shell(script: string, opts?: RunOptions): Promise<RunResult>;
  batch(cmds: readonly Argv[], opts?: RunOptions): Promise<RunResult[]>;
  put(path: string, content: string | Buffer, opts?: PutOptions): Promise<void>;
  get(path: string, opts?: { become?: boolean }): Promise<Buffer>;
  close(): Promise<void>;
}
