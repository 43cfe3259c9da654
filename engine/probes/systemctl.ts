// systemctl is-active / is-enabled probes. Quirk: both print one word per unit, in order, and
// is-active exits 0 if ANY unit is active, so the words (not the exit code) are the answer. An
// unknown unit prints "inactive" for is-active but an error for is-enabled (rc 1, word missing).
import type { Argv } from '../connection/types.ts';
import type { Probe, ProbeOutput } from './types.ts';

/** UnitStates maps each unit asked about to systemctl's word ("active", "enabled", "not-found", ...). */
export type UnitStates = Readonly<Record<string, string>>;

function parseWords(units: readonly string[], out: ProbeOutput): UnitStates {
  const words = out.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const res: Record<string, string> = {};
  // is-enabled skips units it cannot find and says so on stderr
  const missing = new Set([...out.stderr.matchAll(/unit file state for (\S+?)(?:\.service)?: No such file/g)].map((m) => m[1]));
  let i = 0;
  for (const u of units) {
    if (missing.has(u) || missing.has(u.replace(/\.service$/, ''))) res[u] = 'not-found';
    else res[u] = words[i++] ?? 'unknown';
  }
  return res;
}

/** isActiveArgv asks systemd whether units are active. */
export function isActiveArgv(units: readonly string[]): Argv {
  return ['systemctl', 'is-active', ...units];
}

/** isActiveProbe reads each unit's active state. */
export function isActiveProbe(units: readonly string[]): Probe<UnitStates> {
  return { argv: isActiveArgv(units), parse: (out) => parseWords(units, out) };
}

/** isEnabledProbe reads each unit's enablement. */
export function isEnabledProbe(units: readonly string[]): Probe<UnitStates> {
  return { argv: ['systemctl', 'is-enabled', ...units], parse: (out) => parseWords(units, out) };
}

/** parseUnitWords is the parser for a given unit list (used by the data tests). */
export function parseUnitWords(units: readonly string[]): (out: ProbeOutput) => UnitStates {
  return (out) => parseWords(units, out);
}
