import type { GuestTeam } from './schema.ts';

/** BondPlan is the bond that replaces a team where teaming is gone (RHEL 10). */
export interface BondPlan {
  readonly device: string;
  readonly ports: string[];
  /** `k=v` bonding options, in the order they are written */
  readonly options: string[];
  readonly warnings: string[];
}

const MODE: Record<GuestTeam['runner'], string> = {
  activebackup: 'active-backup',
  roundrobin: 'balance-rr',
  loadbalance: 'balance-xor',
  lacp: '802.3ad',
  broadcast: 'broadcast',
  random: 'balance-rr',
};

// bonding checks links every miimon ms and wants updelay/downdelay as multiples of it
const MIIMON = 100;
const roundUp = (ms: number): number => Math.ceil(ms / MIIMON) * MIIMON;

/**
 * bondFromTeam maps a team onto a bond with the same meaning: the highest-prio port becomes
 * `primary` (teamd's activebackup picks the highest prio), a sticky port keeps the active role until
 * it fails (`primary_reselect=failure`), and the link watcher becomes miimon or ARP/NS monitoring.
 */
export function bondFromTeam(team: GuestTeam): BondPlan {
  const warnings: string[] = [];
  const device = team.device.startsWith('team') ? team.device.replace(/^team/, 'bond') : team.device;
  const mode = MODE[team.runner];
  const options = [`mode=${mode}`];
  if (team.runner === 'random') warnings.push('runner random has no bonding equivalent; using balance-rr');
  if (team.runner === 'loadbalance') warnings.push('runner loadbalance becomes balance-xor (static hashing, no active tx balancing)');
  if (mode === 'active-backup') {
    const best = [...team.ports].sort((a, b) => (b.prio ?? 0) - (a.prio ?? 0))[0];
    if (best) options.push(`primary=${best.nic}`);
    options.push(`primary_reselect=${team.ports.some((p) => p.sticky) ? 'failure' : 'always'}`);
  } else if (team.ports.some((p) => p.prio !== undefined || p.sticky !== undefined)) {
    warnings.push(`port prio/sticky have no meaning for bond mode ${mode} and are dropped`);
  }
  const ro = team.runner_options;
  if (team.runner === 'lacp' && ro['fast_rate'] === true) options.push('lacp_rate=fast');
  const txHash = ro['tx_hash'];
  if ((mode === 'balance-xor' || mode === '802.3ad') && Array.isArray(txHash)) {
    options.push(`xmit_hash_policy=${txHash.includes('l4') ? 'layer3+4' : txHash.includes('ipv4') || txHash.includes('l3') ? 'layer2+3' : 'layer2'}`);
  }
  const watches = Array.isArray(team.link_watch) ? team.link_watch : [team.link_watch];
  if (watches.length > 1) warnings.push('a bond has one link monitor; only the first link_watch is used');
  const lw = watches[0]!;
  if (lw.name === 'ethtool') {
    options.push(`miimon=${MIIMON}`);
    if (lw.delay_up) options.push(`updelay=${roundUp(lw.delay_up)}`);
    if (lw.delay_down) options.push(`downdelay=${roundUp(lw.delay_down)}`);
  } else {
    options.push(`arp_interval=${lw.interval ?? 1000}`);
    options.push(lw.name === 'arp_ping' ? `arp_ip_target=${lw.target_host}` : `ns_ip6_target=${lw.target_host}`);
    if (lw.missed_max !== undefined) options.push(`arp_missed_max=${lw.missed_max}`);
    if (lw.name === 'arp_ping' && (lw.validate_active || lw.validate_inactive)) {
      options.push(`arp_validate=${lw.validate_active && lw.validate_inactive ? 'all' : lw.validate_active ? 'active' : 'backup'}`);
    }
  }
  return { device, ports: team.ports.map((p) => p.nic), options, warnings };
}
