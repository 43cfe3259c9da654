import type { SourcePos } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import { locateValue } from '../inventory/value-pos.ts';

/**
 * locateGuestPath finds where a host's `guest.<path>` is written in the inventory: in `guest`, or in
 * `guest_defaults` when that holds more of the path (the guest is laid over its defaults); the nearest
 * written parent when the path itself is missing.
 */
export function locateGuestPath(vars: Vars, path: readonly (string | number)[]): SourcePos | undefined {
  const own = locateValue(vars, ['guest', ...path]);
  const defaults = locateValue(vars, ['guest_defaults', ...path]);
  if (own && defaults && defaults.depth > own.depth) return defaults.pos;
  return (own ?? defaults)?.pos;
}
