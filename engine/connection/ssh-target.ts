import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { TsplayError } from '../errors/index.ts';
import type { ConnectOptions } from './types.ts';

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
  /** the host this one is reached through (`-J a,b`: the target's via is b, b's via is a) */
  readonly via?: SshTarget;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** splitShellWords splits an ssh argument string the way a shell would (quotes, backslashes), without expanding anything. */
export function splitShellWords(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: '' | "'" | '"' = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (q === "'") {
      if (c === "'") q = '';
      else cur += c;
    } else if (q === '"') {
      if (c === '"') q = '';
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) cur += text[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      q = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** jumpSpecFromArgs finds a ProxyJump in ssh arguments (`-J x`, `-Jx`, `-o ProxyJump=x`, `-o 'ProxyJump x'`). */
export function jumpSpecFromArgs(args: string): string | undefined {
  const w = splitShellWords(args);
  for (let i = 0; i < w.length; i++) {
    const a = w[i] as string;
    if (a === '-J') return w[i + 1];
    if (a.startsWith('-J')) return a.slice(2);
    let opt: string | undefined;
    if (a === '-o') opt = w[++i];
    else if (a.startsWith('-o')) opt = a.slice(2);
    if (opt !== undefined) {
      const m = /^\s*proxyjump\s*(?:=|\s)\s*(.+)$/i.exec(opt);
      if (m?.[1] && m[1].toLowerCase() !== 'none') return m[1].trim();
    }
  }
  return undefined;
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
 * resolveTarget turns a host's vars into an SshTarget, following jump hosts named by
 * ansible_ssh_common_args (-J / ProxyJump, a comma list for several hops) or tsplay_jump.
 * A jump name that is an inventory host uses that host's vars, so its connection is shared.
 */
export function resolveTarget(name: string, vars: Record<string, unknown>, opts: ConnectOptions, seen: readonly string[] = []): SshTarget {
  if (seen.includes(name)) {
    throw new TsplayError({ code: 'E_UNREACHABLE', host: name, message: `jump hosts form a loop: ${[...seen, name].join(' -> ')}` });
  }
  const host = str(vars.ansible_host) ?? str(vars.ansible_ssh_host) ?? name;
  const port = parsePort(vars.ansible_port ?? vars.ansible_ssh_port, name);
  const user = str(vars.ansible_user) ?? str(vars.ansible_ssh_user) ?? opts.user ?? userInfo().username;
  const keyFile = str(vars.ansible_ssh_private_key_file) ?? str(vars.ansible_private_key_file) ?? opts.privateKey;
  const password = str(vars.ansible_password) ?? str(vars.ansible_ssh_pass);
  const spec = str(vars.tsplay_jump) ?? jumpSpecFromArgs(str(vars.ansible_ssh_common_args) ?? '') ?? jumpSpecFromArgs(str(vars.ansible_ssh_extra_args) ?? '');
  let via: SshTarget | undefined;
  if (spec !== undefined) {
    for (const hop of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
      const t = resolveHop(hop, opts, [...seen, name]);
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
    keyFiles: keyFile !== undefined ? [keyFile] : defaultKeyFiles(),
    ...(password !== undefined ? { password } : {}),
    ...(via ? { via } : {}),
  };
}

function resolveHop(hop: string, opts: ConnectOptions, seen: readonly string[]): SshTarget {
  const invVars = opts.resolveJump?.(hop);
  if (invVars) return resolveTarget(hop, invVars, opts, seen);
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop);
  if (!m?.[2]) throw new TsplayError({ code: 'E_UNREACHABLE', message: `cannot understand jump host ${JSON.stringify(hop)}` });
  const host = m[2].replace(/^\[|\]$/g, '');
  const vars: Record<string, unknown> = { ansible_host: host };
  if (m[1]) vars.ansible_user = m[1];
  if (m[3]) vars.ansible_port = m[3];
  const t = resolveTarget(hop, vars, opts, seen);
  return { ...t, key: `literal:${t.user}@${t.host}:${t.port}` };
}
