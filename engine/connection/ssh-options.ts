// OpenSSH options as an inventory gives them to ansible (ansible_ssh_common_args /
// ansible_ssh_extra_args, and an ssh_config named by `-F`), read into the few settings tsplay's
// own ssh client can honour. Semantics are OpenSSH's, checked against `ssh -G` in the tests:
// keywords are case-insensitive, `Key=Value`, `Key Value` and `Key = Value` all work, and the
// FIRST value obtained for a keyword wins (command line before config file, earlier config
// blocks before later ones); only IdentityFile accumulates.
import { readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { TsplayError } from '../errors/index.ts';
import { ShlexError, shlexSplit } from '../py/shlex.ts';
import { sshGlobMatch } from './host-pattern.ts';

/** SshOption is one `keyword value` pair, keyword lower-cased, in the order ssh would see it. */
export interface SshOption {
  readonly key: string;
  readonly value: string;
  /** where it came from, for messages: `-o` or `FILE:LINE` */
  readonly from: string;
}

/** SshArgs is what tsplay reads from an ssh argument string. */
export interface SshArgs {
  readonly options: readonly SshOption[];
  /** `-F file`: an ssh_config to read instead of ~/.ssh/config */
  readonly configFile?: string;
}

// ssh(1) flags that take an argument; every other letter is a flag alone (`-vC` is two flags).
const FLAGS_WITH_ARG = 'BbcDEeFIiJLlmOoPpQRSWw';
// flags that are the short form of a keyword tsplay honours
const FLAG_KEYWORD: Readonly<Record<string, string>> = { p: 'port', l: 'user', i: 'identityfile', J: 'proxyjump' };

/**
 * splitShellWords splits an ssh argument string as Ansible's ssh plugin does (`_split_ssh_args`:
 * Python's shlex.split, each word stripped, empty words dropped); unbalanced quotes are an error.
 */
export function splitShellWords(text: string): string[] {
  let words: string[];
  try {
    words = shlexSplit(text);
  } catch (e) {
    if (!(e instanceof ShlexError)) throw e;
    throw new TsplayError({ code: 'E_UNREACHABLE', message: `cannot split ssh arguments ${JSON.stringify(text)}: ${e.message}` });
  }
  return words.map((w) => w.trim()).filter((w) => w !== '');
}

/** parseOptionLine splits one `Key=Value` / `Key Value` line (as in `-o` or ssh_config) into keyword and value. */
export function parseOptionLine(line: string, from: string): SshOption | undefined {
  const m = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(line);
  if (!m?.[1] || m[2] === undefined || m[2] === '') return undefined;
  let value = m[2];
  // ssh_config allows one double-quoted value (paths with spaces)
  if (/^"[^"]*"$/.test(value)) value = value.slice(1, -1);
  return { key: m[1].toLowerCase(), value, from };
}

/** parseSshArgs reads ssh(1) command-line arguments: `-o` options (both spellings), `-F`, and -p/-l/-i/-J as their keywords. */
export function parseSshArgs(text: string): SshArgs {
  const w = splitShellWords(text);
  const options: SshOption[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < w.length; i++) {
    const a = w[i] as string;
    if (!a.startsWith('-') || a === '-') continue; // a destination or command: not ours
    for (let j = 1; j < a.length; j++) {
      const f = a[j] as string;
      if (!FLAGS_WITH_ARG.includes(f)) continue;
      const arg = j + 1 < a.length ? a.slice(j + 1) : w[++i];
      if (arg === undefined) break;
      if (f === 'o') {
        const opt = parseOptionLine(arg, '-o');
        if (opt) options.push(opt);
      } else if (f === 'F') {
        configFile ??= arg;
      } else if (FLAG_KEYWORD[f]) {
        options.push({ key: FLAG_KEYWORD[f] as string, value: arg, from: `-${f}` });
      }
      break;
    }
  }
  return { options, ...(configFile !== undefined ? { configFile } : {}) };
}

/** SshConfigBlock is one `Host` block of an ssh_config (the lines before the first Host form a `*` block). */
export interface SshConfigBlock {
  readonly patterns: readonly string[];
  readonly options: readonly SshOption[];
}

/** SshConfig is a parsed ssh_config: its Host blocks and the lines tsplay skipped (Match, Include). */
export interface SshConfig {
  readonly blocks: readonly SshConfigBlock[];
  readonly skipped: readonly string[];
}

/**
 * parseSshConfig reads the subset of ssh_config tsplay uses: `Host` blocks of keyword lines.
 * `Match` blocks and `Include` are skipped (and reported), because evaluating them needs
 * OpenSSH's whole matching engine (exec, canonical names, final pass) for little gain here.
 */
export function parseSshConfig(text: string, file: string): SshConfig {
  const blocks: { patterns: string[]; options: SshOption[] }[] = [{ patterns: ['*'], options: [] }];
  const skipped: string[] = [];
  let inMatch = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const opt = parseOptionLine(raw, `${file}:${i + 1}`);
    if (!opt) continue;
    if (opt.key === 'host') {
      inMatch = false;
      blocks.push({ patterns: splitShellWords(opt.value), options: [] });
    } else if (opt.key === 'match') {
      inMatch = true;
      skipped.push(`${opt.from}: Match block`);
    } else if (inMatch) {
      // belongs to a skipped Match block
    } else if (opt.key === 'include') {
      skipped.push(`${opt.from}: Include ${opt.value}`);
    } else {
      (blocks[blocks.length - 1] as { options: SshOption[] }).options.push(opt);
    }
  }
  return { blocks, skipped };
}

