import { bondFromTeam, type BondPlan } from '../guest/bond-fallback.ts';
import type { KickstartGuest as Guest, GuestNic } from '../guest/schema.ts';
import { atLeast, hasTeaming, type OsTarget } from './os-target.ts';
import { parseCidr } from '../template/ipaddr.ts';
import { ksQuote, spellTeamSlaves } from './team-spelling.ts';
import { pyJson } from '../py/json.ts';
import { installerTeamConfig, portConfig, portProfileName, teamdConfig } from '../guest/teamd-config.ts';

/** ShapingEntry is one team port with libvirt <bandwidth>: host-side limits and the guest's tc lines. */
export interface ShapingEntry {
  nic: string;
  mac: string;
  network: string;
  host_inbound: string | null;
  host_outbound: string | null;
  tc: string[];
}

/** KsContext is everything the kickstart templates see; absent values are null so strict mode holds. */
export interface KsContext {
  host: string;
  os: { name: string; family: string; major: number; spelled: string; alias: boolean };
  guest: Guest;
  ks: {
    timezone: string;
    timesources: string[];
    rootpw: string;
    sshkey_lines: string[];
    /** EL 7 has no `sshkey` command: the keys go to authorized_keys in %post */
    post_ssh_keys: string[];
    disk_lines: string[];
    repo_lines: string[];
    packages: string[];
  };
  net: {
    device: string;
    bond: boolean;
    ip_opts: string;
    teamslaves: string | null;
    teamconfig: string | null;
    teamslaves_raw: string | null;
    teamconfig_raw: string | null;
    bondslaves: string | null;
    bondopts: string | null;
    nm_profile_json: string | null;
    ports: { nic: string; mac: string; config_json: string; con: string }[];
    /** nmcli words that make a port profile of this OS's NetworkManager */
    port_type_args: string;
    nm_ipv4_args: string;
    ip_summary: string;
  };
  shaping: ShapingEntry[];
  warnings: string[];
}

function bwText(d: { average: number; peak?: number | undefined; burst?: number | undefined } | undefined): string | null {
  if (!d) return null;
  return [`average=${d.average} KiB/s`, d.peak && `peak=${d.peak} KiB/s`, d.burst && `burst=${d.burst} KiB`].filter(Boolean).join(' ');
}

/**
 * shapingFor writes a port's guest-side egress shaping with the numbers of the host tap's
 * <bandwidth outbound>, in the units libvirt itself hands to tc (`kbps` = KiB/s here, `kb` = KiB).
 */
function shapingFor(nic: GuestNic): ShapingEntry | null {
  const bw = nic.bandwidth;
  if (!bw || (!bw.inbound && !bw.outbound)) return null;
  const out = bw.outbound;
  const tc = out
    ? [
        `tc qdisc replace dev ${nic.name} root handle 1: htb default 1`,
        `tc class replace dev ${nic.name} parent 1: classid 1:1 htb rate ${out.average}kbps ceil ${out.peak ?? out.average}kbps${out.burst ? ` burst ${out.burst}kb` : ''}`,
      ]
    : [];
  return { nic: nic.name, mac: nic.mac.toLowerCase(), network: nic.network, host_inbound: bwText(bw.inbound), host_outbound: bwText(out), tc };
}

function diskLines(g: Guest): string[] {
  const d = g.disk.device;
  const lines = [`ignoredisk --only-use=${d}`, 'zerombr', `clearpart --all --initlabel --drives=${d}`, `bootloader --location=mbr --boot-drive=${d}`];
  if (g.disk.layout === 'auto') lines.push('autopart --type=lvm');
  else if (g.disk.layout === 'plain') lines.push('autopart --type=plain');
  else {
    for (const p of g.disk.partitions) {
      // the EFI system partition must be fstype efi (vfat marked as ESP); xfs there fails the install
      const fs = p.mount === 'swap' ? '' : p.mount === 'biosboot' ? ' --fstype=biosboot' : ` --fstype=${p.fstype ?? (p.mount === '/boot/efi' ? 'efi' : 'xfs')}`;
      lines.push(`part ${p.mount}${fs} --size=${p.size}${p.grow ? ' --grow' : ''} --ondisk=${d}`);
    }
  }
  return lines;
}

/** envGroup is the minimal install environment's comps id, which was renamed after EL 7. */
export function envGroup(os: OsTarget): string {
  return os.family === 'rhel' && os.major === 7 ? '@^minimal' : '@^minimal-environment';
}

