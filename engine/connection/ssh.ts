import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { TsplayError } from '../errors/index.ts';
import { BecomeResolver, checkBecome } from './become.ts';
import { CONFLICT_RC, parseMode, putArgv, renameArgv, turnPath, writeConflict } from './file-ops.ts';
import { PersistentShell } from './persistent-shell.ts';
import { type BecomeSpec, type CommandSpec, driverCommand, newMarker } from './shell-driver.ts';
import type { SshPool } from './ssh-pool.ts';
import type { SshTransport } from './ssh-transport.ts';
import type { Argv, Connection, ConnectionStats, PutContent, PutOptions, RunOptions, RunResult } from './types.ts';
import { putBytes, putChunks } from './put-content.ts';

// Writes in flight per transfer: enough to keep a link busy, few enough that a transfer holds
// WRITE_WINDOW chunks at most, whatever the file's size.
const WRITE_WINDOW = 4;

function sftpCall<T>(host: string, what: string, fn: (cb: (err: Error | null | undefined, v?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, v) => {
      if (err) reject(new TsplayError({ code: 'E_COMMAND', host, message: `${what}: ${err.message}` }, { cause: err }));
      else resolve(v as T);
    });
  });
}

/**
 * SshConnection is a host reached over SSH: one shared transport, whose one persistent shell
 * (framed, pipelined commands) and one SFTP session it shares with any other SshConnection on
 * that transport; own-channel commands go under the transport's session cap.
 */
export class SshConnection implements Connection {
  readonly host: string;
  private readonly transport: SshTransport;
  private readonly pool: SshPool;
  private readonly becomer: BecomeResolver;
  private requests = 0;
  private ownRequests = 0;
  private closed = false;

  constructor(host: string, transport: SshTransport, pool: SshPool, become: { password?: string; user?: string }) {
    this.host = host;
    this.transport = transport;
    this.pool = pool;
    this.becomer = new BecomeResolver(become);
    transport.attach();
  }

  private persistent(): Promise<PersistentShell> {
    if (this.closed) return Promise.reject(new TsplayError({ code: 'E_INTERNAL', host: this.host, message: 'connection used after close' }));
    return this.transport.persistentShell();
  }

  // Resolves how sudo is called for `opts`; undefined when no escalation is needed.
  private becomeFor(opts: RunOptions | undefined): Promise<BecomeSpec | undefined> {
    return this.becomer.resolve(opts, this.transport.target.user, (argv) => this.persistent().then((sh) => sh.send([{ argv }])[0] as Promise<RunResult>));
  }

  private check(r: RunResult, become: BecomeSpec | undefined): RunResult {
    return checkBecome(r, become, this.host);
  }

  private async exec(spec: CommandSpec): Promise<RunResult> {
    const become = await this.becomeFor(spec.opts);
    const full: CommandSpec = become ? { ...spec, become } : spec;
    if (spec.opts?.ownChannel) return this.check(await this.execOwnChannel(full), become);
    this.requests++;
    const sh = await this.persistent();
    return this.check(await (sh.send([full])[0] as Promise<RunResult>), become);
  }

  // A one-shot driver on a channel of its own; the transport's session cap bounds how many are open.
  private async execOwnChannel(spec: CommandSpec): Promise<RunResult> {
    this.ownRequests++;
    const ready = newMarker('TSPLAYREADY');
    const ch = await this.transport.exec(driverCommand(ready));
    const sh = new PersistentShell(ch, this.host, ready, () => this.transport.dead);
    const off = this.transport.onDeath((e) => sh.failAll(e));
    const closed = new Promise<void>((resolve) => ch.on('close', () => resolve()));
    try {
      const r = await (sh.send([spec])[0] as Promise<RunResult>);
      sh.end();
      await closed;
      return r;
    } finally {
      off();
    }
  }

  /** run executes `argv` on the persistent shell (or its own channel with `ownChannel`). */
  run(argv: Argv, opts?: RunOptions): Promise<RunResult> {
    return this.exec({ argv, ...(opts ? { opts } : {}) });
  }

  /** shell runs `script` with /bin/sh -c on the host. */
  shell(script: string, opts?: RunOptions): Promise<RunResult> {
    return this.exec({ script, ...(opts ? { opts } : {}) });
  }