/** hostBlockMatches applies a Host line's patterns to `host`: one positive match and no negated one. */
export function hostBlockMatches(patterns: readonly string[], host: string): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (sshGlobMatch(p.slice(1), host)) return false;
    } else if (sshGlobMatch(p, host)) {
      hit = true;
    }
  }
  return hit;
}

/** configOptionsFor lists, in order, the options every Host block matching `host` gives it. */
export function configOptionsFor(cfg: SshConfig, host: string): SshOption[] {
  return cfg.blocks.filter((b) => hostBlockMatches(b.patterns, host)).flatMap((b) => b.options);
}

const configCache = new Map<string, { mtimeMs: number; cfg: SshConfig }>();

/** loadSshConfig reads and parses an ssh_config file once per change; a missing file is an E_UNREACHABLE naming the host, as ssh refuses it too. */
export function loadSshConfig(file: string, host: string): SshConfig {
  const path = expandPath(file);
  try {
    const st = statSync(path);
    const hit = configCache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit.cfg;
    const cfg = parseSshConfig(readFileSync(path, 'utf8'), path);
    configCache.set(path, { mtimeMs: st.mtimeMs, cfg });
    return cfg;
  } catch (e) {
    throw new TsplayError({ code: 'E_UNREACHABLE', host, message: `cannot read the ssh config given by -F ${file}: ${(e as Error).message}` }, { cause: e });
  }
}

/** expandPath expands `~` and the local tokens `%d` (home), `%u` (local user) and `%%` in a path, as ssh does. */
export function expandPath(p: string): string {
  let out = p === '~' ? homedir() : p.startsWith('~/') ? homedir() + p.slice(1) : p;
  if (out.includes('%')) {
    out = out.replace(/%([%du])/g, (_m, t: string) => (t === '%' ? '%' : t === 'd' ? homedir() : userInfo().username));
  }
  return out;
}

/** SshSettings are the settings tsplay takes from ssh options; unset fields fall back to vars and defaults. */
export interface SshSettings {
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  /** UserKnownHostsFile: several files, the first is where accept-new records keys */
  knownHostsFiles?: string[];
  /** StrictHostKeyChecking as written, normalised: `no` is kept so the caller can warn about it */
  strictHostKeyChecking?: 'yes' | 'accept-new' | 'no';
  connectTimeoutMs?: number;
  /** ServerAliveInterval in ms; 0 turns keepalives off */
  serverAliveIntervalMs?: number;
  serverAliveCountMax?: number;
  proxyJump?: string;
  /** ProxyCommand as written (tokens unexpanded); it and ProxyJump exclude each other, the first one given wins */
  proxyCommand?: string;
  /** options tsplay does not use, as `Key=Value (from)`, listed at -vvvv */
  ignored: string[];
}

function intValue(o: SshOption, host: string, min: number, max: number): number {
  const n = Number(o.value);
  if (!/^\d+$/.test(o.value) || n < min || n > max) {
    throw new TsplayError({ code: 'E_UNREACHABLE', host, message: `bad ssh option ${o.key} ${JSON.stringify(o.value)} (${o.from}): expected a whole number from ${min} to ${max}` });
  }
  return n;
}

function strictValue(o: SshOption, host: string): 'yes' | 'accept-new' | 'no' {
  const v = o.value.toLowerCase();
  // `ask` needs a terminal prompt tsplay never shows, so it refuses unknown keys like `yes`
  if (v === 'yes' || v === 'true' || v === 'ask') return 'yes';
  if (v === 'accept-new') return 'accept-new';
  if (v === 'no' || v === 'off' || v === 'false') return 'no';
  throw new TsplayError({ code: 'E_UNREACHABLE', host, message: `bad ssh option StrictHostKeyChecking ${JSON.stringify(o.value)} (${o.from}): expected yes, accept-new, ask or no` });
}

/**
 * sshSettings folds options (command line first, then config) into settings, first value
 * winning per keyword as in OpenSSH; `host` names the inventory host in error messages.
 */
export function sshSettings(options: readonly SshOption[], host: string): SshSettings {
  const s: SshSettings = { identityFiles: [], ignored: [] };
  const seen = new Set<string>();
  for (const o of options) {
    if (o.key === 'identityfile') {
      if (o.value.toLowerCase() !== 'none') s.identityFiles.push(expandPath(o.value));
      continue;
    }
    // ProxyJump and ProxyCommand compete: whichever comes first stops the other (ssh_config(5))
    const slot = o.key === 'proxyjump' || o.key === 'proxycommand' ? 'proxy' : o.key;
    if (seen.has(slot)) continue;
    seen.add(slot);
    switch (o.key) {
      case 'hostname':
        s.hostName = o.value;
        break;
      case 'port':
        s.port = intValue(o, host, 1, 65535);
        break;
      case 'user':
        s.user = o.value;
        break;
      case 'userknownhostsfile':
        if (o.value.toLowerCase() !== 'none') s.knownHostsFiles = splitShellWords(o.value).map(expandPath);
        break;
      case 'stricthostkeychecking':
        s.strictHostKeyChecking = strictValue(o, host);
        break;
      case 'connecttimeout':
        if (o.value.toLowerCase() !== 'none') s.connectTimeoutMs = intValue(o, host, 1, 86_400) * 1000;
        break;
      case 'serveraliveinterval':
        s.serverAliveIntervalMs = intValue(o, host, 0, 86_400) * 1000;
        break;
      case 'serveralivecountmax':
        s.serverAliveCountMax = intValue(o, host, 1, 1000);
        break;
      case 'proxyjump':
        s.proxyJump = o.value;
        break;
      case 'proxycommand':
        s.proxyCommand = o.value;
        break;
      default:
        s.ignored.push(`${o.key}=${o.value} (${o.from})`);
    }
  }
  return s;
}
