import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { TsplayError } from '../errors/index.ts';
import { ChannelCap } from './channel-cap.ts';
import { PersistentShell } from './persistent-shell.ts';
import { driverCommand, newMarker } from './shell-driver.ts';
import type { SshTarget } from './ssh-target.ts';

/**
 * MAX_SESSION_CHANNELS caps the session channels (persistent shell, SFTP, own-channel commands)
 * open at once on ONE SSH connection, whoever uses it (the host's connections, a jump host's own
 * tasks): sshd refuses the 11th with "Channel open failure" (MaxSessions 10). direct-tcpip
 * channels (jumps to guests) are not sessions for sshd and are not capped: measured on OpenSSH
 * 9.2, 14 of them plus 10 sessions open on one connection, the 11th session is refused.
 */
export const MAX_SESSION_CHANNELS = 9;

/**
 * SshTransport is one open SSH connection (an ssh2 Client) to one host: NODELAY on,
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
    void sh?.then(
      (x) => x.end(),
      () => {},
    );
    void sftp?.then(
      (x) => x.end(),
      () => {},
    );
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
        (s) =>
          s.once('close', () => {
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
