import { isDeepStrictEqual } from 'node:util';
import type { SourcePos } from '../../errors/index.ts';
import { parseCidr } from '../../template/ipaddr.ts';
import { hasTeaming, versionKey, type OsTarget } from '../os-target.ts';
import { MAC_RE } from '../../template/ipaddr.ts';
import { parseTeamSlaves } from '../team-spelling.ts';
import { commandStatus, optionNames, optionStatus } from './command-rule.ts';
import { COMMAND_TABLE } from './command-table.ts';
import type { Finding, Severity } from './finding.ts';
import { parseKickstart, type KsCommand } from './ks-parse.ts';

/** ExpectedTeam is what the data says the `network` line's team must mean once parsed back. */
export interface ExpectedTeam {
  readonly device: string;
  readonly ports: readonly { name: string; config: Record<string, unknown> }[];
  readonly config: Record<string, unknown>;
}

/** LintOptions say whose kickstart this is and how to point back at the template lines. */
export interface LintOptions {
  readonly host?: string | undefined;
  /** the file name to report when no template origin is known */
  readonly file: string;
  /** per kickstart line (index = line - 1), the template file:line that wrote it */
  readonly origins?: readonly (SourcePos | undefined)[] | undefined;
  readonly expectTeam?: ExpectedTeam | undefined;
  /** the addresses were already checked on the data (lintGuests), where the finding points at the inventory */
  readonly addressesChecked?: boolean | undefined;
}

const KNOWN_SECTIONS = new Set(['%pre', '%pre-install', '%post', '%packages', '%onerror', '%traceback', '%addon', '%anaconda', '%certificate']);
// commands whose second occurrence silently overrides the first
const ONCE = new Set([
  'rootpw', 'timezone', 'lang', 'keyboard', 'url', 'cdrom', 'nfs', 'harddrive', 'liveimg', 'bootloader', 'autopart', 'clearpart',
  'zerombr', 'selinux', 'firewall', 'ignoredisk', 'skipx', 'firstboot', 'authselect', 'auth', 'authconfig', 'text', 'graphical',
  'cmdline', 'reboot', 'poweroff', 'halt', 'shutdown', 'reqpart', 'eula', 'xconfig',
]);
const SOURCES = ['url', 'cdrom', 'nfs', 'harddrive', 'liveimg', 'ostreesetup', 'ostreecontainer', 'bootc', 'install', 'method'];
const PARTITIONING = ['autopart', 'part', 'partition', 'raid', 'logvol', 'volgroup', 'reqpart', 'mount', 'btrfs'];
const EL7_ENVIRONMENTS = new Set([
  'minimal', 'compute-node-environment', 'infrastructure-server-environment', 'file-print-server-environment', 'web-server-environment',
  'virtualization-host-environment', 'graphical-server-environment', 'gnome-desktop-environment', 'kde-desktop-environment', 'developer-workstation-environment',
]);
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

function optionValue(cmd: KsCommand, opt: string): string | undefined {
  for (let i = 1; i < cmd.words.length; i++) {
    const w = cmd.words[i]!;
    if (w.startsWith(`${opt}=`)) return w.slice(opt.length + 1);
    if (w === opt) return cmd.words[i + 1];
  }
  return undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | string {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : 'not a JSON object';
  } catch (e) {
    return (e as Error).message;
  }
}

function ipToInt(ip: string): number | undefined {
  const c = parseCidr(ip);
  return c && c.prefix === 32 && !ip.includes('/') ? c.address.split('.').reduce((n, p) => n * 256 + Number(p), 0) : undefined;
}

/**
 * lintKickstart checks one kickstart against the rules of its OS version (commands, options,
 * sections, required content) and, when the data is known, that the team line means what the data says.
 */
