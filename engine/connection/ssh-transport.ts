import { existsSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NodeSSH } from 'node-ssh';
import type { AnyAuthMethod, Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { TsplayError } from '../errors/index.ts';
import { ChannelCap } from './channel-cap.ts';
import { PersistentShell } from './persistent-shell.ts';
import { driverCommand, newMarker } from './shell-driver.ts';
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  type HostKeyVerdict,
  keyTypeOf,
  knownHostName,
  knownKeyTypes,
  loadKnownHosts,
} from './known-hosts.ts';
import type { SshTarget } from './ssh-target.ts';
import type { ConnectOptions } from './types.ts';

/**
 * MAX_SESSION_CHANNELS caps the session channels (persistent shell, SFTP, own-channel commands)
 * open at once on ONE SSH connection, whoever uses it (the host's connections, a jump host's own
 * tasks): sshd refuses the 11th with "Channel open failure" (MaxSessions 10). direct-tcpip
 * channels (jumps to guests) are not sessions for sshd and are not capped: measured on OpenSSH
 * 9.2, 14 of them plus 10 sessions open on one connection, the 11th session is refused.
 */
export const MAX_SESSION_CHANNELS = 9;

const DEFAULT_HOST_KEY_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

// Ask first for a key type known_hosts already holds for this host, as OpenSSH does, so a
// host with several keys does not look like a mismatch.
function hostKeyAlgos(known: readonly string[]): string[] {
  const first = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  return [...new Set([...first.filter((a) => DEFAULT_HOST_KEY_ALGOS.includes(a)), ...DEFAULT_HOST_KEY_ALGOS])];
}

