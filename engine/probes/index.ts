// Every probe parser by a stable name, so data tests (and tools) can pick one from a file.
import type { ProbeOutput } from './types.ts';
import * as virsh from './virsh.ts';
import * as tc from './tc.ts';
import * as ip from './ip.ts';
import * as bridge from './bridge.ts';
import * as nmcli from './nmcli.ts';
import * as teamdctl from './teamdctl.ts';
import * as systemctl from './systemctl.ts';

export { readProbes, type ProbeValues } from './batch.ts';
export type { Probe, ProbeOutput } from './types.ts';
export { virsh, tc, ip, bridge, nmcli, teamdctl, systemctl };

/** ParserArgs carries the extra inputs a few parsers need (the unit list of systemctl). */
export interface ParserArgs {
  readonly units?: readonly string[];
}

/** PARSERS maps a probe name to its pure parser. */
export const PARSERS: Readonly<Record<string, (args: ParserArgs) => (out: ProbeOutput) => unknown>> = {
  'virsh.list': () => virsh.parseList,
  'virsh.dominfo': () => virsh.parseDominfo,
  'virsh.domstate': () => virsh.parseDomstate,
  'virsh.domiflist': () => virsh.parseDomiflist,
  'virsh.dumpxml': () => virsh.parseDomainXml,
  'virsh.net-list': () => virsh.parseNetList,
  'virsh.net-dumpxml': () => virsh.parseNetworkXml,
  'virsh.net-info': () => virsh.parseNetInfo,
  'virsh.net-dhcp-leases': () => virsh.parseDhcpLeases,
  'virsh.domiftune': () => virsh.parseDomiftune,
  'tc.qdisc': () => tc.parseQdiscs,
  'tc.class': () => tc.parseClasses,
  'tc.filter': () => tc.parseFilters,
  'ip.link': () => ip.parseLinks,
  'ip.addr': () => ip.parseAddrs,
  'ip.netns': () => ip.parseNetnsList,
  'ip.netns-pids': () => ip.parseNetnsPids,
  'bridge.fdb': () => bridge.parseFdb,
  'bridge.link': () => bridge.parseBridgeLinks,
  'bridge.ageing': () => bridge.parseAgeing,
  'nmcli.connections': () => nmcli.parseConnectionList,
  'nmcli.devices': () => nmcli.parseDeviceStatus,
  'nmcli.connection': () => nmcli.parseConnection,
  'nmcli.profiles': () => nmcli.parseProfiles,
  'teamdctl.state': () => teamdctl.parseTeamState,
  'teamdctl.config': () => teamdctl.parseTeamConfig,
  'teamdctl.port-config': () => teamdctl.parseTeamConfig,
  'systemctl.is-active': (a) => systemctl.parseUnitWords(a.units ?? []),
  'systemctl.is-enabled': (a) => systemctl.parseUnitWords(a.units ?? []),
};
