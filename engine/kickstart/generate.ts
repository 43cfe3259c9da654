import { dirname } from 'node:path';
import { type SourcePos, TsplayError, TsplayErrors } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import { formatVarPath, installModeOf, isKickstartGuest, kickstartIssues, type KickstartGuest, parseGuestParts } from '../guest/schema.ts';
import { openInventory, locateVar, sourcePaths, yamlFiles } from './inventory-source.ts';
import { buildContext } from './ks-context.ts';
import { findingToError, type Finding } from './lint/finding.ts';
import { lintGuests, type GuestEntry, type NetworkDefs } from './lint/lint-guests.ts';
import { lintKickstart } from './lint/lint-kickstart.ts';
import { hasTeaming, type OsTarget, parseOsTarget } from './os-target.ts';
import { baseUrl, bootNic, IPXE_CHAIN, kernelArgs, pxeFiles, type PxeFile } from './pxe.ts';
import { INDEX_FILE, indexContent, type IndexEntry } from './index-file.ts';
import { renderKickstart, templateDirs } from './render.ts';
import { installerTeamConfig, portConfig } from '../guest/teamd-config.ts';

/** GenerateOptions are the inputs of `tsplay kickstart` generation. */
export interface GenerateOptions {
  readonly inventories: readonly string[];
  readonly limit?: string | undefined;
  readonly templates?: string | undefined;
  readonly cwd: string;
}

/** GuestOutput is one selected guest's files and its index.json entry. */
export interface GuestOutput {
  readonly host: string;
  readonly files: PxeFile[];
  readonly index: IndexEntry;
}

/** GeneratedTree is what generation produced: per selected guest its files, the shared files, the warnings met. */
export interface GeneratedTree {
  /** the guests -l selected (every guest without -l), in inventory order */
  readonly guests: GuestOutput[];
  /** every host with a `guest` variable, selected or not (all of them were checked) */
  readonly known: string[];
  /** whether -l narrowed what is written */
  readonly limited: boolean;
  /** files every tree has whatever the guests (ipxe/boot.ipxe) */
  readonly shared: PxeFile[];
  /** the tree as written into an empty DIR: the guests' files, the shared files and index.json, in a stable order */
  readonly files: PxeFile[];
  /** the selected hosts */
  readonly hosts: string[];
  readonly warnings: Finding[];
}

export { INDEX_FILE };

/**
 * generateTree checks every guest's data (schema, cross-field and across guests: -l narrows what is
 * written, never what is checked), then renders and lints the selected guests' kickstarts and PXE
 * entries. Data errors (E_KS_DATA) and lint errors (E_KS_LINT) are all collected and thrown together:
 * nothing is returned, so nothing can be written, unless every guest is clean.
 */
