import { existsSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { homedir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AnyAuthMethod, Client, ConnectConfig } from 'ssh2';
import { TsplayError } from '../errors/index.ts';
import { coalesceWrites } from './coalesce-writes.ts';
import { ignoreHostKeysNotice } from './hostkeys-notice.ts';
import { checkHostKey, fingerprint, type HostKeyVerdict, keyTypeOf, knownHostName, knownKeyTypes } from './known-hosts.ts';
import { knownHostsFor, recordKnownHost } from './known-hosts-cache.ts';
import type { SshTarget } from './ssh-target.ts';
import { startProxyCommand } from './proxy-command.ts';
import { SshTransport } from './ssh-transport.ts';
import type { ConnectOptions } from './types.ts';

const DEFAULT_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

// Ask first for a key type known_hosts already holds for this host, as OpenSSH does, so a
// host with several keys does not look like a mismatch.
function hostKeyAlgos(known: readonly string[]): string[] {
  const first = known.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  return [...new Set([...first.filter((a) => DEFAULT_HOST_KEY_ALGOS.includes(a)), ...DEFAULT_HOST_KEY_ALGOS])];
}

/** DEFAULT_CONNECT_TIMEOUT_MS bounds TCP connect plus SSH handshake when no timeout is set: above Ansible's 10 s, for loaded lab hosts. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

// OpenSSH's GlobalKnownHostsFile default; read, never written.
const GLOBAL_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts';

/**
 * knownHostsFiles lists the files checked for `t`, the first being where accept-new records a
 * key: the host's own (tsplay_known_hosts, UserKnownHostsFile) plus the global file as OpenSSH
 * reads it, else the run-wide configured one alone, else ~/.ssh/known_hosts and the global file.
 */
export function knownHostsFiles(opts: ConnectOptions, t?: SshTarget): string[] {
  if (t?.knownHostsFiles && t.knownHostsFiles.length > 0) return [...new Set([...t.knownHostsFiles, GLOBAL_KNOWN_HOSTS])];
  if (opts.knownHostsFile) return [opts.knownHostsFile];
  return [join(homedir(), '.ssh', 'known_hosts'), GLOBAL_KNOWN_HOSTS];
}

/**
 * hostKeyPolicy is the checking that applies to `t`: its own StrictHostKeyChecking, else the
 * run's. OpenSSH's `no` (accept any key, even a changed one) is never honoured as such: it
 * becomes accept-new, so an unknown key is recorded but a CHANGED key is still refused, and the
 * caller warns about it. Why: a playbook run as root must not be open to a man in the middle
 * because an inventory copied from somewhere carried `-o StrictHostKeyChecking=no`.
 */
export function hostKeyPolicy(t: SshTarget, opts: ConnectOptions): 'yes' | 'accept-new' {
  const v = t.strictHostKeyChecking ?? opts.hostKeyChecking;
  return v === 'no' ? 'accept-new' : v;
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
    hint: 'add the key to the first file named, or set StrictHostKeyChecking=accept-new (or --host-key-checking accept-new) to record it on first use',
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
 * openTransport connects to `t` (through `via` or its ProxyCommand when set): TCP with NODELAY, SSH handshake
 * with the host key checked against known_hosts, then authentication (agent, key files,
 * password). Errors come back as E_UNREACHABLE, E_HOST_KEY or E_AUTH naming the host.
 */
export async function openTransport(t: SshTarget, opts: ConnectOptions, via: SshTransport | undefined): Promise<SshTransport> {
  const log = opts.log ?? (() => {});
  const files = knownHostsFiles(opts, t);
  const policy = hostKeyPolicy(t, opts);
  if (t.strictHostKeyChecking === 'no') {
    (opts.warn ?? log)(`${t.name}: StrictHostKeyChecking=no is treated as accept-new: unknown host keys are recorded in ${files[0]}, a changed key is still refused`);
  }
  const name = knownHostName(t.host, t.port);
  const entries = knownHostsFor(files, name);
  let refusal: TsplayError | undefined;
  const hostVerifier = (blob: Buffer): boolean => {
    const v = checkHostKey(entries, name, blob);
    if (v.kind === 'match') return true;
    if (v.kind === 'unknown' && policy === 'accept-new') {
      recordKnownHost(files[0] as string, name, blob);
      log(`${t.name}: recorded new host key ${keyTypeOf(blob)} ${fingerprint(blob)} for ${name} in ${files[0]}`);
      return true;
    }
    refusal = hostKeyError(t, name, v, blob, files);
    return false;
  };
  // precedence (ansible_ssh_timeout, -T, ConnectTimeout) is settled in resolveTarget
  const timeout = t.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const keepaliveInterval = opts.keepaliveIntervalMs ?? t.keepaliveIntervalMs ?? 4000;
  // OpenSSH's ServerAliveCountMax default is 3; tsplay's own default pairs 2 with 4 s (dead in ~12 s)
  const keepaliveCountMax = t.keepaliveCountMax ?? (t.keepaliveIntervalMs !== undefined ? 3 : 2);
  const proxy = t.proxyCommand !== undefined ? startProxyCommand(t.proxyCommand) : undefined;
  if (proxy) log(`${t.name}: connecting through ProxyCommand ${t.proxyCommand}`);
  const sock = proxy ? proxy.sock : via ? await via.forwardOut(t.host, t.port) : netConnect({ host: t.host, port: t.port });
  if (!via && !proxy && opts.tcpNoDelay !== false) {
    (sock as import('node:net').Socket).setNoDelay(true);
    coalesceWrites(sock as import('node:net').Socket);
  }
  let client: Client;
  try {
    client = await connectClient({
      sock,
      username: t.user,
      readyTimeout: timeout,
      keepaliveInterval,
      keepaliveCountMax,
      hostVerifier,
      authHandler: authMethods(t, log),
      algorithms: { serverHostKey: hostKeyAlgos(knownKeyTypes(entries, name)) as never },
    });
  } catch (e) {
    if (proxy) {
      // the proxy's own exit (code, stderr) may land just after ssh2 saw its stream end
      await Promise.race([proxy.exited, new Promise((r) => setTimeout(r, 500))]);
      proxy.stop();
    }
    sock.destroy();
    if (refusal) throw refusal;
    // a proxy that ended says why (its exit and stderr) better than ssh2's "connection lost"
    const msg = proxy?.ended() ?? (e as Error).message ?? String(e);
    if (/authentication methods failed/i.test(msg)) {
      throw new TsplayError(
        {
          code: 'E_AUTH',
          host: t.name,
          message: `${t.user}@${t.name} (${t.host}:${t.port}): authentication failed (tried ${authMethods(t, () => {})
            .map((m) => m.type)
            .join(', ')})`,
        },
        { cause: e },
      );
    }
    const why = /timed out while waiting for handshake/i.test(msg) ? `no SSH handshake within ${timeout / 1000} s (${t.connectTimeoutFrom ?? 'the default connect timeout'})` : msg;
    throw new TsplayError({ code: 'E_UNREACHABLE', host: t.name, message: `${t.name} (${t.host}:${t.port}) unreachable: ${why}` }, { cause: e });
  }
  return new SshTransport(t, client, via);
}

/**
 * connectClient opens an ssh2 Client with `config` and resolves once it is ready, failing as
 * node-ssh's connect() did (tsplay used nothing else of node-ssh). Why ssh2's client.js and not
 * node-ssh or 'ssh2': the package's index also loads its HTTP agents (http, https, tls), server
 * and key generator, and node-ssh adds make-dir, semver and sb-scandir, about 50 ms of CPU
 * before the first connection for code tsplay never runs.
 */
function connectClient(config: ConnectConfig): Promise<Client> {
  if (typeof config.username !== 'string') return Promise.reject(new Error('config.username must be a valid string'));
  const SshClient = createRequire(import.meta.url)('ssh2/lib/client.js') as typeof Client;
  const connection = new SshClient();
  return new Promise((resolve, reject) => {
    connection.on('error', reject);
    connection.on('ready', () => {
      connection.removeListener('error', reject);
      resolve(connection);
    });
    // closed before ready without an error: node-ssh's words, which the caller reports
    connection.on('close', () => reject(new Error('No response from server')));
    connection.connect(config);
    // connect() has just made the protocol; no packet is in yet
    ignoreHostKeysNotice(connection);
  });
}
