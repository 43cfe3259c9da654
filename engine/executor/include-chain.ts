import type { SourcePos } from '../errors/index.ts';
import { shortPath } from '../files/paths.ts';

/** IncludeLink is one dynamic include a host went through: where the include stands and what it entered. */
export interface IncludeLink {
  readonly at: SourcePos;
  /** the task file (absolute) or role name the include entered */
  readonly entered: string;
}

/**
 * INCLUDE_RECURSION_LIMIT is how many times one task file or role may be on a host's include
 * chain at once. Why a limit and not "never twice": Ansible runs a file that includes itself
 * behind a `when` that ends the recursion (a retry loop, a walk down a tree); only a recursion
 * that never ends must be refused, and Ansible itself would run that one until memory runs out.
 */
export const INCLUDE_RECURSION_LIMIT = 100;

const site = (l: IncludeLink): string => `${shortPath(l.at.file)}:${l.at.line}`;

/** folded writes include sites as `a -> b -> (c -> d) x40`: a repeating stretch once, with its count. */
function folded(sites: readonly string[]): string {
  const i = sites.findIndex((s, k) => sites.indexOf(s, k + 1) > k);
  if (i < 0) return sites.join(' -> ');
  const period = sites.indexOf(sites[i]!, i + 1) - i;
  const seg = sites.slice(i, i + period);
  let times = 1;
  while (seg.every((s, k) => sites[i + times * period + k] === s)) times++;
  const parts = [...sites.slice(0, i), `(${seg.join(' -> ')}) x${times}`];
  const rest = sites.slice(i + times * period);
  return [...parts, ...(rest.length ? [folded(rest)] : [])].join(' -> ');
}

/**
 * includeCycle says why `next` may not be entered on top of `chain` (the file or role is on it
 * INCLUDE_RECURSION_LIMIT times already), naming each include's file:line; undefined when it may.
 */
export function includeCycle(chain: readonly IncludeLink[], next: IncludeLink): string | undefined {
  const times = chain.filter((l) => l.entered === next.entered).length;
  if (times < INCLUDE_RECURSION_LIMIT) return undefined;
  const what = next.entered.includes('/') ? shortPath(next.entered) : `role ${next.entered}`;
  return `include cycle: ${what} is already ${times} times on this host's include chain, the recursion limit (does the \`when\` that should end it ever turn false?): ${folded([...chain, next].map(site))}`;
}
