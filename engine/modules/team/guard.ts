// Whether a team change can cut the controller's own connection, and the NetworkManager
// checkpoint calls around it. NM has no nmcli verb for checkpoints: they are D-Bus methods on
// org.freedesktop.NetworkManager, reached with busctl (part of systemd, present where NM is).
import type { Argv } from '../../connection/types.ts';
import { parseAddrs } from '../../probes/ip.ts';
import type { PlanContext } from '../types.ts';
import type { NmTeamArgs } from './args.ts';
import type { TeamCurrent } from './current.ts';
import type { CheckpointGuard } from './steps.ts';

/** carrierOf finds the interface holding `address` in `ip -j addr` output (null: none, or not an address). */
export function carrierOf(addrs: string, address: string): string | null {
  if (addrs.trim() === '') return null;
  for (const link of parseAddrs({ rc: 0, stdout: addrs, stderr: '' })) {
    if (link.addrs.some((a) => a.local === address)) return link.ifname;
  }
  return null;
}

/**
 * guardFor decides whether a change needs a checkpoint: the controller's address (ansible_host,
 * else the inventory name) sits on the team/bond device or a port, or is the address the team takes.
 */
export function guardFor(args: NmTeamArgs, cur: TeamCurrent, ctx: PlanContext, device: string, ports: readonly string[]): CheckpointGuard | null {
  const controller = String(ctx.vars['ansible_host'] ?? ctx.host);
  const carrier = carrierOf(cur.addrs, controller);
  const touched = [device, ...ports];
  const next = args.team.ipv4.method === 'static' ? args.team.ipv4.address.split('/')[0]! : null;
  const wantsIt = next === controller;
  if (!wantsIt && (carrier === null || !touched.includes(carrier))) return null;
  // the controller's address is the team's and the team takes another one: it moves with it
  const moves = carrier === device && next !== null && next !== controller;
  return { timeout: args.checkpoint_timeout, devices: touched, controller, carrier, reconnectTo: moves ? next : null };
}

const NM = ['org.freedesktop.NetworkManager', '/org/freedesktop/NetworkManager', 'org.freedesktop.NetworkManager'];

/**
 * CHECKPOINT_FLAGS: DELETE_NEW_CONNECTIONS (0x2), so a rollback also removes the profiles the
 * change created (deleting an active profile takes its device down). Not DISCONNECT_NEW_DEVICES
 * (0x4): NetworkManager 1.42 refuses it with a device list ("can only be used with an empty
 * device list"), and an empty list would cover the management NIC too. Never DESTROY_ALL (0x1),
 * which would drop other tools' checkpoints.
 */
export const CHECKPOINT_FLAGS = 0x2;

/** devicePathArgv asks NetworkManager for a device's D-Bus object path (`o "/org/.../Devices/N"`). */
export function devicePathArgv(ifname: string): Argv {
  return ['busctl', 'call', ...NM, 'GetDeviceByIpIface', 's', ifname];
}

/** checkpointCreateArgv creates a checkpoint over the given device paths; it prints `o "PATH"`. */
export function checkpointCreateArgv(devicePaths: readonly string[], timeout: number): Argv {
  return ['busctl', 'call', ...NM, 'CheckpointCreate', 'aouu', String(devicePaths.length), ...devicePaths, String(timeout), String(CHECKPOINT_FLAGS)];
}

/** checkpointDestroyArgv commits a change: the checkpoint is dropped and nothing rolls back. */
export function checkpointDestroyArgv(path: string): Argv {
  return ['busctl', 'call', ...NM, 'CheckpointDestroy', 'o', path];
}

/** checkpointRollbackArgv undoes the change now instead of waiting for the timeout. */
export function checkpointRollbackArgv(path: string): Argv {
  return ['busctl', 'call', ...NM, 'CheckpointRollback', 'o', path];
}

/** checkpointListArgv prints the pending checkpoints (`ao N "PATH"...`): a rolled-back or destroyed one is gone. */
export function checkpointListArgv(): Argv {
  return ['busctl', 'get-property', ...NM, 'Checkpoints'];
}

/** parseObjectPath reads busctl's `o "/path"` reply (null when it is not one). */
export function parseObjectPath(stdout: string): string | null {
  const m = /^o\s+"(\/[A-Za-z0-9_/]*)"\s*$/.exec(stdout.trim());
  return m ? m[1]! : null;
}
