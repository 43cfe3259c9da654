import { isDeepStrictEqual } from 'node:util';
import type { SourcePos } from '../../errors/index.ts';
import { parseCidr } from '../../template/ipaddr.ts';
import { hasTeaming, versionKey, type OsTarget } from '../os-target.ts';
import { MAC_RE } from '../../template/ipaddr.ts';
import { parseTeamSlaves } from '../team-spelling.ts';
import { checkShape } from './check-shape.ts';
import { commandStatus, inSpec, optionNames, optionStatus, resolveOption } from './command-rule.ts';
import { SECTION_OPTIONS } from './command-shape-table.ts';
import { COMMAND_TABLE } from './command-table.ts';
import { environmentKnown } from './environments.ts';
import type { Finding, Severity } from './finding.ts';
import { parseKickstart, type KsCommand, type KsSection } from './ks-parse.ts';

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
  /** reads an `%include`d file (the CLI reads it beside the kickstart); undefined when it is not there */
  readonly readInclude?: ((path: string) => string | undefined) | undefined;
}

const KNOWN_SECTIONS = new Set(['%pre', '%pre-install', '%post', '%packages', '%onerror', '%traceback', '%addon', '%anaconda', '%certificate']);
// commands whose second occurrence overrides the first (the installer's documented "last one wins")
const ONCE = new Set([
  'rootpw',
  'timezone',
  'lang',
  'keyboard',
  'url',
  'cdrom',
  'nfs',
  'harddrive',
  'liveimg',
  'bootloader',
  'autopart',
  'clearpart',
  'zerombr',
  'selinux',
  'firewall',
  'ignoredisk',
  'skipx',
  'firstboot',
  'authselect',
  'auth',
  'authconfig',
  'text',
  'graphical',
  'cmdline',
  'reboot',
  'poweroff',
  'halt',
  'shutdown',
  'reqpart',
  'eula',
  'xconfig',
]);
const SOURCES = ['url', 'cdrom', 'nfs', 'harddrive', 'liveimg', 'ostreesetup', 'ostreecontainer', 'bootc', 'install', 'method', 'hmc'];
// image installs: the payload is an image, there is no package set to choose
const IMAGE_SOURCES = ['liveimg', 'ostreesetup', 'ostreecontainer', 'bootc'];
const PARTITIONING = ['autopart', 'part', 'partition', 'raid', 'logvol', 'volgroup', 'reqpart', 'mount', 'btrfs'];
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

/** Lint is what every check of one kickstart reports through: its OS, version key and findings sink. */
interface Lint {
  readonly os: OsTarget;
  readonly key: ReturnType<typeof versionKey>;
  readonly opts: LintOptions;
  readonly add: (code: string, line: number, message: string, severity?: Severity, col?: number) => void;
  readonly at: (line: number, col?: number) => SourcePos;
}

/**
 * lintKickstart checks one kickstart against the rules of its OS version (commands, options,
 * sections, required content) and, when the data is known, that the team line means what the data says.
 */
export function lintKickstart(text: string, os: OsTarget, opts: LintOptions): Finding[] {
  const out: Finding[] = [];
  // included files' lines get numbers past the end of this file; `at` maps them back to file:line
  const included = new Map<number, SourcePos>();
  const at = (line: number, col = 1): SourcePos => included.get(line) ?? opts.origins?.[line - 1] ?? { file: opts.file, line, col };
  const add = (code: string, line: number, message: string, severity: Severity = 'error', col = 1): void => {
    out.push({ code, severity, message, host: opts.host, pos: at(line, col) });
  };
  const l: Lint = { os, key: versionKey(os), opts, add, at };
  const top = parseKickstart(text);
  for (const p of top.problems) add(p.code, p.line, p.message, 'error', p.col);
  const ks = withIncludes(top, text.split('\n').length + 1, included, l);
  const seen = new Map<string, number>();
  for (const cmd of ks.commands) lintCommand(cmd, seen, l);
  // what an unresolved include may hold cannot be known: the checks on the whole file are left out
  if (ks.unresolved === 0) lintRequired(ks, text.split('\n').length, l);
  lintSections(ks.sections, l);
  if (opts.expectTeam && hasTeaming(os) && !ks.commands.some((c) => c.name === 'network' && optionValue(c, '--device') === opts.expectTeam!.device)) {
    add('KS_TEAM_MISSING', 1, `no network line for team ${opts.expectTeam.device}`);
  }
  return out;
}

