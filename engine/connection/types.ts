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
  /**
   * run on a channel of its own instead of the host's persistent shell, for long-running
   * commands that must not hold up the host's other requests (counts against the channel cap)
   */
  readonly ownChannel?: boolean;
}

/** RunResult keeps exit code, stdout and stderr apart, as the framed protocol delivers them. */
export interface RunResult {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut?: boolean;
  /** stdout exactly as the command wrote it, for binary output (`stdout` is its UTF-8 decoding) */
  readonly stdoutBytes?: Buffer;
}

/**
 * LocalFileRef is put content that stays in a controller file until it is sent, streamed in
 * chunks, so a large file is never held whole (once per host) in memory.
 */
export interface LocalFileRef {
  readonly localPath: string;
  readonly size: number;
}

/** PutContent is what put writes: text (as UTF-8), bytes, or a controller file streamed as it is sent. */
export type PutContent = string | Buffer | LocalFileRef;

/** PutOptions says how a file must end up on the host. */
export interface PutOptions {
  /** octal string like '0644' or a number */
  readonly mode?: string | number;
  readonly owner?: string;
  readonly group?: string;
  readonly become?: boolean;
  /**
   * the file is itself a temp file its caller removes soon (validate's copy, named `.NAME.tsplay-*`):
   * it stays in the host's journal, so a run killed before the removal still gets it cleaned up
   */
  readonly scratch?: boolean;
  /**
   * the content's sha1 when it was read (null: it did not exist): the rename happens only if the
   * target still is so, otherwise put throws E_WRITE_CONFLICT and the target is left as it is
   */
  readonly expect?: string | null;
  /** who writes (the same across one task's retries), so a writer that lost a race gets the next turn */
  readonly writer?: Writer;
}

/** Writer names one task's write across its retries; on its last try it gives up its turn when it loses. */
export interface Writer {
  readonly id: string;
  readonly lastTry: boolean;
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
  put(path: string, content: PutContent, opts?: PutOptions): Promise<void>;
  get(path: string, opts?: { become?: boolean }): Promise<Buffer>;
  close(): Promise<void>;
  /** stats reports what the connection cost so far (the benchmark records it) */
  stats?(): ConnectionStats;
}

/** ConnectionStats counts what a connection opened and sent, for the benchmark's table. */
export interface ConnectionStats {
  /** TCP/SSH connections opened for this host (0 for local, 1 for ssh; jump hosts count their own) */
  readonly connections: number;
  /** SSH channels opened: the persistent shell, SFTP and any own-channel commands */
  readonly channels: number;
  /** requests sent over the persistent shell */
  readonly requests: number;
}

/**
 * ConnectOptions are run-wide connection settings; per-host settings come from the host's vars
 * (ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file,
 * ansible_ssh_common_args / ansible_ssh_extra_args with their `-o` options and `-F` config
 * (engine/connection/ssh-options.ts), tsplay_jump, tsplay_known_hosts, ansible_become_password,
 * ansible_connection).
 */
export interface ConnectOptions {
  /** `-u`: login user when the host has no ansible_user */
  readonly user?: string;
  /** `--private-key`: key file when the host has no ansible_ssh_private_key_file */
  readonly privateKey?: string;
  /** like OpenSSH StrictHostKeyChecking: 'yes' refuses unknown keys, 'accept-new' records them */
  readonly hostKeyChecking: 'yes' | 'accept-new';
  /** known_hosts file to check (and append to with accept-new); default ~/.ssh/known_hosts */
  readonly knownHostsFile?: string;
  /** `-T/--timeout` in ms: TCP connect + SSH handshake deadline; a host's ansible_ssh_timeout beats it, it beats ConnectTimeout; default 30000 */
  readonly connectTimeoutMs?: number;
  /** keepalive probe interval; a host that answers none of 3 probes is unreachable. Default 4000 */
  readonly keepaliveIntervalMs?: number;
  /** TCP_NODELAY on the SSH socket (default true; only the benchmark turns it off to measure Nagle's cost) */
  readonly tcpNoDelay?: boolean;
  /** `--ask-become-pass` answer; a host's ansible_become_password wins over it */
  readonly becomePassword?: string;
  readonly verbosity: number;
  /** vars of an inventory host named as a jump host, or undefined if the name is not in the inventory */
  readonly resolveJump?: (name: string) => Record<string, unknown> | undefined;
  /** debug lines (-vvvv) go here instead of being printed: the executor never prints */
  readonly log?: (line: string) => void;
  /** warnings worth showing at any verbosity (e.g. StrictHostKeyChecking=no weakened to accept-new); falls back to `log` */
  readonly warn?: (line: string) => void;
}
