// Per-hypervisor file locations and the nsenter prefix that runs a command "on" a hypervisor.
import { join } from 'node:path';
import { statePath } from './paths.ts';
import type { HypervisorSpec } from './topology.ts';

/** NS_DIR holds the bind-mounted mount-namespace files (a private mount, like /run/netns). */
export const NS_DIR = '/run/tsplay-lab/ns';

/**
 * HV_OWN_ETC are the /etc folders a hypervisor has to itself (bind mounts of its own copies): what
 * site.yml's kvm-host role writes besides /etc/libvirt — init scripts and their rc links (no
 * systemd as PID 1 here), sysctl files, /etc/default — and /etc/tsplay (virt_network's ageing files).
 */
export const HV_OWN_ETC = ['init.d', 'rc0.d', 'rc1.d', 'rc2.d', 'rc3.d', 'rc4.d', 'rc5.d', 'rc6.d', 'rcS.d', 'sysctl.d', 'default', 'tsplay'] as const;

/**
 * HV_OWN_VAR are the folders under /var a hypervisor has to itself besides libvirt's (bind mounts of
 * its own empty folder, removed by `down`): /var/lib/tsplay holds the kickstarts virt_install
 * injects (engine/modules/virt/install-plan.ts KS_DIR), which two hypervisors must not share.
 */
export const HV_OWN_VAR = ['/var/lib/tsplay'] as const;

/** HV_IMAGE is where `lab up` places the base guest image, kernel and initrd on every hypervisor (paths inside it). */
export const HV_IMAGE = {
  disk: '/var/lib/libvirt/images/tsplay-base.qcow2',
  kernel: '/var/lib/libvirt/images/tsplay-vmlinuz',
  initrd: '/var/lib/libvirt/images/tsplay-initrd.img',
} as const;

/** HV_DAEMON_PIDS are the pid files the kvm-host role's init scripts give the daemons (in the hypervisor's own /run/libvirt). */
export const HV_DAEMON_PIDS = { libvirtd: '/run/libvirt/libvirtd.pid', virtlogd: '/run/libvirt/virtlogd.pid' } as const;

/** HvPaths are the files one hypervisor's daemons use. */
export interface HvPaths {
  readonly dir: string;
  readonly mountNs: string;
  readonly etc: string;
  readonly lib: string;
  readonly log: string;
  readonly cache: string;
  readonly home: string;
  /** the hypervisor's own copy of /etc/NAME (HV_OWN_ETC) */
  readonly ownEtc: (name: string) => string;
  /** the hypervisor's own folder for a path of HV_OWN_VAR */
  readonly ownVar: (path: string) => string;
  readonly sshdConfig: string;
  readonly sshdPid: string;
  readonly relayPid: string;
  readonly tcWrapper: string;
  readonly tcLog: string;
}

/** hvPaths returns the file locations of a hypervisor. */
export function hvPaths(hv: HypervisorSpec): HvPaths {
  const dir = statePath(hv.name);
  return {
    dir,
    mountNs: join(NS_DIR, `${hv.name}.mnt`),
    etc: join(dir, 'etc'),
    lib: join(dir, 'lib'),
    log: join(dir, 'log'),
    cache: join(dir, 'cache'),
    home: join(dir, 'home'),
    ownEtc: (name: string) => join(dir, 'etc.d', name),
    ownVar: (path: string) => join(dir, 'var.d', path.replace(/^\//, '').replaceAll('/', '_')),
    sshdConfig: join(dir, 'sshd_config'),
    sshdPid: join(dir, 'sshd.pid'),
    relayPid: join(dir, 'relay.pid'),
    tcWrapper: join(dir, 'tc-wrapper'),
    tcLog: join(dir, 'log', 'tc-wrapper.log'),
  };
}

/** inHv prefixes argv so it runs in the hypervisor's network AND mount namespace (as its sshd sessions do). */
export function inHv(hv: HypervisorSpec, argv: readonly string[]): string[] {
  return ['nsenter', `--net=/run/netns/${hv.netns}`, `--mount=${hvPaths(hv).mountNs}`, '--', ...argv];
}