export function lintKickstart(text: string, os: OsTarget, opts: LintOptions): Finding[] {
  const out: Finding[] = [];
  const key = versionKey(os);
  const at = (line: number, col = 1): SourcePos => opts.origins?.[line - 1] ?? { file: opts.file, line, col };
  const add = (code: string, line: number, message: string, severity: Severity = 'error', col = 1): void => {
    out.push({ code, severity, message, host: opts.host, pos: at(line, col) });
  };
  const ks = parseKickstart(text);
  for (const p of ks.problems) add(p.code, p.line, p.message, 'error', p.col);

  const seen = new Map<string, number>();
  for (const cmd of ks.commands) {
    if (cmd.midWordHash !== undefined) {
      add('KS_INLINE_HASH', cmd.line, `a # inside a word starts a comment here, cutting "${cmd.raw.trim().slice(0, 60)}" short: quote the value`, 'error', cmd.midWordHash);
    }
    if (cmd.broken) continue;
    const rule = COMMAND_TABLE[cmd.name];
    const status = commandStatus(rule, key);
    if (status === 'unknown') {
      add('KS_UNKNOWN_COMMAND', cmd.line, `${os.name} does not know the command "${cmd.name}"${rule ? ` (it exists in: ${rule.v})` : ''}`);
      continue;
    }
    if (status === 'removed') {
      add('KS_REMOVED_COMMAND', cmd.line, `the command "${cmd.name}" was removed before ${os.name}`);
      continue;
    }
    if (status === 'deprecated') add('KS_DEPRECATED_COMMAND', cmd.line, `the command "${cmd.name}" is deprecated in ${os.name} and has no effect`);
    const prev = seen.get(cmd.name);
    if (prev !== undefined && ONCE.has(cmd.name)) add('KS_DUPLICATE_COMMAND', cmd.line, `"${cmd.name}" is given again (first on line ${prev}); only the last one counts`);
    seen.set(cmd.name, prev ?? cmd.line);
    const all = optionNames(rule!);
    for (const w of cmd.words.slice(1)) {
      if (!/^--?[A-Za-z]/.test(w)) continue;
      const name = w.split('=')[0]!;
      // argparse accepts any unambiguous prefix of a long option
      const full = all.includes(name) ? name : all.filter((o) => o.startsWith(name));
      const resolved = typeof full === 'string' ? full : full.length === 1 ? full[0]! : undefined;
      if (!resolved) {
        add('KS_UNKNOWN_OPTION', cmd.line, `${cmd.name} has no option ${name}${typeof full !== 'string' && full.length > 1 ? ` (ambiguous: ${full.join(', ')})` : ''}`);
        continue;
      }
      if (resolved === '--isUtc') {
        add('KS_ISUTC', cmd.line, 'timezone --isUtc: write --utc, which every version accepts (--isUtc fails on newer ones)');
        continue;
      }
      if ((resolved === '--teamslaves' || resolved === '--teamconfig') && !hasTeaming(os)) {
        add('KS_TEAM_UNSUPPORTED', cmd.line, `${os.name} has no teaming: ${resolved} is ignored by the installer (use a bond)`);
        continue;
      }
      const st = optionStatus(rule!, resolved, key);
      if (st === 'unknown') add('KS_OPTION_VERSION', cmd.line, `${cmd.name} ${resolved} is not known to ${os.name}`);
      else if (st === 'deprecated') add('KS_DEPRECATED_OPTION', cmd.line, `${cmd.name} ${resolved} is deprecated in ${os.name} and ignored`);
    }
    if (cmd.name === 'network') lintNetwork(cmd, os, opts, add);
  }

  const has = (names: string[]): boolean => ks.commands.some((c) => names.includes(c.name));
  const lastLine = text.split('\n').length;
  if (!has(SOURCES)) add('KS_NO_SOURCE', 1, 'no installation source (url, cdrom, nfs, harddrive, liveimg ...): the install would stop and ask');
  if (!has(['rootpw', 'user'])) add('KS_NO_ROOTPW', 1, 'no rootpw (or user): the install would stop and ask');
  if (!has(PARTITIONING)) add('KS_NO_PARTITIONING', 1, 'no partitioning (autopart, part, reqpart ...): the install would stop and ask');
  const packages = ks.sections.filter((s) => s.name === '%packages');
  if (packages.length === 0) add('KS_NO_PACKAGES', lastLine, 'no %packages section');
  for (const s of ks.sections) if (!KNOWN_SECTIONS.has(s.name)) add('KS_UNKNOWN_SECTION', s.line, `unknown section ${s.name}`);
  for (const s of packages) {
    for (const b of s.body) {
      const m = /^\s*@\^(\S+)/.exec(b.text);
      if (!m) continue;
      const env = m[1]!;
      const el7 = os.family === 'rhel' && os.major === 7;
      const ok = el7 ? EL7_ENVIRONMENTS.has(env) : env.endsWith('-environment');
      if (!ok) add('KS_UNKNOWN_GROUP', b.line, `${os.name} has no environment group @^${env}${el7 ? '' : ' (after EL 7 the ids end in -environment, e.g. @^minimal-environment)'}`);
    }
  }
  if (opts.expectTeam && hasTeaming(os) && !ks.commands.some((c) => c.name === 'network' && optionValue(c, '--device') === opts.expectTeam!.device)) {
    add('KS_TEAM_MISSING', 1, `no network line for team ${opts.expectTeam.device}`);
  }
  return out;
}