export async function generateTree(opts: GenerateOptions): Promise<GeneratedTree> {
  const inventory = await openInventory(opts.inventories, opts.cwd);
  const sources = sourcePaths(opts.inventories, opts.cwd);
  const files = sources.flatMap((s) => yamlFiles(s));
  const beside = sources.map((s) => dirname(s));
  const dirs = templateDirs({ besideInventory: beside, cwd: opts.cwd, extra: opts.templates });

  // image-mode guests boot a base image: they have no kickstart to generate or lint
  const known = [...inventory.hosts.keys()].filter((h) => inventory.hostVars(h)['guest'] !== undefined && installModeOf(inventory.hostVars(h)) !== 'image');
  let hosts = known;
  if (opts.limit) {
    const allowed = new Set(inventory.match(opts.limit));
    hosts = known.filter((h) => allowed.has(h));
  }
  const selected = new Set(hosts);
  if (hosts.length === 0) {
    throw new TsplayError({ code: 'E_KS_DATA', message: `no host${opts.limit ? ` matching "${opts.limit}"` : ''} has a \`guest\` variable to generate a kickstart from` });
  }

  const errors: TsplayError[] = [];
  const warnings: Finding[] = [];
  const entries: GuestEntry[] = [];
  const guests: GuestOutput[] = [];
  let networks: NetworkDefs = {};
  for (const host of known) {
    const vars: Vars = inventory.hostVars(host);
    const nets = vars['libvirt_networks'] && typeof vars['libvirt_networks'] === 'object' ? (vars['libvirt_networks'] as NetworkDefs) : undefined;
    if (nets) networks = { ...networks, ...nets };
    const locate = (path: (string | number)[]) => locateVar(files, host, path) ?? inventory.hosts.get(host)?.pos;
    const dataError = (path: (string | number)[], message: string): void => {
      errors.push(new TsplayError({ code: 'E_KS_DATA', message: `${formatVarPath(path)}: ${message}`, pos: locate(path), host }));
    };
    const parsed = parseGuestParts(vars);
    for (const i of [...parsed.issues, ...kickstartIssues(vars)]) dataError(i.path, i.message);
    const osParsed = parsed.parts.os === undefined ? undefined : parseOsTarget(parsed.parts.os);
    if (osParsed && 'error' in osParsed) dataError(['os'], osParsed.error);
    const os = osParsed && !('error' in osParsed) ? osParsed : undefined;
    entries.push({ host, guest: parsed.parts, os, networkNames: nets ? Object.keys(nets) : undefined, locate });
    const g = parsed.guest;
    if (!g || !os || !isKickstartGuest(g)) continue;
    if (!hasTeaming(os) && g.team_fallback === 'refuse') {
      dataError(['team_fallback'], `${os.name} has no teaming and team_fallback is "refuse": use a bond (team_fallback: bond) or an OS with teamd`);
      continue;
    }
    if (!selected.has(host)) continue;
    const out = renderGuest(host, g, os, dirs, { locate, dataError, errors, warnings });
    if (out) guests.push(out);
  }
  for (const f of lintGuests(entries, networks)) errors.push(findingToError(f));
  if (errors.length > 0) throw new TsplayErrors(errors);
  const shared = [{ path: 'ipxe/boot.ipxe', content: IPXE_CHAIN }];
  const written = [...guests.flatMap((g) => g.files), ...shared];
  const index = indexContent(Object.fromEntries(guests.map((g) => [g.host, g.index])), written);
  return { guests, known, limited: opts.limit !== undefined, shared, files: [...written, { path: INDEX_FILE, content: index }], hosts, warnings };
}

/** GuestSink is where renderGuest reports: data errors at their inventory place, lint errors and warnings. */
interface GuestSink {
  readonly locate: (path: (string | number)[]) => SourcePos | undefined;
  readonly dataError: (path: (string | number)[], message: string) => void;
  readonly errors: TsplayError[];
  readonly warnings: Finding[];
}

/** renderGuest renders and lints one selected guest's kickstart and its PXE entries; undefined when its data cannot be rendered. */
function renderGuest(host: string, g: KickstartGuest, os: OsTarget, dirs: string[], sink: GuestSink): GuestOutput | undefined {
  const { locate, dataError, errors, warnings } = sink;
  let ctx: ReturnType<typeof buildContext>;
  try {
    ctx = buildContext(host, g, os);
  } catch (e) {
    dataError(['team', 'ports'], (e as Error).message);
    return undefined;
  }
  for (const w of ctx.warnings) warnings.push({ code: 'KS_TEAM_FALLBACK', severity: 'warning', message: w, host, pos: locate(['team']) });
  const rendered = renderKickstart(ctx, dirs, host);
  const ksPath = `ks/${host}.ks`;
  const expectTeam = hasTeaming(os) ? { device: g.team.device, ports: g.team.ports.map((p) => ({ name: p.nic, config: portConfig(p) })), config: installerTeamConfig(g.team) } : undefined;
  const findings = lintKickstart(rendered.text, os, { host, file: ksPath, origins: rendered.origins, expectTeam, addressesChecked: true });
  for (const f of findings) f.severity === 'error' ? errors.push(findingToError(f)) : warnings.push(f);
  const pxe = pxeFiles(host, g, os);
  const nic = bootNic(g);
  return {
    host,
    files: [{ path: ksPath, content: rendered.text }, ...pxe],
    index: {
      os: os.name,
      hostname: g.hostname,
      boot_nic: nic.name,
      boot_mac: nic.mac.toLowerCase(),
      next_server: g.pxe.next_server,
      kernel: g.pxe.kernel,
      initrd: g.pxe.initrd,
      ks_url: `${baseUrl(g)}/${ksPath}`,
      kernel_args: kernelArgs(host, g, os),
      files: [ksPath, ...pxe.map((f) => f.path)],
    },
  };
}