/** withIncludes adds the commands and sections of every %include found beside the file, numbering their lines past its end. */
function withIncludes(top: ReturnType<typeof parseKickstart>, first: number, included: Map<number, SourcePos>, l: Lint): { commands: KsCommand[]; sections: KsSection[]; unresolved: number } {
  const commands: KsCommand[] = [...top.commands];
  const sections: KsSection[] = [...top.sections];
  let unresolved = 0;
  let next = first;
  for (const inc of top.includes) {
    const body = l.opts.readInclude?.(inc.path);
    if (body === undefined) {
      unresolved++;
      l.add('KS_INCLUDE_UNRESOLVED', inc.line, `${inc.path} is not beside the file: the checks for source, rootpw, partitioning and %packages cannot be made`, 'note');
      continue;
    }
    const sub = parseKickstart(body);
    const base = next;
    sub.commands.forEach((c) => commands.push({ ...c, line: c.line + base }));
    sub.sections.forEach((x) => sections.push({ ...x, line: x.line + base, body: x.body.map((b) => ({ ...b, line: b.line + base })) }));
    body.split('\n').forEach((_, i) => included.set(base + i + 1, { file: inc.path, line: i + 1, col: 1 }));
    for (const p of sub.problems) l.add(p.code, p.line + base, p.message, 'error', p.col);
    next += body.split('\n').length + 1;
  }
  return { commands, sections, unresolved };
}

/** lintCommand checks one command line: known in this version, given once, its shape and every option. */
function lintCommand(cmd: KsCommand, seen: Map<string, number>, l: Lint): void {
  const { os, key, add, at } = l;
  if (cmd.midWordHash !== undefined) {
    add('KS_INLINE_HASH', cmd.line, `a # inside a word starts a comment here, cutting "${cmd.raw.trim().slice(0, 60)}" short: quote the value`, 'error', cmd.midWordHash);
  }
  if (cmd.broken) return;
  const rule = COMMAND_TABLE[cmd.name];
  const status = commandStatus(rule, key);
  if (status === 'unknown') {
    add('KS_UNKNOWN_COMMAND', cmd.line, `${os.name} does not know the command "${cmd.name}"${rule ? ` (it exists in: ${rule.v})` : ''}`);
    return;
  }
  if (status === 'removed') {
    add('KS_REMOVED_COMMAND', cmd.line, `the command "${cmd.name}" was removed before ${os.name}`);
    return;
  }
  if (status === 'deprecated') add('KS_DEPRECATED_COMMAND', cmd.line, `the command "${cmd.name}" is deprecated in ${os.name} and has no effect`, 'warning');
  const prev = seen.get(cmd.name);
  if (prev !== undefined && ONCE.has(cmd.name)) add('KS_DUPLICATE_COMMAND', cmd.line, `"${cmd.name}" is given again (first on line ${at(prev).line}); the last one wins`, 'warning');
  seen.set(cmd.name, prev ?? cmd.line);
  if (rule!.raw) return;
  const all = optionNames(rule!);
  for (const p of checkShape(cmd, all, key)) add(p.code, cmd.line, p.message);
  for (let i = 1; i < cmd.words.length; i++) lintOption(cmd, i, rule!, all, l);
  if (cmd.name === 'network') lintNetwork(cmd, os, l.opts, add);
}

function lintOption(cmd: KsCommand, i: number, rule: NonNullable<(typeof COMMAND_TABLE)[string]>, all: ReturnType<typeof optionNames>, l: Lint): void {
  const { os, key, add } = l;
  const w = cmd.words[i]!;
  if (!/^--?[A-Za-z]/.test(w)) return;
  // a word after an option that takes a value is that value, even when it starts with a dash
  const before = cmd.words[i - 1] ?? '';
  if (i > 1 && /^--?[A-Za-z][^=]*$/.test(before) && !w.startsWith('--')) return;
  const name = w.split('=')[0]!;
  // argparse accepts any unambiguous prefix of a long option
  const full = resolveOption(all, name);
  const resolved = typeof full === 'string' ? full : undefined;
  if (!resolved) {
    add('KS_UNKNOWN_OPTION', cmd.line, `${cmd.name} has no option ${name}${typeof full !== 'string' && full.length > 1 ? ` (ambiguous: ${full.join(', ')})` : ''}`);
    return;
  }
  if (resolved === '--isUtc' && optionStatus(rule, resolved, key) === 'ok') {
    add('KS_ISUTC', cmd.line, 'timezone --isUtc: write --utc, which every version accepts (--isUtc fails on newer ones)', 'warning');
    return;
  }
  if ((resolved === '--teamslaves' || resolved === '--teamconfig') && !hasTeaming(os)) {
    add('KS_TEAM_UNSUPPORTED', cmd.line, `${os.name} has no teaming: ${resolved} is ignored by the installer (use a bond)`, 'warning');
    return;
  }
  const st = optionStatus(rule, resolved, key);
  if (st === 'unknown') add('KS_OPTION_VERSION', cmd.line, `${cmd.name} ${resolved} is not known to ${os.name}`);
  else if (st === 'deprecated') add('KS_DEPRECATED_OPTION', cmd.line, `${cmd.name} ${resolved} is deprecated in ${os.name} and ignored`, 'warning');
}

