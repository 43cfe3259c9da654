import type { ClientChannel } from 'ssh2';
import { TsplayError } from '../errors/index.ts';
import { FrameReader, type FrameSink } from './frame-reader.ts';
import { type CommandSpec, definableScript, encodeDefine, encodeRequest, newMarker } from './shell-driver.ts';
import type { RunResult } from './types.ts';

/** DriverInfo is what the driver reports when it starts: its PID and its private temp dir on the host. */
export interface DriverInfo {
  readonly pid: number;
  readonly tempDir: string;
}

// One request waiting for its result: stdout, then maybe stderr, then the end line.
class Pending {
  readonly marker: string;
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private settled = false;
  readonly sink: FrameSink;
  private readonly resolve: (r: RunResult) => void;
  private readonly reject: (e: unknown) => void;

  constructor(marker: string, resolve: (r: RunResult) => void, reject: (e: unknown) => void) {
    this.marker = marker;
    this.resolve = resolve;
    this.reject = reject;
    // copies, because ssh2 may hand out views of buffers it reuses
    this.sink = {
      marker,
      body: (c, part) => (part === 'stdout' ? this.out : this.err).push(Buffer.from(c)),
      end: (t) => this.finish(t),
    };
  }

  private finish(endLine: string): void {
    if (this.settled) return;
    this.settled = true;
    const [rcText, timedText] = endLine.split(' ');
    const timedOut = timedText === '1';
    const stdoutBytes = Buffer.concat(this.out);
    this.resolve({
      rc: timedOut ? 124 : Number(rcText),
      stdout: stdoutBytes.toString('utf8'),
      stderr: Buffer.concat(this.err).toString('utf8'),
      stdoutBytes,
      ...(timedOut ? { timedOut: true } : {}),
    });
  }

  fail(e: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(e);
  }
}

/**
 * PersistentShell is one long-lived `exec /bin/sh` channel running the fixed driver
 * (shell-driver.ts). Requests are written as soon as they come (pipelined) and answered in
 * order, so a host's command costs one round trip and `send` of several costs one in all.
 */
export class PersistentShell {
  private readonly channel: ClientChannel;
  private readonly out: FrameReader;
  private readonly pending = new Set<Pending>();
  private closedErr: TsplayError | undefined;
  private readonly marker: () => string;
  /** requests counts requests sent */
  requests = 0;
  // fixed scripts this driver holds as functions (sent once, then called by name)
  private readonly defined = new Set<string>();

  /** info resolves to the driver's PID and temp dir once its READY line has arrived (rejects if the shell dies first) */
  readonly info: Promise<DriverInfo>;
  private infoResolve!: (i: DriverInfo) => void;
  private infoReject!: (e: unknown) => void;

  /** stderrNoise collects what the driver itself wrote to stderr (never command output), for -vvvv */
  stderrNoise = '';

  /**
   * `channel` runs driverCommand(ready). `marker` is replaceable only so a test can know the
   * markers and print them from a command.
   */
  constructor(channel: ClientChannel, host: string, ready: string, lostReason: () => TsplayError | undefined, marker: () => string = newMarker) {
    this.channel = channel;
    this.marker = marker;
    this.info = new Promise<DriverInfo>((resolve, reject) => {
      this.infoResolve = resolve;
      this.infoReject = reject;
    });
    this.info.catch(() => undefined);
    this.out = new FrameReader(ready, (line) => {
      const sp = line.indexOf(' ');
      this.infoResolve({ pid: Number(line.slice(0, sp)), tempDir: line.slice(sp + 1) });
    });
    channel.on('data', (c: Buffer) => {
      try {
        this.out.push(c);
      } catch (e) {
        // a bug in framing must fail this shell's requests, not the host's whole connection
        this.failAll(new TsplayError({ code: 'E_INTERNAL', host, message: `framing error: ${(e as Error).message}` }));
        channel.close();
      }
    });
    channel.stderr.on('data', (c: Buffer) => {
      if (this.stderrNoise.length < 4096) this.stderrNoise += c.toString('utf8');
    });
    channel.on('close', () => {
      const said = this.stderrNoise.trim();
      this.failAll(lostReason() ?? new TsplayError({ code: 'E_COMMAND', host, message: `the persistent shell on ${host} exited${said ? `: ${said}` : ''}` }));
    });
  }

  /** closed is set once the channel is gone; a new shell must be opened. */
  get closed(): boolean {
    return this.closedErr !== undefined;
  }

  /** failAll rejects every request still waiting, with `e`, and refuses new ones. */
  failAll(e: TsplayError): void {
    this.closedErr ??= e;
    this.infoReject(e);
    this.out.failAll();
    for (const p of this.pending) p.fail(e);
    this.pending.clear();
  }

  /** send writes the requests in one write and returns a promise per request. */
  send(specs: readonly CommandSpec[]): Promise<RunResult>[] {
    if (this.closedErr) return specs.map(() => Promise.reject(this.closedErr));
    const bufs: Buffer[] = [];
    const results: Promise<RunResult>[] = [];
    const made: Pending[] = [];
    const defining: string[] = [];
    const all: Promise<RunResult>[] = [];
    const request = (buf: Buffer, marker: string): Promise<RunResult> => {
      bufs.push(buf);
      const r = new Promise<RunResult>((resolve, reject) => {
        made.push(new Pending(marker, resolve, reject));
      });
      all.push(r);
      return r;
    };
    try {
      for (const spec of specs) {
        const def = definableScript(spec);
        if (def && !this.defined.has(def.name)) {
          // the definition goes out in the same write, just before its first call: no extra round trip
          const marker = this.marker();
          defining.push(def.name);
          this.defined.add(def.name);
          const name = def.name;
          request(encodeDefine(marker, name, def.script, def.vars), marker).then(
            (r) => r.rc === 0 || this.defined.delete(name),
            () => undefined,
          );
        }
        const marker = this.marker();
        results.push(request(encodeRequest(marker, spec, def?.name), marker));
      }
    } catch (e) {
      for (const name of defining) this.defined.delete(name);
      return specs.map(() => Promise.reject(e));
    }
    made.forEach((p, i) => {
      this.pending.add(p);
      this.out.expect(p.sink);
      all[i]?.then(
        () => this.pending.delete(p),
        () => this.pending.delete(p),
      );
    });
    this.requests += specs.length;
    this.channel.write(bufs.length === 1 ? (bufs[0] as Buffer) : Buffer.concat(bufs));
    return results;
  }

  /** end closes the driver's stdin; it exits after the requests already sent. */
  end(): void {
    this.channel.end();
  }
}
