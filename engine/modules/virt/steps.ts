// What a virt module's pure plan hands to its apply: argv words (with stdin for XML), files to
// write, and checks to make afterwards. Apply only walks the list.
import type { Argv } from '../../connection/types.ts';
import type { Change } from '../types.ts';
import type { Reattach } from './reattach.ts';

/** Step is one thing apply does, in order. */
export type Step =
  | { readonly run: Argv; readonly stdin?: string }
  | { readonly put: string; readonly content: string; readonly mode: string }
  | { readonly verifyAgeing: { readonly bridge: string; readonly centiseconds: number } }
  | { readonly reattach: Reattach }
  /** SIGHUP to the libvirtd serving qemu:///system: it scans its hook scripts only at start and on reload */
  | { readonly reloadHooks: true };

/** VirtPayload is the plan's payload for the virt modules. */
export interface VirtPayload {
  readonly steps: readonly Step[];
}

/** ChangeClass says how disruptive a change is (DOMAIN.md "Every change says how disruptive it is"). */
export type ChangeClass = NonNullable<Change['class']>;

/** DISRUPTIVE are the classes refused unless the task allows them. */
export const DISRUPTIVE: readonly ChangeClass[] = ['restart', 'net-restart'];