/** buildContext turns a validated guest into the template view model, choosing per-version spellings. */
export function buildContext(host: string, g: Guest, os: OsTarget): KsContext {
  const warnings: string[] = [];
  const team = g.team;
  const teaming = hasTeaming(os);
  let bond: BondPlan | null = null;
  if (!teaming) {
    bond = bondFromTeam(team);
    warnings.push(`${os.name} has no teaming: ${team.device} becomes bond ${bond.device} (${bond.options.join(',')})`, ...bond.warnings);
  }
  const device = bond ? bond.device : team.device;

  const ip = team.ipv4;
  let ipOpts: string;
  let nmIpv4: string;
  let ipSummary: string;
  if (ip.method === 'static') {
    const c = parseCidr(ip.address)!;
    ipOpts = `--bootproto=static --ip=${c.address} --netmask=${c.netmask}`;
    if (ip.gateway) ipOpts += ` --gateway=${ip.gateway}`;
    nmIpv4 = `ipv4.method manual ipv4.addresses ${ip.address}${ip.gateway ? ` ipv4.gateway ${ip.gateway}` : ''}`;
    ipSummary = `static ${ip.address}${ip.gateway ? ` via ${ip.gateway}` : ''}`;
  } else {
    ipOpts = '--bootproto=dhcp';
    nmIpv4 = 'ipv4.method auto';
    ipSummary = 'dhcp';
  }
  if (ip.dns.length) {
    ipOpts += ` --nameserver=${ip.dns.join(',')}`;
    nmIpv4 += ` ipv4.dns ${ip.dns.join(',')}`;
  }

  const macOf = (name: string): string => (g.nics.find((n) => n.name === name)?.mac ?? '').toLowerCase();
  const slavesRaw = teaming ? spellTeamSlaves(team.ports.map((p) => ({ name: p.nic, config: portConfig(p) }))) : null;
  const configRaw = teaming ? pyJson(installerTeamConfig(team)) : null;

  // NM keeps the team port's type name per version: team-slave until NM 1.2x, ethernet + slave-type after
  const oldNm = os.family === 'rhel' && os.major === 7;
  const portTypeArgs = bond ? `type ethernet master ${device} slave-type bond` : oldNm ? `type team-slave master ${device}` : `type ethernet master ${device} slave-type team`;

  const ntpOld = g.timeservers.length > 0 && !atLeast(os, { rhel: 9, fedora: 33 });
  const keysByCommand = atLeast(os, { rhel: 8, fedora: 22 });
  const shaping = team.ports.map((p) => g.nics.find((n) => n.name === p.nic)).flatMap((n) => (n ? (shapingFor(n) ?? []) : []));
  // tc moved out of iproute into iproute-tc after EL 7 / Fedora 27
  const tcPkg = shaping.length > 0 && atLeast(os, { rhel: 8, fedora: 28 }) ? ['iproute-tc'] : [];
  const packages = [envGroup(os), ...(bond ? [] : ['teamd', 'NetworkManager-team']), ...tcPkg, ...g.packages].filter((p, i, a) => a.indexOf(p) === i);

  return {
    host,
    os: { name: os.name, family: os.family, major: os.major, spelled: os.spelled, alias: os.spelled.toLowerCase() !== os.name },
    guest: g,
    ks: {
      timezone: `timezone ${ksQuote(g.timezone)} --utc${ntpOld ? ` --ntpservers=${g.timeservers.join(',')}` : ''}`,
      timesources: ntpOld ? [] : g.timeservers.map((s) => `timesource --ntp-server=${ksQuote(s)}`),
      rootpw: `rootpw --iscrypted ${ksQuote(g.root.password_hash)}`,
      sshkey_lines: keysByCommand ? g.root.ssh_keys.map((k) => `sshkey --username=root ${ksQuote(k)}`) : [],
      post_ssh_keys: keysByCommand ? [] : g.root.ssh_keys,
      disk_lines: diskLines(g),
      repo_lines: g.repos.map((r) => `repo --name=${ksQuote(r.name)} --baseurl=${ksQuote(r.url)}`),
      packages,
    },
    net: {
      device,
      bond: bond !== null,
      ip_opts: ipOpts,
      teamslaves: slavesRaw !== null ? ksQuote(slavesRaw) : null,
      teamconfig: configRaw !== null ? ksQuote(configRaw) : null,
      teamslaves_raw: slavesRaw,
      teamconfig_raw: configRaw,
      bondslaves: bond ? bond.ports.join(',') : null,
      bondopts: bond ? bond.options.join(',') : null,
      nm_profile_json: bond ? null : pyJson(teamdConfig(team)),
      ports: team.ports.map((p) => ({ nic: p.nic, mac: macOf(p.nic), config_json: pyJson(portConfig(p)), con: portProfileName(device, p.nic) })),
      port_type_args: portTypeArgs,
      nm_ipv4_args: nmIpv4,
      ip_summary: ipSummary,
    },
    shaping,
    warnings,
  };
}
