// Per-hypervisor file locations and the nsenter prefix that runs a command "on" a hypervisor.
import { join } from 'node:path';
import { statePath } from './paths.ts';
import type { HypervisorSpec } from './topology.ts';

/** NS_DIR holds the bind-mounted mount-namespace files (a private mount, like /run/netns). */
export const NS_DIR = '/run/tsplay-lab/ns';

/** HvPaths are the files one hypervisor's daemons use. */
export interface HvPaths {
  readonly dir: string;
  readonly mountNs: string;
  readonly etc: string;
  readonly lib: string;
  readonly log: string;
  readonly cache: string;
  readonly home: string;
  readonly sshdConfig: string;
  readonly sshdPid: string;
  readonly relayPid: string;
  readonly virtlogdPid: string;
  readonly libvirtdPid: string;
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
    sshdConfig: join(dir, 'sshd_config'),
    sshdPid: join(dir, 'sshd.pid'),
    relayPid: join(dir, 'relay.pid'),
    virtlogdPid: join(dir, 'virtlogd.pid'),
    libvirtdPid: join(dir, 'libvirtd.pid'),
    tcWrapper: join(dir, 'tc-wrapper'),
    tcLog: join(dir, 'log', 'tc-wrapper.log'),
  };
}

/** inHv prefixes argv so it runs in the hypervisor's network AND mount namespace (as its sshd sessions do). */
export function inHv(hv: HypervisorSpec, argv: readonly string[]): string[] {
  return ['nsenter', `--net=/run/netns/${hv.netns}`, `--mount=${hvPaths(hv).mountNs}`, '--', ...argv];
}