/** lintRequired is what the installer needs from the file as a whole: a source, rootpw, partitioning, %packages. */
function lintRequired(ks: { commands: KsCommand[]; sections: KsSection[] }, lastLine: number, l: Lint): void {
  const { add } = l;
  const has = (names: string[]): boolean => ks.commands.some((c) => names.includes(c.name));
  // the source may also come from the boot line (inst.repo=) or the boot media: unusual, not a stop
  if (!has(SOURCES)) add('KS_NO_SOURCE', 1, 'no installation source (url, cdrom, nfs, harddrive, liveimg ...): it must come from the boot line (inst.repo=) or the boot media', 'warning');
  // in cmdline mode a missing root password locks root; the other modes stop at the hub and ask
  if (!has(['rootpw', 'user', 'sshkey']) && !has(['cmdline'])) add('KS_NO_ROOTPW', 1, 'no rootpw (or user): the install would stop and ask');
  if (!has(PARTITIONING)) add('KS_NO_PARTITIONING', 1, 'no partitioning (autopart, part, reqpart ...): the install would stop and ask');
  if (!ks.sections.some((s) => s.name === '%packages') && !has(IMAGE_SOURCES)) add('KS_NO_PACKAGES', lastLine, 'no %packages section: the default package set is installed', 'warning');
}

/** lintSections checks section names, their options in this version, and the environment groups %packages names. */
function lintSections(sections: KsSection[], l: Lint): void {
  const { os, key, add } = l;
  for (const s of sections) if (!KNOWN_SECTIONS.has(s.name)) add('KS_UNKNOWN_SECTION', s.line, `unknown section ${s.name}`);
  for (const s of sections) {
    const spec = SECTION_OPTIONS[s.name]?.find((x) => inSpec(x.v, key));
    if (!spec) continue;
    for (const a of s.args) {
      if (!/^--?[A-Za-z]/.test(a)) continue;
      const name = resolveOption(spec.o, a.split('=')[0]!);
      if (typeof name !== 'string') add('KS_UNKNOWN_OPTION', s.line, `${s.name} has no option ${a.split('=')[0]} in ${os.name}${name.length > 1 ? ` (ambiguous: ${name.join(', ')})` : ''}`);
    }
  }
  for (const s of sections.filter((x) => x.name === '%packages')) {
    for (const b of s.body) {
      const m = /^\s*@\^([^#]*)/.exec(b.text);
      if (!m) continue;
      const env = m[1]!.trim();
      const known = environmentKnown(env, os);
      if (known === 'unknown-id')
        add(
          'KS_UNKNOWN_GROUP',
          b.line,
          `${os.name} has no environment group @^${env}${os.family === 'rhel' && os.major === 7 ? '' : ' (after EL 7 the ids end in -environment, e.g. @^minimal-environment)'}`,
        );
      else if (known === 'unknown-name') add('KS_UNKNOWN_GROUP', b.line, `"@^${env}" is no environment name ${os.name} ships (a repo of your own may add it)`, 'warning');
    }
  }
}

function lintNetwork(cmd: KsCommand, os: OsTarget, opts: LintOptions, add: (code: string, line: number, message: string, severity?: Severity) => void): void {
  const device = optionValue(cmd, '--device');
  if (device && /^([0-9A-Fa-f]{1,2}[:-]){2,}/.test(device) && !MAC_RE.test(device)) add('KS_MAC_FORMAT', cmd.line, `network --device=${device} is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  const ip = optionValue(cmd, '--ip');
  const mask = optionValue(cmd, '--netmask');
  const gw = optionValue(cmd, '--gateway');
  if (optionValue(cmd, '--bootproto') === 'static' && !ip) add('KS_STATIC_NO_IP', cmd.line, 'network --bootproto=static without --ip');
  for (const [o, v] of [
    ['--ip', ip],
    ['--gateway', gw],
  ] as const) {
    if (v !== undefined && ipToInt(v) === undefined) add('KS_BAD_IP', cmd.line, `network ${o}=${v} is not an IPv4 address`);
  }
  if (ip && mask && gw && !opts.addressesChecked) {
    const c = parseCidr(`${ip}/${mask.split('.').reduce((n, p) => n + (Number(p) >>> 0).toString(2).replace(/0/g, '').length, 0)}`);
    const g = parseCidr(`${gw}/${c?.prefix ?? 32}`);
    // a /32 with a gateway outside it is a point-to-point setup; elsewhere NetworkManager still adds the route
    if (c && g && c.prefix < 32 && c.network !== g.network) add('KS_GATEWAY_OUTSIDE', cmd.line, `gateway ${gw} is outside ${c.network}/${c.prefix}`, 'warning');
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
