// OpenSSH's ProxyCommand: the user's own command, run through the shell as ssh runs it, whose
// stdin/stdout carry the SSH stream. Token expansion is ssh's (ssh_config(5): ProxyCommand
// accepts %%, %h, %n, %p and %r); the command text is the user's program, not data to quote.
import { type ChildProcess, spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsplayError } from '../errors/index.ts';

/** ProxyTokens are the values ssh substitutes into a ProxyCommand. */
export interface ProxyTokens {
  /** %h: the host name connected to (after HostName) */
  readonly host: string;
  /** %n: the destination as given, before HostName */
  readonly original: string;
  readonly port: number;
  /** %r: the remote user */
  readonly user: string;
}

/** expandProxyCommand substitutes %h %n %p %r %% as ssh does; any other token is an error naming the host, as ssh refuses it too. */
export function expandProxyCommand(cmd: string, tk: ProxyTokens, hostName: string): string {
  return cmd.replace(/%(.?)/g, (_m, k: string) => {
    switch (k) {
      case '%':
        return '%';
      case 'h':
        return tk.host;
      case 'n':
        return tk.original;
      case 'p':
        return String(tk.port);
      case 'r':
        return tk.user;
      default:
        throw new TsplayError({ code: 'E_UNREACHABLE', host: hostName, message: `ProxyCommand ${JSON.stringify(cmd)}: unknown token %${k} (ssh accepts %%, %h, %n, %p, %r)` });
    }
  });
}

/** STDERR_GRACE_MS bounds how long a proxy's exit waits for the rest of its stderr. */
const STDERR_GRACE_MS = 250;

/** ProxyStream is the running ProxyCommand as a socket for ssh2, with what it said on stderr for error messages. */
export interface ProxyStream {
  readonly sock: Duplex;
  /** why the proxy ended, once it has (exit code and the tail of its stderr) */
  readonly ended: () => string | undefined;
  /** exited resolves when the proxy process has ended */
  readonly exited: Promise<void>;
  /** stop kills the proxy process (ours, by PID) if it still runs */
  readonly stop: () => void;
}

/**
 * startProxyCommand runs `exec COMMAND` with $SHELL -c (else /bin/sh), exactly as ssh does, with
 * stderr captured (the last 2 KB) instead of shown, and returns its stdio as one stream.
 */
export function startProxyCommand(command: string): ProxyStream {
  const shell = process.env.SHELL || '/bin/sh';
  const child: ChildProcess = spawn(shell, ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let endedWhy: string | undefined;
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-2048);
  });
  const sock = Duplex.from({ readable: child.stdout!, writable: child.stdin! });
  const describe = (what: string): string => `ProxyCommand ${JSON.stringify(command)} ${what}${stderr.trim() ? `: ${stderr.trim()}` : ''}`;
  child.on('error', (e) => {
    endedWhy = describe(`could not start (${e.message})`);
    sock.destroy(new Error(endedWhy));
  });
  // 'exit' may come before the stderr pipe is drained (a CI run lost the proxy's last words that
  // way); 'close' waits for the pipes, but a child the proxy left holding them could delay it for
  // ever, so the message waits for the pipe at most STDERR_GRACE_MS after the exit.
  const stderrClosed = new Promise<void>((resolve) => (child.stderr ? child.stderr.once('close', resolve) : resolve()));
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      void Promise.race([stderrClosed, sleep(STDERR_GRACE_MS, undefined, { ref: false })]).then(() => {
        endedWhy = describe(signal ? `was killed by ${signal}` : `exited with code ${code}`);
        resolve();
      });
    });
    child.on('error', () => resolve());
  });
  // a write after the proxy exited is EPIPE; the connection's own close handling reports it
  child.stdin?.on('error', () => {});
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  sock.once('close', stop);
  return { sock, ended: () => endedWhy, exited, stop };
}