/** knownHostsFiles lists the files checked: the configured one alone, or ~/.ssh/known_hosts and the global file. */
export function knownHostsFiles(opts: ConnectOptions): string[] {
  if (opts.knownHostsFile) return [opts.knownHostsFile];
  return [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

function hostKeyError(t: SshTarget, name: string, v: HostKeyVerdict, blob: Buffer, files: readonly string[]): TsplayError {
  const fp = `${keyTypeOf(blob)} ${fingerprint(blob)}`;
  if (v.kind === 'mismatch') {
    const where = v.entries.map((e) => `${e.file}:${e.line}`).join(', ');
    return new TsplayError({
      code: 'E_HOST_KEY',
      host: t.name,
      message: `host key for ${name} has CHANGED: the server presented ${fp}, known_hosts (${where}) holds another key; refusing to connect`,
      hint: 'someone may be intercepting the connection, or the host was reinstalled; if you are sure, remove the old line',
    });
  }
  if (v.kind === 'revoked') {
    return new TsplayError({ code: 'E_HOST_KEY', host: t.name, message: `host key for ${name} (${fp}) is marked @revoked in ${v.entry.file}:${v.entry.line}` });
  }
  return new TsplayError({
    code: 'E_HOST_KEY',
    host: t.name,
    message: `host key for ${name} is not known: the server presented ${fp}, not found in ${files.join(', ')}`,
    hint: 'add the key to known_hosts, or set host key checking to accept-new to record it on first use',
  });
}

function authMethods(t: SshTarget, log: (l: string) => void): AnyAuthMethod[] {
  const methods: AnyAuthMethod[] = [];
  const agent = process.env.SSH_AUTH_SOCK;
  // an agent socket that is gone makes ssh2 emit an error, which aborts the connect: skip it
  if (agent && existsSync(agent)) methods.push({ type: 'agent', username: t.user, agent });
  for (const f of t.keyFiles) {
    try {
      methods.push({ type: 'publickey', username: t.user, key: readFileSync(f) });
    } catch (e) {
      log(`${t.name}: cannot read key file ${f}: ${(e as Error).message}`);
    }
  }
  if (t.password !== undefined) methods.push({ type: 'password', username: t.user, password: t.password });
  if (methods.length === 0) methods.push({ type: 'none', username: t.user });
  return methods;
}

/**
 * SshTransport is one open SSH connection (node-ssh / ssh2) to one host: NODELAY on,
 * keepalives on, host key checked. Everything for that host (persistent shell, SFTP,
 * own-channel commands, jumps to hosts behind it) shares it.
 */
export class SshTransport {
  readonly target: SshTarget;
  readonly client: Client;
  /** sessions holds a slot for every open session channel on this connection (see MAX_SESSION_CHANNELS) */
  readonly sessions: ChannelCap = new ChannelCap(MAX_SESSION_CHANNELS);
  /** channels counts every channel opened on this connection */
  channels = 0;
  private shellP: Promise<PersistentShell> | undefined;
  private sftpP: Promise<SFTPWrapper> | undefined;
  private users = 0;
  /** via is the jump connection this one runs through, released when this one ends */
  readonly via: SshTransport | undefined;
  private deadErr: TsplayError | undefined;
  private readonly deathWatchers = new Set<(e: TsplayError) => void>();

  constructor(target: SshTarget, client: Client, via: SshTransport | undefined) {
    this.target = target;
    this.client = client;
    this.via = via;
    client.on('error', (e: Error) => this.die(e.message));
    client.on('close', () => this.die('connection closed'));
    via?.onDeath((e) => this.die(`jump host ${via.target.name} lost: ${e.message}`));
  }

  /** dead is the reason the connection is gone, or undefined while it is up. */
  get dead(): TsplayError | undefined {
    return this.deadErr;
  }

  /** onDeath registers a callback for when the connection is lost; returns an unsubscribe function. */
  onDeath(cb: (e: TsplayError) => void): () => void {
    if (this.deadErr) {
      cb(this.deadErr);
      return () => {};
    }
    this.deathWatchers.add(cb);
    return () => this.deathWatchers.delete(cb);
  }

  private die(why: string): void {
    if (this.deadErr) return;
    this.deadErr = new TsplayError({ code: 'E_UNREACHABLE', host: this.target.name, message: `${this.target.name} (${this.target.host}:${this.target.port}) unreachable: ${why}` });
    for (const cb of [...this.deathWatchers]) cb(this.deadErr);
    this.deathWatchers.clear();
    try {
      this.client.end();
    } catch {
      // already torn down
    }
  }

  private check(): void {
    if (this.deadErr) throw this.deadErr;
  }

  /**
   * openSession opens one session channel under the session cap. A channel closed a moment ago
   * still counts in sshd until its main loop collects it, so an open right at the cap can be
   * refused while other channels are up: that refusal is retried a few times, briefly.
   */
  private async openSession<T extends { once(ev: 'close', cb: () => void): unknown }>(what: string, open: (cb: (err: Error | undefined, v: T) => void) => void): Promise<T> {
    this.check();
    const release = await this.sessions.acquire();
    try {
      for (let attempt = 0; ; attempt++) {
        this.check();
        try {
          const v = await new Promise<T>((resolve, reject) => open((err, x) => (err ? reject(err) : resolve(x))));
          this.channels++;
          v.once('close', release);
          return v;
        } catch (err) {
          if (this.deadErr) throw this.deadErr;
          const busy = /open failed|Channel open failure/i.test((err as Error).message) && this.sessions.held > 1;
          if (!busy || attempt >= 6) throw new TsplayError({ code: 'E_COMMAND', host: this.target.name, message: `cannot open ${what}: ${(err as Error).message}` });
          await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
        }
      }
    } catch (e) {
      release();
      throw e;
    }
  }

  /** exec opens a session channel running `command`, once a session slot is free (given back when it closes). */
  exec(command: string): Promise<ClientChannel> {
    return this.openSession<ClientChannel>('a channel', (cb) => this.client.exec(command, cb));
  }

  /** sftp opens an SFTP session channel under the session cap (slot given back when it closes). */
  sftp(): Promise<SFTPWrapper> {
    return this.openSession<SFTPWrapper>('SFTP', (cb) => this.client.sftp(cb));
  }

  /** attach registers a user (an SshConnection) of the shared persistent shell and SFTP session. */
  attach(): void {
    this.users++;
  }

  /** detach drops a user; the last one ends the shared shell and SFTP (the connection may live on as a jump). */
  detach(): void {
    if (--this.users > 0) return;
    const sh = this.shellP;
    const sftp = this.sftpP;
    this.shellP = undefined;
    this.sftpP = undefined;
    void sh?.then((x) => x.end(), () => {});
    void sftp?.then((x) => x.end(), () => {});
  }

  /**
   * persistentShell is the connection's one long-lived `/bin/sh` driver, shared by every
   * SshConnection on it (so two inventory names for one host do not double the channels);
   * a shell that died is replaced on next use.
   */
  persistentShell(): Promise<PersistentShell> {
    const cur = this.shellP;
    if (cur) {
      return cur.then((sh) => {
        if (!sh.closed) return sh;
        if (this.shellP === cur) this.shellP = undefined;
        return this.persistentShell();
      });
    }
    const p = (async (): Promise<PersistentShell> => {
      const ready = newMarker('TSPLAYREADY');
      const ch = await this.exec(driverCommand(ready));
      const sh = new PersistentShell(ch, this.target.name, ready, () => this.deadErr);
      this.onDeath((e) => sh.failAll(e));
      return sh;
    })();
    this.shellP = p;
    p.catch(() => {
      if (this.shellP === p) this.shellP = undefined;
    });
    return p;
  }

  /** sharedSftp is the connection's one SFTP session, shared like the persistent shell. */
  sharedSftp(): Promise<SFTPWrapper> {
    if (!this.sftpP) {
      const p = this.sftp();
      this.sftpP = p;
      p.then(
        (s) => s.once('close', () => {
          if (this.sftpP === p) this.sftpP = undefined;
        }),
        () => {
          if (this.sftpP === p) this.sftpP = undefined;
        },
      );
    }
    return this.sftpP;
  }

  /** forwardOut opens a direct-tcpip channel to host:port as seen from this host (for jumps). */
  forwardOut(host: string, port: number): Promise<ClientChannel> {
    this.check();
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => {
        if (err) return reject(new TsplayError({ code: 'E_UNREACHABLE', host: this.target.name, message: `jump through ${this.target.name} to ${host}:${port} failed: ${err.message}` }));
        this.channels++;
        resolve(ch);
      });
    });
  }

  /** end closes the connection. */
  end(): void {
    this.deadErr ??= new TsplayError({ code: 'E_UNREACHABLE', host: this.target.name, message: `connection to ${this.target.name} was closed` });
    this.deathWatchers.clear();
    this.client.end();
  }
}