function lintNetwork(cmd: KsCommand, os: OsTarget, opts: LintOptions, add: (code: string, line: number, message: string, severity?: Severity) => void): void {
  const device = optionValue(cmd, '--device');
  if (device && /^([0-9A-Fa-f]{1,2}[:-]){2,}/.test(device) && !MAC_RE.test(device)) add('KS_MAC_FORMAT', cmd.line, `network --device=${device} is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  const ip = optionValue(cmd, '--ip');
  const mask = optionValue(cmd, '--netmask');
  const gw = optionValue(cmd, '--gateway');
  if (optionValue(cmd, '--bootproto') === 'static' && !ip) add('KS_STATIC_NO_IP', cmd.line, 'network --bootproto=static without --ip');
  for (const [o, v] of [['--ip', ip], ['--gateway', gw]] as const) {
    if (v !== undefined && ipToInt(v) === undefined) add('KS_BAD_IP', cmd.line, `network ${o}=${v} is not an IPv4 address`);
  }
  if (ip && mask && gw && !opts.addressesChecked) {
    const c = parseCidr(`${ip}/${mask.split('.').reduce((n, p) => n + (Number(p) >>> 0).toString(2).replace(/0/g, '').length, 0)}`);
    const g = parseCidr(`${gw}/${c?.prefix ?? 32}`);
    if (c && g && c.network !== g.network) add('KS_GATEWAY_OUTSIDE', cmd.line, `gateway ${gw} is outside ${c.network}/${c.prefix}`);
  }
  const slavesRaw = optionValue(cmd, '--teamslaves');
  const configRaw = optionValue(cmd, '--teamconfig');
  if (slavesRaw === undefined && configRaw === undefined) return;
  if (!hasTeaming(os)) return;
  const slaves = parseTeamSlaves(slavesRaw ?? '');
  const parsed: { name: string; config: Record<string, unknown> }[] = [];
  for (const s of slaves) {
    if (!IFNAME.test(s.name)) add('KS_TEAM_PORT_NAME', cmd.line, `--teamslaves parses into the port name ${JSON.stringify(s.name)}, which is no interface name (check the quoting)`);
    let config: Record<string, unknown> = {};
    if (s.config !== '') {
      const j = parseJsonObject(s.config);
      if (typeof j === 'string') add('KS_TEAM_PORT_JSON', cmd.line, `--teamslaves: the JSON of port ${JSON.stringify(s.name)} does not parse after unquoting (${j}): ${s.config}`);
      else config = j;
    }
    parsed.push({ name: s.name, config });
  }
  let teamConfig: Record<string, unknown> = {};
  if (configRaw !== undefined) {
    const j = parseJsonObject(configRaw);
    if (typeof j === 'string') add('KS_TEAM_CONFIG_JSON', cmd.line, `--teamconfig does not parse as a JSON object after unquoting (${j}): ${configRaw}`);
    else teamConfig = j;
  }
  const exp = opts.expectTeam;
  if (!exp || device !== exp.device) return;
  const gotNames = parsed.map((p) => p.name);
  const wantNames = exp.ports.map((p) => p.name);
  if (!isDeepStrictEqual(gotNames, wantNames)) {
    add('KS_TEAM_MISMATCH', cmd.line, `--teamslaves parses back into ports ${JSON.stringify(gotNames)}, the data has ${JSON.stringify(wantNames)}`);
  } else {
    for (let i = 0; i < parsed.length; i++) {
      if (!isDeepStrictEqual(parsed[i]!.config, exp.ports[i]!.config)) {
        add('KS_TEAM_MISMATCH', cmd.line, `port ${wantNames[i]}: --teamslaves carries ${JSON.stringify(parsed[i]!.config)}, the data says ${JSON.stringify(exp.ports[i]!.config)}`);
      }
    }
  }
  if (!isDeepStrictEqual(teamConfig, exp.config)) {
    add('KS_TEAM_MISMATCH', cmd.line, `--teamconfig parses back into ${JSON.stringify(teamConfig)}, the data says ${JSON.stringify(exp.config)}`);
  }
}
