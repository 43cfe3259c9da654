import type { Change } from '../modules/types.ts';

// Values short enough to read on one line are shown as they are; longer ones are cut, since
// the before/after block below the headline carries them whole.
const MAX_VALUE = 60;

/** shown renders one side of a change compactly: a plain word bare, anything else as JSON. */
function shown(v: unknown): string {
  if (typeof v === 'string' && /^[^\s"'{}[\],]+$/.test(v)) return v;
  const text = JSON.stringify(v) ?? String(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function absent(v: unknown): boolean {
  return v === null || v === undefined;
}

/**
 * changeLine is the one-line headline of a classed change, e.g.
 * `~ bridge@name: labbr0 → labbr1  [net-restart]`: `+` something added, `-` removed, `~` changed,
 * then how disruptive carrying it out is. A change held in a file names the file (its unified
 * diff follows). Unclassed changes (core modules) get no headline.
 */
export function changeLine(c: Change): string | undefined {
  if (c.class === undefined) return undefined;
  const what = c.diff ? `${c.property} (${c.diff.path})` : c.property;
  const tag = `  [${c.class}]`;
  if (absent(c.before) && !absent(c.after)) return `+ ${what}: ${shown(c.after)}${tag}`;
  if (!absent(c.before) && absent(c.after)) return `- ${what}: ${shown(c.before)}${tag}`;
  return `~ ${what}: ${shown(c.before)} → ${shown(c.after)}${tag}`;
}