  /** batch sends all `cmds` in one write and waits for all: one round trip for the lot. */
  async batch(cmds: readonly Argv[], opts?: RunOptions): Promise<RunResult[]> {
    if (cmds.length === 0) return [];
    const become = await this.becomeFor(opts);
    const specs: CommandSpec[] = cmds.map((argv) => ({ argv, ...(opts ? { opts } : {}), ...(become ? { become } : {}) }));
    if (opts?.ownChannel) return Promise.all(specs.map((s) => this.execOwnChannel(s).then((r) => this.check(r, become))));
    this.requests += cmds.length;
    const sh = await this.persistent();
    const rs = await Promise.all(sh.send(specs));
    return rs.map((r) => this.check(r, become));
  }

  private sftp(): Promise<SFTPWrapper> {
    return this.transport.sharedSftp();
  }

  /**
   * put replaces `path` atomically: over SFTP a temp file in the same directory is written,
   * fsynced, given the mode (the requested one, else the old file's) and owner, then renamed
   * over the target (posix-rename@openssh.com). With become it goes through sudo instead.
   * Why SFTP even for small files: measured on one host (issue 15), a PUT_SCRIPT request costs
   * the host about 10 ms of CPU (mktemp, head, cat, stat, chmod, chown, mv: a fork+exec each)
   * and 23 ms of wall, against 1.4 ms and 7 ms for the SFTP calls on an open session.
   */
  async put(path: string, content: PutContent, opts: PutOptions = {}): Promise<void> {
    const mode = opts.mode === undefined ? undefined : parseMode(opts.mode, this.host);
    const become = await this.becomeFor(opts.become ? { become: true } : undefined);
    if (become) {
      const r = await this.run(putArgv(path, mode, opts), { stdin: await putBytes(content), become: true });
      if (r.rc === CONFLICT_RC && opts.expect !== undefined) throw writeConflict(this.host, path);
      if (r.rc !== 0) throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `cannot write ${path}: ${r.stderr.trim()}` });
      return;
    }
    const [sftp, journal] = await Promise.all([this.sftp(), this.journalDir()]);
    const h = this.host;
    const id = randomBytes(6).toString('hex');
    const tmp = posix.join(posix.dirname(path), `.${posix.basename(path)}.tsplay-${id}.tmp`);
    // The journal entry goes out before the create, in the same burst (SFTP answers in order, so
    // no extra round trip): a controller killed mid-write leaves a temp file the driver's exit,
    // or the next run's driver, finds and removes. Best effort: without it the put still works.
    const entry = journal === undefined ? undefined : posix.join(journal, `j-${id}`);
    const journaled = entry === undefined ? undefined : sftpCall(h, `journal ${tmp}`, (cb) => sftp.symlink(tmp, entry, cb)).catch(() => undefined);
    // a scratch file is journaled under its own name too, and that entry stays (see PutOptions.scratch)
    if (journal !== undefined && opts.scratch) void sftpCall(h, `journal ${path}`, (cb) => sftp.symlink(path, posix.join(journal, `j-${id}-s`), cb)).catch(() => undefined);
    // Round trips: the stat and the create go out together; the writes, fsync, chmod, chown and
    // close as one burst (one SFTP channel answers in order, so their order on the host is the
    // same as one by one); then the rename (or link); then the unjournal (with the link's
    // removal of the temp name): four in all for a small file instead of nine.
    const oldP = sftpCall<import('ssh2').Stats>(h, `stat ${path}`, (cb) => sftp.stat(path, cb)).catch(() => undefined);
    // A new file (expect null) is put in place by a hard link, which fails if the name exists:
    // atomic like the rename, and no process on the host (RENAME_SCRIPT forks a subshell, flock
    // and mv). Only when no other writer holds the turn for this path (see UNCHANGED_FN): then,
    // and when the link fails, the script decides, as before.
    const turnFree =
      opts.expect === null
        ? sftpCall(h, `lstat ${turnPath(path)}`, (cb) => sftp.lstat(turnPath(path), cb)).then(
            () => false,
            () => true,
          )
        : Promise.resolve(false);
    const handle = await sftpCall<Buffer>(h, `create ${tmp}`, (cb) => sftp.open(tmp, 'wx', { mode: 0o600 }, cb));
    const old = await oldP;
    const finalMode = mode ?? (old ? old.mode & 0o7777 : 0o644);
    let renamed = false;
    let linked: Promise<unknown> | undefined;
    try {
      // streamed: a controller file is read a chunk at a time as the writes are answered
      const inflight: Promise<unknown>[] = [];
      let off = 0;
      for await (const chunk of putChunks(content)) {
        const at = off;
        const w = sftpCall(h, `write ${tmp}`, (cb) => sftp.write(handle, chunk, 0, chunk.length, at, cb));
        w.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
        inflight.push(w);
        off += chunk.length;
        if (inflight.length >= WRITE_WINDOW) await inflight.shift();
      }
      const burst: Promise<unknown>[] = [
        ...inflight,
        sftpCall(h, `fsync ${tmp}`, (cb) => sftp.ext_openssh_fsync(handle, cb)).catch(() => undefined),
        sftpCall(h, `chmod ${tmp}`, (cb) => sftp.fchmod(handle, finalMode, cb)),
      ];
      if (old && !opts.owner && !opts.group) {
        // keep the replaced file's owner; only root may give files away, so others skip quietly
        burst.push(sftpCall(h, `chown ${tmp}`, (cb) => sftp.fchown(handle, old.uid, old.gid, cb)).catch(() => undefined));
      }
      burst.push(sftpCall(h, `close ${tmp}`, (cb) => sftp.close(handle, cb)));
      // every reply is waited for; the first failure in request order is the one reported
      const failed = (await Promise.allSettled(burst)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (opts.owner || opts.group) {
        const r = await this.run(opts.owner ? ['chown', '--', opts.group ? `${opts.owner}:${opts.group}` : opts.owner, tmp] : ['chgrp', '--', opts.group as string, tmp]);
        if (r.rc !== 0) throw new TsplayError({ code: 'E_COMMAND', host: h, message: `cannot set owner of ${path}: ${r.stderr.trim()}` });
      }
      if (opts.expect === undefined) await sftpCall(h, `rename ${tmp} to ${path}`, (cb) => sftp.ext_openssh_rename(tmp, path, cb));
      else if (
        (await turnFree) &&
        (await sftpCall(h, `link ${tmp} to ${path}`, (cb) => sftp.ext_openssh_hardlink(tmp, path, cb)).then(
          () => true,
          () => false,
        ))
      ) {
        // the temp name goes in the same burst as the unjournal below; were it left (the host
        // refusing an unlink it just allowed a link for), the file is in place all the same
        linked = sftpCall(h, `remove ${tmp}`, (cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
      } else {
        // SFTP cannot compare before renaming: one fixed script checks and renames in one go
        const r = await this.run(renameArgv(tmp, path, opts));
        if (r.rc === CONFLICT_RC) throw writeConflict(h, path);
        if (r.rc !== 0) throw new TsplayError({ code: 'E_COMMAND', host: h, message: `cannot rename ${tmp} to ${path}: ${r.stderr.trim()}` });
      }
      renamed = true;
    } finally {
      if (!renamed) await sftpCall(h, `remove ${tmp}`, (cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
      if (entry !== undefined) {
        await journaled;
        await sftpCall(h, `unjournal ${tmp}`, (cb) => sftp.unlink(entry, cb)).catch(() => undefined);
      }
      await linked;
    }
  }

  // The persistent driver's temp dir on the host, where put journals its temp files; undefined
  // when the shell cannot start or the dir is not an absolute path sftp can use.
  private journalDir(): Promise<string | undefined> {
    return this.persistent()
      .then((sh) => sh.info)
      .then((i) => (i.tempDir.startsWith('/') ? i.tempDir : undefined))
      .catch(() => undefined);
  }

  /** get reads a whole file (over SFTP, or `cat` through sudo with become). */
  async get(path: string, opts?: { become?: boolean }): Promise<Buffer> {
    const become = await this.becomeFor(opts?.become ? { become: true } : undefined);
    if (become) {
      const r = await this.run(['cat', '--', path], { become: true });
      if (r.rc !== 0) throw new TsplayError({ code: 'E_COMMAND', host: this.host, message: `cannot read ${path}: ${r.stderr.trim()}` });
      return r.stdoutBytes ?? Buffer.from(r.stdout);
    }
    const sftp = await this.sftp();
    return sftpCall<Buffer>(this.host, `read ${path}`, (cb) => sftp.readFile(path, cb));
  }

  /** stats reports connections, channels and requests so far (the benchmark's columns). */
  stats(): ConnectionStats {
    return { connections: 1, channels: this.transport.channels, requests: this.requests + this.ownRequests };
  }

  /** close stops using the shared shell and SFTP (the last user ends them) and gives the transport back to the pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transport.detach();
    this.pool.release(this.transport);
  }
}
