import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { TsplayError } from '../errors/index.ts';
import { expandProxyCommand } from './proxy-command.ts';
import { shQuote } from './quote.ts';
import { configOptionsFor, expandPath, loadSshConfig, parseSshArgs, type SshOption, sshSettings } from './ssh-options.ts';
import type { ConnectOptions } from './types.ts';

export { splitShellWords } from './ssh-options.ts';

/** SshTarget is everything needed to open one SSH connection, resolved from a host's vars. */
export interface SshTarget {
  /** pool key: `inventory:NAME` for inventory hosts, `literal:user@host:port` for ad-hoc jump specs */
  readonly key: string;
  /** the inventory name (or the literal spec), for messages */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** private key files to offer, in order (after the agent) */
  readonly keyFiles: readonly string[];
  /** password for password authentication (ansible_password / ansible_ssh_pass), rarely used */
  readonly password?: string;
  /** ProxyCommand with its tokens expanded: its stdin/stdout carry the connection (never set together with via) */
  readonly proxyCommand?: string;
  /** the host this one is reached through (`-J a,b`: the target's via is b, b's via is a) */
  readonly via?: SshTarget;
  /** known_hosts files from tsplay_known_hosts or UserKnownHostsFile; unset means the run-wide default */
  readonly knownHostsFiles?: readonly string[];
  /** StrictHostKeyChecking from the ssh options; `no` still refuses a changed key (see ssh-connect.ts) */
  readonly strictHostKeyChecking?: 'yes' | 'accept-new' | 'no';
  /** the connect deadline (see connectTimeout); unset means the default, 30 s */
  readonly connectTimeoutMs?: number;
  /** where connectTimeoutMs came from (`ansible_ssh_timeout`, `-T/--timeout`, `ConnectTimeout (-o)`), for messages */
  readonly connectTimeoutFrom?: string;
  /** ServerAliveInterval and ServerAliveCountMax from the ssh options */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** jumpSpecFromArgs finds a ProxyJump in ssh arguments (`-J x`, `-Jx`, `-o ProxyJump=x`, `-o 'ProxyJump x'`); `none` means no jump. */
export function jumpSpecFromArgs(args: string): string | undefined {
  const o = parseSshArgs(args).options.find((x) => x.key === 'proxyjump');
  return o === undefined || o.value.toLowerCase() === 'none' ? undefined : o.value.trim();
}

// OpenSSH offers these identity files when none is configured.
function defaultKeyFiles(): string[] {
  const dir = join(homedir(), '.ssh');
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(dir, f)).filter((f) => existsSync(f));
}

function parsePort(v: unknown, name: string): number {
  const s = str(v);
  if (s === undefined) return 22;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new TsplayError({ code: 'E_UNREACHABLE', host: name, message: `ansible_port ${JSON.stringify(s)} is not a port number` });
  }
  return n;
}

/**
 * connectTimeout picks the connect deadline as Ansible does: the host's ansible_ssh_timeout
 * beats `-T/--timeout` (Ansible's variables override its command line), and either beats a
 * ConnectTimeout in the ssh options, because Ansible puts its own `-o ConnectTimeout=` before
 * ansible_ssh_common_args and ssh keeps the first value. Unlike Ansible, whose timeout always
 * has a value (10) and so always shadows ConnectTimeout, tsplay uses ConnectTimeout when
 * neither is given, then its own default (30 s).
 */
function connectTimeout(v: unknown, opts: ConnectOptions, fromArgs: number | undefined, name: string): { ms: number; from: string } | undefined {
  const s = str(v);
  if (s !== undefined) {
    if (!/^\s*\d+\s*$/.test(s) || Number(s) < 1) {
      throw new TsplayError({ code: 'E_UNREACHABLE', host: name, message: `ansible_ssh_timeout ${JSON.stringify(s)} is not a whole number of seconds` });
    }
    return { ms: Number(s) * 1000, from: 'ansible_ssh_timeout' };
  }
  if (opts.connectTimeoutMs !== undefined) return { ms: opts.connectTimeoutMs, from: '-T/--timeout' };
  if (fromArgs !== undefined) return { ms: fromArgs, from: 'ConnectTimeout' };
  return undefined;
}

function knownHostsVar(v: unknown): string[] | undefined {
  if (Array.isArray(v)) return v.map((x) => expandPath(String(x)));
  const one = str(v);
  return one === undefined ? undefined : [expandPath(one)];
}

/**
 * resolveTarget turns a host's vars into an SshTarget. Precedence follows ansible, which puts
 * its own `-o Port/IdentityFile/User` before ansible_ssh_common_args and ssh takes the first
 * value: host vars (ansible_port, ansible_user, `-u`, the key file) win over `-o` options in
 * ansible_ssh_common_args then ansible_ssh_extra_args, which win over the `-F` ssh_config.
 * Jump hosts come from tsplay_jump, `-J`/ProxyJump (a comma list for several hops) or the
 * config; a jump name that is an inventory host uses that host's vars, so its connection is
 * shared, and any other jump name is looked up in the same `-F` config, as ssh does.
 *
 * Why `-F` is read (a subset: Host blocks with HostName, Port, User, IdentityFile,
 * UserKnownHostsFile, StrictHostKeyChecking, ConnectTimeout, ServerAlive*, ProxyJump, ProxyCommand; no Match
 * or Include): inventories written for ansible, the lab's among them, put the host keys file,
 * identity and jump names there, and ignoring it would make tsplay check other keys or reach
 * other hosts than ansible does. Without `-F`, ~/.ssh/config is NOT read: a run must not depend
 * on the controlling user's personal config.
 */
