import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { constants as osConstants, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { TsplayError } from '../errors/index.ts';
import { BecomeResolver, checkBecome } from './become.ts';
import { CONFLICT_RC, parseMode, putArgv, renameArgv, writeConflict } from './file-ops.ts';
import { checkEnvName } from './quote.ts';
import { type BecomeSpec, sudoArgv } from './shell-driver.ts';
import type { Argv, Connection, ConnectionStats, PutContent, PutOptions, RunOptions, RunResult } from './types.ts';
import { putBytes, putChunks } from './put-content.ts';

const signalNumbers = osConstants.signals;

// After TERM a command gets this long to exit before KILL.
const KILL_GRACE_MS = 2000;

/** LocalOptions place a local connection in another view of the same machine. */
export interface LocalOptions {
  /**
   * argv every command runs under, e.g. `nsenter --net=… --mount=… --` to act inside namespaces
   * (then put/get go through commands too, so they see the namespace's files, not the controller's)
   */
  readonly prefix?: Argv;
  /** environment every command gets; a command's own env wins (e.g. LC_ALL=C for parsed output) */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * LocalConnection runs on the controller itself (`ansible_connection=local`, implicit
 * localhost): argv is spawned directly with no shell; only `shell` uses /bin/sh -c; become goes
 * through sudo with any password on stdin; `put` writes a temp file beside the target, fsyncs
 * it and renames it over the target.
 */
export class LocalConnection implements Connection {
  readonly host: string;
  private readonly becomer: BecomeResolver;
  private readonly me = userInfo().username;
  private requests = 0;
  private readonly prefix: Argv;
  private readonly env: Readonly<Record<string, string>>;

  constructor(host: string, become: { password?: string; user?: string } = {}, opts: LocalOptions = {}) {
    this.host = host;
    this.becomer = new BecomeResolver(become);
    this.prefix = opts.prefix ?? [];
    this.env = opts.env ?? {};
    for (const k of Object.keys(this.env)) checkEnvName(k);
  }

  private becomeFor(opts: RunOptions | undefined): Promise<BecomeSpec | undefined> {
    return this.becomer.resolve(opts, this.me, (argv) => this.spawnArgv(argv, {}));
  }

  private spawnArgv(command: readonly string[], opts: RunOptions, stdinPrefix?: string): Promise<RunResult> {
    const argv = [...this.prefix, ...command];
    const [cmd, ...args] = argv;
    if (command.length === 0 || cmd === undefined) return Promise.reject(new TsplayError({ code: 'E_COMMAND', host: this.host, message: 'empty command' }));
    for (const k of Object.keys(opts.env ?? {})) checkEnvName(k);
    for (const w of argv) {
      if (w.includes('\0')) return Promise.reject(new TsplayError({ code: 'E_COMMAND', host: this.host, message: 'a command word contains a NUL byte' }));
    }
    const timeout = opts.timeoutMs ?? 0;
    this.requests++;
    return new Promise((resolve) => {
      const child = spawn(cmd, args, {
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
        env: { ...process.env, ...this.env, ...(opts.env ?? {}) },
        stdio: ['pipe', 'pipe', 'pipe'],
        // a process group of its own, so a timeout kills the command and its children
        detached: timeout > 0,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let spawnError: Error | undefined;
      const timers: NodeJS.Timeout[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.stdin.on('error', () => {}); // a command that exits without reading its stdin
      child.on('error', (e) => {
        spawnError = e;
      });
      if (timeout > 0) {
        const kill = (sig: NodeJS.Signals): void => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, sig);
          } catch {
            // already gone
          }
        };
        timers.push(
          setTimeout(() => {
            timedOut = true;
            kill('SIGTERM');
            timers.push(setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS));
          }, timeout),
        );
      }
      child.on('close', (code, signal) => {
        for (const t of timers) clearTimeout(t);
        const stdoutBytes = Buffer.concat(out);
        let stderr = Buffer.concat(err).toString('utf8');
        let rc = code ?? (signal ? 128 + ((signalNumbers as Record<string, number | undefined>)[signal] ?? 15) : 1);
        if (spawnError) {
          rc = (spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 126;
          stderr += `${cmd}: ${spawnError.message}\n`;
        }
        resolve({ rc: timedOut ? 124 : rc, stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes, ...(timedOut ? { timedOut: true } : {}) });
      });
      const data = opts.stdin === undefined ? undefined : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin, 'utf8');
      if (stdinPrefix !== undefined) child.stdin.write(stdinPrefix);
      child.stdin.end(data);
    });
  }

  private async exec(argv: Argv, opts: RunOptions = {}): Promise<RunResult> {
    const become = await this.becomeFor(opts);
    if (!become) return this.spawnArgv(argv, opts);
    const env = Object.entries(opts.env ?? {});
    for (const [k] of env) checkEnvName(k);
    const full = [...sudoArgv(become), ...(env.length > 0 ? ['env', ...env.map(([k, v]) => `${k}=${v}`)] : []), ...argv];
    const { env: _dropped, ...rest } = opts;
    const pw = become.password;
    if (pw !== undefined && /[\n\0]/.test(pw)) throw new TsplayError({ code: 'E_BECOME', host: this.host, message: 'the become password contains a newline or NUL byte' });
    return checkBecome(await this.spawnArgv(full, rest, pw === undefined ? undefined : `${pw}\n`), become, this.host);
  }

  /** run spawns `argv` directly, no shell involved. */
  run(argv: Argv, opts?: RunOptions): Promise<RunResult> {
    return this.exec(argv, opts);
  }

  /** shell runs `script` with /bin/sh -c. */
  shell(script: string, opts?: RunOptions): Promise<RunResult> {
    return this.exec(['/bin/sh', '-c', script], opts);
  }

  /** batch runs the commands one after another, in order, like the ssh batch does. */
  async batch(cmds: readonly Argv[], opts?: RunOptions): Promise<RunResult[]> {
    const out: RunResult[] = [];
    for (const c of cmds) out.push(await this.exec(c, opts));
    return out;
  }

  /** put replaces `path` atomically (temp file beside it, fsync, mode/owner, rename). */
  async put(path: string, content: PutContent, opts: PutOptions = {}): Promise<void> {
    const mode = opts.mode === undefined ? undefined : parseMode(opts.mode, this.host);
    if (this.prefix.length > 0 || (await this.becomeFor(opts.become ? { become: true } : undefined))) {
      const r = await this.exec(putArgv(path, mode, opts), { stdin: await putBytes(content), become: opts.become === true });
      if (r.rc === CONFLICT_RC && opts.expect !== undefined) throw writeConflict(this.host, path);
      if (r.rc !== 0) throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `cannot write ${path}: ${r.stderr.trim()}` });
      return;
    }
    const old = await fsp.stat(path).catch(() => undefined);
    const uid = opts.owner ? await this.lookupId(['id', '-u', '--', opts.owner], opts.owner) : old?.uid;
    const gid = opts.group ? await this.lookupId(['getent', 'group', '--', opts.group], opts.group) : opts.owner ? undefined : old?.gid;
    const tmp = join(dirname(path), `.${basename(path)}.tsplay-${randomBytes(6).toString('hex')}.tmp`);
    const fh = await fsp.open(tmp, 'wx', 0o600).catch((e: Error) => {
      throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `cannot write ${path}: ${e.message}` });
    });
    let renamed = false;
    try {
      for await (const chunk of putChunks(content)) {
        for (let o = 0; o < chunk.length; ) o += (await fh.write(chunk, o)).bytesWritten;
      }
      await fh.sync();
      await fh.chmod(mode ?? (old ? old.mode & 0o7777 : 0o644));
      if (uid !== undefined || gid !== undefined) await fh.chown(uid ?? -1, gid ?? -1);
      await fh.close();
      if (opts.expect === undefined) await fsp.rename(tmp, path);
      else {
        // the same check-and-rename script as over ssh, so local and remote writers lock alike
        const r = await this.spawnArgv(renameArgv(tmp, path, opts), {});
        if (r.rc === CONFLICT_RC) throw writeConflict(this.host, path);
        if (r.rc !== 0) throw new Error(`cannot rename ${tmp} to ${path}: ${r.stderr.trim()}`);
      }
      renamed = true;
    } catch (e) {
      if (e instanceof TsplayError) throw e;
      throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `cannot write ${path}: ${(e as Error).message}` });
    } finally {
      await fh.close().catch(() => undefined);
      if (!renamed) await fsp.unlink(tmp).catch(() => undefined);
    }
  }

  // Resolves a user or group name to its number with the system's own tools (NSS-aware).
  private async lookupId(argv: string[], name: string): Promise<number> {
    if (/^\d+$/.test(name)) return Number(name);
    const r = await this.spawnArgv(argv, {});
    const text = r.stdout.trim();
    const n = Number(argv[0] === 'getent' ? text.split(':')[2] : text);
    if (r.rc !== 0 || !Number.isInteger(n)) throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `unknown ${argv[0] === 'getent' ? 'group' : 'user'} ${JSON.stringify(name)}` });
    return n;
  }

  /** get reads a whole file (through sudo with become). */
  async get(path: string, opts?: { become?: boolean }): Promise<Buffer> {
    if (this.prefix.length > 0 || (await this.becomeFor(opts?.become ? { become: true } : undefined))) {
      const r = await this.exec(['cat', '--', path], { become: opts?.become === true });
      if (r.rc !== 0) throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `cannot read ${path}: ${r.stderr.trim()}` });
      return r.stdoutBytes ?? Buffer.from(r.stdout);
    }
    return fsp.readFile(path).catch((e: Error) => {
      throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `cannot read ${path}: ${e.message}` });
    });
  }

  /** stats reports the commands run; a local connection opens no connections or channels. */
  stats(): ConnectionStats {
    return { connections: 0, channels: 0, requests: this.requests };
  }

  /** close has nothing to release for a local connection. */
  async close(): Promise<void> {}
}
