// Host patterns for `-l` and `hosts:`, evaluated as Ansible's InventoryManager does
// (lib/ansible/inventory/manager.py): split on `,` (or `:` when that cannot be an address),
// plain patterns first in the order given, then `&` intersections, then `!` exclusions;
// a pattern names a group (all its hosts), a host, a glob or a `~regex`, optionally with a
// subscript `[0]`, `[-1]`, `[1:3]`.
import { TsplayError } from '../errors/index.ts';
import { parseAddress } from './address.ts';
import { fnmatchRegExp } from '../py/fnmatch.ts';
import { LOCALHOST_NAMES } from '../py/localhost.ts';
import { pyRegex } from '../py/regex.ts';

/** PatternScope is what pattern matching needs to know about an inventory. */
export interface PatternScope {
  /** group names in the order they were defined */
  groupNames(): Iterable<string>;
  /** every host of a group and its descendants, in Ansible's order */
  groupHosts(group: string): string[];
  /** host names in the order they were defined */
  hostNames(): Iterable<string>;
  hasHost(name: string): boolean;
}

const SPLIT_TOKEN = /(?:[^\s:[\]]|\[[^\]]*\])+/g;

/**
 * splitHostPattern cuts `a,b` or `a:&b:!c` into single patterns, like Ansible's split_host_pattern,
 * but where Ansible silently drops what its tokenizer cannot read (`~[` becomes `~`, which selects
 * every host) this is E_PATTERN naming the pattern. Empty parts between commas (`a,,b`, a trailing
 * comma) are dropped as Ansible drops them: they can only select fewer hosts, never more.
 */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, true)) parts = [pattern];
  else {
    parts = pattern.match(SPLIT_TOKEN) ?? [];
    const rest = pattern.replace(SPLIT_TOKEN, '').replace(/[\s:]/g, '');
    if (rest !== '')
      throw new TsplayError({
        code: 'E_PATTERN',
        message: `Invalid host pattern '${pattern}': unbalanced "${rest[0]}"`,
        hint: 'a [ starts a subscript like web[0] or a character class inside ~regex, and needs its ]',
      });
  }
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** orderPatterns puts plain patterns first, then `&` intersections, then `!` exclusions. */
export function orderPatterns(patterns: readonly string[]): string[] {
  const regular: string[] = [];
  const inter: string[] = [];
  const excl: string[] = [];
  for (const p of patterns) {
    if (!p) continue;
    if (p[0] === '!') excl.push(p);
    else if (p[0] === '&') inter.push(p);
    else regular.push(p);
  }
  return [...(regular.length ? regular : ['all']), ...inter, ...excl];
}

/** hostRegExp compiles a `~regex` pattern; like Python's re.match it is anchored at the start only. */
function hostRegExp(source: string): RegExp {
  try {
    const re = pyRegex(source);
    return new RegExp(`^(?:${re.source})`, re.flags);
  } catch (e) {
    throw new TsplayError({ code: 'E_PATTERN', message: `Invalid host list pattern: ~${source} (${(e as Error).message})` });
  }
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;

function splitSubscript(pattern: string): { expr: string; sub: [number, number | undefined] | undefined } {
  if (pattern[0] === '~') return { expr: pattern, sub: undefined };
  const m = SUBSCRIPT.exec(pattern);
  if (!m) return { expr: pattern, sub: undefined };
  if (m[2] !== undefined) return { expr: m[1] ?? '', sub: [Number(m[2]), undefined] };
  const end = m[5] ? Number(m[5]) : -1;
  return { expr: m[1] ?? '', sub: [Number(m[3]), end] };
}

function applySubscript(hosts: string[], sub: [number, number | undefined] | undefined, pattern: string): string[] {
  if (hosts.length === 0 || !sub) return hosts;
  const [start, endRaw] = sub;
  if (endRaw) {
    const end = endRaw === -1 ? hosts.length - 1 : endRaw;
    return pySlice(hosts, start, end + 1);
  }
  const i = start < 0 ? hosts.length + start : start;
  const h = hosts[i];
  if (h === undefined || i < 0) throw new TsplayError({ code: 'E_PATTERN', message: `No hosts matched the subscripted pattern '${pattern}'` });
  return [h];
}

function pySlice<T>(xs: T[], start: number, end: number): T[] {
  const norm = (k: number): number => (k < 0 ? Math.max(0, xs.length + k) : Math.min(k, xs.length));
  return xs.slice(norm(start), norm(end));
}

function matchList(items: Iterable<string>, pattern: string): string[] {
  const re = pattern[0] === '~' ? hostRegExp(pattern.slice(1)) : fnmatchRegExp(pattern);
  const out: string[] = [];
  for (const it of items) if (re.test(it)) out.push(it);
  return out;
}

function enumerateMatches(scope: PatternScope, pattern: string): string[] {
  const results: string[] = [];
  const groups = matchList(scope.groupNames(), pattern);
  for (const g of groups) results.push(...scope.groupHosts(g));
  if (groups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) results.push(...matchList(scope.hostNames(), pattern));
  if (results.length === 0 && LOCALHOST_NAMES.includes(pattern)) results.push(pattern);
  return results;
}

function matchOne(scope: PatternScope, pattern: string): string[] {
  const p = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
  if (p === '') throw new TsplayError({ code: 'E_PATTERN', message: `empty host pattern after "${pattern}"` });
  const { expr, sub } = splitSubscript(p);
  return applySubscript(enumerateMatches(scope, expr), sub, p);
}

/**
 * matchHosts evaluates an Ansible host pattern against an inventory and returns host names,
 * deduplicated, in Ansible's order; a malformed pattern is a TsplayError E_PATTERN.
 */
export function matchHosts(scope: PatternScope, pattern: string | readonly string[]): string[] {
  const raw = typeof pattern === 'string' ? splitHostPattern(pattern) : pattern.flatMap((p) => splitHostPattern(p));
  // Ansible reads an empty pattern as `all`; a `-l "$HOSTS"` whose variable is unset must not select every host
  if (typeof pattern === 'string' && raw.length === 0)
    throw new TsplayError({ code: 'E_PATTERN', message: `empty host pattern '${pattern}'`, hint: 'name a group, a host or a pattern; "all" selects every host' });
  let hosts: string[] = [];
  for (const p of orderPatterns(raw)) {
    if (scope.hasHost(p)) {
      hosts.push(p);
      continue;
    }
    const that = matchOne(scope, p);
    if (p[0] === '!') {
      const set = new Set(that);
      hosts = hosts.filter((h) => !set.has(h));
    } else if (p[0] === '&') {
      const set = new Set(that);
      hosts = hosts.filter((h) => set.has(h));
    } else {
      const have = new Set(hosts);
      for (const h of that) if (!have.has(h)) hosts.push(h);
    }
  }
  return [...new Set(hosts)];
}