export function resolveTarget(name: string, vars: Record<string, unknown>, opts: ConnectOptions, seen: readonly string[] = []): SshTarget {
  if (seen.includes(name)) {
    throw new TsplayError({ code: 'E_UNREACHABLE', host: name, message: `jump hosts form a loop: ${[...seen, name].join(' -> ')}` });
  }
  const log = opts.log ?? ((): void => {});
  const common = parseSshArgs(str(vars.ansible_ssh_common_args) ?? '');
  const extra = parseSshArgs(str(vars.ansible_ssh_extra_args) ?? '');
  const dest = str(vars.ansible_host) ?? str(vars.ansible_ssh_host) ?? name;
  const configFile = common.configFile ?? extra.configFile;
  let fromConfig: SshOption[] = [];
  if (configFile !== undefined) {
    const cfg = loadSshConfig(configFile, name);
    fromConfig = configOptionsFor(cfg, dest);
    if (cfg.skipped.length > 0) log(`${name}: ssh config lines tsplay skips: ${cfg.skipped.join('; ')}`);
  }
  const s = sshSettings([...common.options, ...extra.options, ...fromConfig], name);
  if (s.ignored.length > 0) log(`${name}: ssh options tsplay does not use: ${s.ignored.join(', ')}`);
  const host = s.hostName ?? dest;
  const port = parsePort(vars.ansible_port ?? vars.ansible_ssh_port ?? s.port, name);
  const user = str(vars.ansible_user) ?? str(vars.ansible_ssh_user) ?? opts.user ?? s.user ?? userInfo().username;
  const keyFile = str(vars.ansible_ssh_private_key_file) ?? str(vars.ansible_private_key_file) ?? opts.privateKey;
  const keyFiles = [...(keyFile !== undefined ? [expandPath(keyFile)] : []), ...s.identityFiles];
  const password = str(vars.ansible_password) ?? str(vars.ansible_ssh_pass);
  const knownHostsFiles = knownHostsVar(vars.tsplay_known_hosts) ?? s.knownHostsFiles;
  const timeout = connectTimeout(vars.ansible_ssh_timeout, opts, s.connectTimeoutMs, name);
  const proxyJump = s.proxyJump?.toLowerCase() === 'none' ? undefined : s.proxyJump;
  const proxyCommand = s.proxyCommand?.toLowerCase() === 'none' ? undefined : s.proxyCommand;
  const spec = str(vars.tsplay_jump) ?? proxyJump;
  if (proxyCommand !== undefined && spec !== undefined) {
    // never drop one of the two silently: either would reach the host by another path
    throw new TsplayError({ code: 'E_UNREACHABLE', host: name, message: `both tsplay_jump (${spec}) and ProxyCommand (${proxyCommand}) are set for ${name}; keep one` });
  }
  let via: SshTarget | undefined;
  if (spec !== undefined) {
    for (const hop of spec
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const t = resolveHop(hop, opts, [...seen, name], configFile);
      // each hop is reached through the one before it, unless the inventory says otherwise
      via = via && !t.via ? { ...t, key: `${t.key}@via:${via.key}`, via } : t;
    }
  }
  return {
    key: `inventory:${name}`,
    name,
    host,
    port,
    user,
    keyFiles: keyFiles.length > 0 ? keyFiles : defaultKeyFiles(),
    ...(password !== undefined ? { password } : {}),
    ...(via ? { via } : {}),
    ...(proxyCommand !== undefined ? { proxyCommand: expandProxyCommand(proxyCommand, { host, original: dest, port, user }, name) } : {}),
    ...(knownHostsFiles !== undefined && knownHostsFiles.length > 0 ? { knownHostsFiles } : {}),
    ...(s.strictHostKeyChecking !== undefined ? { strictHostKeyChecking: s.strictHostKeyChecking } : {}),
    ...(timeout !== undefined ? { connectTimeoutMs: timeout.ms, connectTimeoutFrom: timeout.from } : {}),
    ...(s.serverAliveIntervalMs !== undefined ? { keepaliveIntervalMs: s.serverAliveIntervalMs } : {}),
    ...(s.serverAliveCountMax !== undefined ? { keepaliveCountMax: s.serverAliveCountMax } : {}),
  };
}

// A hop that is not an inventory host gets only the `-F` config, as ssh passes only -F to the
// ssh it starts for ProxyJump: `-o` options of the target never apply to its jump hosts.
function resolveHop(hop: string, opts: ConnectOptions, seen: readonly string[], configFile: string | undefined): SshTarget {
  const invVars = opts.resolveJump?.(hop);
  if (invVars) return resolveTarget(hop, invVars, opts, seen);
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop);
  if (!m?.[2]) throw new TsplayError({ code: 'E_UNREACHABLE', message: `cannot understand jump host ${JSON.stringify(hop)}` });
  const host = m[2].replace(/^\[|\]$/g, '');
  const vars: Record<string, unknown> = { ansible_host: host };
  if (m[1]) vars.ansible_user = m[1];
  if (m[3]) vars.ansible_port = m[3];
  if (configFile !== undefined) vars.ansible_ssh_common_args = `-F ${shQuote(configFile)}`;
  const t = resolveTarget(hop, vars, opts, seen);
  return { ...t, key: `literal:${t.user}@${t.host}:${t.port}` };
}
