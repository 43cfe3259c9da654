// The lab's fixed shape: which hypervisors and guests exist, their ports, addresses and MACs.
// Fixed (not generated) so inventories/lab/ can be a plain checked-in inventory.

/** HypervisorSpec describes one hypervisor namespace. */
export interface HypervisorSpec {
  readonly name: string;
  /** 1-based; picks the subnet 10.61.<index>.0/24 and the loopback port 2200+index */
  readonly index: number;
  readonly netns: string;
  /** loopback port in the root namespace that reaches this hypervisor's sshd */
  readonly sshPort: number;
  readonly bridge: string;
  readonly network: string;
  readonly bridgeAddress: string;
  readonly prefix: number;
}

/** GuestSpec describes one guest VM. */
export interface GuestSpec {
  readonly name: string;
  readonly hypervisor: string;
  /** address of the management NIC (eth0), inside the hypervisor's namespace only */
  readonly address: string;
  /** address the smoke test gives the team made of eth1+eth2 */
  readonly teamAddress: string;
  /** eth0 (management), eth1, eth2 (free for a team) */
  readonly macs: readonly [string, string, string];
  readonly memoryMiB: number;
  /** TCG's code cache, as inventories/lab/hosts.yml gives it (vm_domain.tb_cache) */
  readonly tbCacheMiB: number;
}

function hv(index: number): HypervisorSpec {
  return {
    name: `hv${index}`,
    index,
    netns: `tsplay-hv${index}`,
    sshPort: 2200 + index,
    bridge: 'labbr0',
    network: 'lab',
    bridgeAddress: `10.61.${index}.1`,
    prefix: 24,
  };
}

function guest(index: number, hvIndex: number): GuestSpec {
  const mac = (nic: number): string => `52:54:00:61:${hvIndex.toString(16).padStart(2, '0')}:${(index * 16 + nic).toString(16).padStart(2, '0')}`;
  return {
    name: `vm${index}`,
    hypervisor: `hv${hvIndex}`,
    address: `10.61.${hvIndex}.${10 + index}`,
    teamAddress: `10.61.${hvIndex}.${20 + index}`,
    macs: [mac(0), mac(1), mac(2)],
    memoryMiB: 768,
    tbCacheMiB: 1024,
  };
}

/** HYPERVISORS lists the lab's hypervisors. */
export const HYPERVISORS: readonly HypervisorSpec[] = [hv(1), hv(2)];

/** GUESTS lists the lab's guests, one per hypervisor. */
export const GUESTS: readonly GuestSpec[] = [guest(1, 1), guest(2, 2)];

/** hypervisorOf returns the hypervisor a guest runs on. */
export function hypervisorOf(g: GuestSpec): HypervisorSpec {
  const h = HYPERVISORS.find((x) => x.name === g.hypervisor);
  if (!h) throw new Error(`guest ${g.name}: unknown hypervisor ${g.hypervisor}`);
  return h;
}
