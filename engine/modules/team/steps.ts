// What nm_team's pure plan hands to its apply: argv words run in order, and whether they run
// inside a NetworkManager checkpoint because they can cut the controller's own connection.
import type { Argv } from '../../connection/types.ts';

/** TeamStep is one command apply runs; `why` is shown when it fails. */
export interface TeamStep {
  readonly run: Argv;
  readonly why: string;
}

/** CheckpointGuard says a plan's steps run inside a checkpoint that NetworkManager rolls back after `timeout` s unless destroyed. */
export interface CheckpointGuard {
  readonly timeout: number;
  /** the interfaces the checkpoint covers (the ones that exist when apply runs) */
  readonly devices: readonly string[];
  /** the controller's address and the device that carries it, for the message */
  readonly controller: string;
  readonly carrier: string | null;
  /** where the controller finds the host after the change: the team's new address when it moves the controller's (null: the same address) */
  readonly reconnectTo: string | null;
}

/** TeamPayload is nm_team's plan payload. */
export interface TeamPayload {
  readonly steps: readonly TeamStep[];
  readonly guard: CheckpointGuard | null;
  /** the team (or bond) device and, for a team, the normalised config teamd must run afterwards */
  readonly device: string;
  readonly verify: { readonly team: Record<string, unknown>; readonly ports: Record<string, Record<string, unknown>> } | null;
}