/**
 * openTransport connects to `t` (through `via` when set): TCP with NODELAY, SSH handshake
 * with the host key checked against known_hosts, then authentication (agent, key files,
 * password). Errors come back as E_UNREACHABLE, E_HOST_KEY or E_AUTH naming the host.
 */
export async function openTransport(t: SshTarget, opts: ConnectOptions, via: SshTransport | undefined): Promise<SshTransport> {
  const log = opts.log ?? (() => {});
  const files = knownHostsFiles(opts);
  const entries = loadKnownHosts(files);
  const name = knownHostName(t.host, t.port);
  let refusal: TsplayError | undefined;
  const hostVerifier = (blob: Buffer): boolean => {
    const v = checkHostKey(entries, name, blob);
    if (v.kind === 'match') return true;
    if (v.kind === 'unknown' && opts.hostKeyChecking === 'accept-new') {
      appendKnownHost(files[0] as string, name, blob);
      log(`${t.name}: recorded new host key ${keyTypeOf(blob)} ${fingerprint(blob)} for ${name} in ${files[0]}`);
      return true;
    }
    refusal = hostKeyError(t, name, v, blob, files);
    return false;
  };
  const timeout = opts.connectTimeoutMs ?? 30_000;
  const sock = via ? await via.forwardOut(t.host, t.port) : netConnect({ host: t.host, port: t.port });
  if (!via && opts.tcpNoDelay !== false) (sock as import('node:net').Socket).setNoDelay(true);
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      sock,
      username: t.user,
      readyTimeout: timeout,
      keepaliveInterval: opts.keepaliveIntervalMs ?? 4000,
      keepaliveCountMax: 2,
      hostVerifier,
      authHandler: authMethods(t, log),
      algorithms: { serverHostKey: hostKeyAlgos(knownKeyTypes(entries, name)) as never },
    });
  } catch (e) {
    sock.destroy();
    if (refusal) throw refusal;
    const msg = (e as Error).message ?? String(e);
    if (/authentication methods failed/i.test(msg)) {
      throw new TsplayError({ code: 'E_AUTH', host: t.name, message: `${t.user}@${t.name} (${t.host}:${t.port}): authentication failed (tried ${authMethods(t, () => {}).map((m) => m.type).join(', ')})` }, { cause: e });
    }
    throw new TsplayError({ code: 'E_UNREACHABLE', host: t.name, message: `${t.name} (${t.host}:${t.port}) unreachable: ${msg}` }, { cause: e });
  }
  const client = ssh.connection as unknown as Client;
  return new SshTransport(t, client, via);
}

/**
 * SshPool shares transports: one per host for the whole run, and a jump host's connection is
 * the same one that host's own tasks use. Reference-counted so closing the last user ends it.
 */
export class SshPool {
  private readonly entries = new Map<string, Promise<SshTransport>>();
  private readonly refs = new Map<SshTransport, number>();
  /** opened counts SSH connections made through this pool */
  opened = 0;

  /** acquire returns the open transport for `t`, connecting it (and its jumps) on first use. */
  async acquire(t: SshTarget, opts: ConnectOptions): Promise<SshTransport> {
    let p = this.entries.get(t.key);
    if (!p) {
      p = this.connect(t, opts);
      this.entries.set(t.key, p);
      const mine = p;
      p.catch(() => {
        if (this.entries.get(t.key) === mine) this.entries.delete(t.key);
      });
    }
    const tr = await p;
    if (tr.dead) {
      if (this.entries.get(t.key) === p) this.entries.delete(t.key);
      return this.acquire(t, opts);
    }
    this.refs.set(tr, (this.refs.get(tr) ?? 0) + 1);
    return tr;
  }

  private async connect(t: SshTarget, opts: ConnectOptions): Promise<SshTransport> {
    const via = t.via ? await this.acquire(t.via, opts) : undefined;
    try {
      const tr = await openTransport(t, opts, via);
      this.opened++;
      return tr;
    } catch (err) {
      if (via) this.release(via);
      throw err;
    }
  }

  /** release drops one reference; the last one closes the connection and releases its jump. */
  release(tr: SshTransport): void {
    const n = (this.refs.get(tr) ?? 1) - 1;
    if (n > 0) {
      this.refs.set(tr, n);
      return;
    }
    this.refs.delete(tr);
    const p = this.entries.get(tr.target.key);
    if (p) {
      void p.then((cur) => {
        if (cur === tr && this.entries.get(tr.target.key) === p) this.entries.delete(tr.target.key);
      });
    }
    tr.end();
    if (tr.via) this.release(tr.via);
  }
}
