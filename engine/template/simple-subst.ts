import type { Vars } from '../inventory/types.ts';
import { HELPERS } from './helpers.ts';

/**
 * Why: most templates in a playbook are literal text with `{{ a.b }}` substitutions, and on a
 * one-shot run loading Handlebars (~25 ms) and compiling each distinct text once (~1–2 ms each:
 * parse, code generation, `new Function`) cost more than the tasks' own work. Such a template is
 * rendered here instead, doing the very lookups Handlebars' strict-mode code does, in the same
 * order. Anything this cannot answer exactly as Handlebars would (a missing name, an inherited
 * property, a function value, a helper's name) returns NOT_SIMPLE, and the caller lets Handlebars
 * render the text, so its output and its errors stay Handlebars' own.
 */

/** NOT_SIMPLE is what a simple template returns when only Handlebars can render it. */
export const NOT_SIMPLE: unique symbol = Symbol('tsplay.notSimple');

/** SimpleTemplate renders a parsed simple template, or says NOT_SIMPLE. */
export type SimpleTemplate = (ctx: Vars) => string | typeof NOT_SIMPLE;

// Handlebars' built-in helpers plus tsplay's: a bare `{{ name }}` is a helper call when a helper
// has that name (test/template/simple-subst.test.ts checks this list against a live instance).
const BUILTIN_HELPERS = ['helperMissing', 'blockHelperMissing', 'each', 'if', 'unless', 'with', 'log', 'lookup', '__capture'];
/** HELPER_NAMES are the names a bare `{{ name }}` would call as a helper. */
export const HELPER_NAMES: ReadonlySet<string> = new Set([...BUILTIN_HELPERS, ...Object.keys(HELPERS)]);
// words the Handlebars lexer reads as literals or keywords, not as names
const KEYWORDS: ReadonlySet<string> = new Set(['true', 'false', 'null', 'undefined', 'this', 'else', 'as']);

const MUSTACHE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;

/**
 * simpleTemplate parses `text` when it is only literal text and `{{ name(.name)* }}`
 * substitutions; undefined for anything else (blocks, helpers, `\{{`, `{{{`, `~`, `[x]`, stray
 * braces), which Handlebars must compile.
 */
export function simpleTemplate(text: string): SimpleTemplate | undefined {
  const lits: string[] = [];
  const paths: string[][] = [];
  let at = 0;
  for (const m of text.matchAll(MUSTACHE)) {
    const lit = text.slice(at, m.index);
    // a backslash before `{{` escapes it; `{{{`/`}}}` are triple-stashes; both belong to Handlebars
    if (!plainLiteral(lit) || /[\\{]$/.test(lit) || (at > 0 && lit.startsWith('}'))) return undefined;
    const parts = (m[1] as string).split('.');
    // Handlebars' prototype-access rules single out these names: leave them to it
    if (parts.some((p) => p === 'constructor' || p.startsWith('__'))) return undefined;
    if (KEYWORDS.has(parts[0] as string) || (parts.length === 1 && HELPER_NAMES.has(parts[0] as string))) return undefined;
    lits.push(lit);
    paths.push(parts);
    at = m.index + m[0].length;
  }
  const tail = text.slice(at);
  if (paths.length === 0 || !plainLiteral(tail) || tail.startsWith('}')) return undefined;
  lits.push(tail);
  return (ctx) => {
    let out = lits[0] as string;
    for (let i = 0; i < paths.length; i++) {
      const v = lookupPath(ctx, paths[i] as string[]);
      if (v === NOT_SIMPLE) return NOT_SIMPLE;
      // as Handlebars with tsplay's string compiler: null and undefined append nothing, the rest `""+(v)`
      // biome-ignore lint/style/useTemplate: `"" + v` is Handlebars' own conversion (valueOf first), not String(v)
      out += (v != null ? '' + v : '') + (lits[i + 1] as string);
    }
    return out;
  };
}

function plainLiteral(s: string): boolean {
  return !s.includes('{{') && !s.includes('}}');
}

/**
 * lookupPath mirrors Handlebars' strict lookup of `a.b.c`: every step but the last is
 * `lookupProperty` (own properties only), the last is `container.strict` (the name must be `in`
 * the object) and then `lookupProperty`. Every case that would throw, or would read an inherited
 * property, or finds a function (which Handlebars would call), is NOT_SIMPLE.
 */
function lookupPath(ctx: Vars, parts: readonly string[]): unknown {
  let cur: unknown = ctx;
  const last = parts.length - 1;
  for (let i = 0; i < last; i++) {
    if (typeof cur !== 'object' || cur === null) return NOT_SIMPLE;
    const name = parts[i] as string;
    const r = (cur as Record<string, unknown>)[name];
    if (r != null && !Object.hasOwn(cur, name)) return NOT_SIMPLE;
    cur = r;
  }
  if (typeof cur !== 'object' || cur === null) return NOT_SIMPLE;
  const name = parts[last] as string;
  if (!(name in cur)) return NOT_SIMPLE;
  const v = (cur as Record<string, unknown>)[name];
  if (v != null && !Object.hasOwn(cur, name)) return NOT_SIMPLE;
  return typeof v === 'function' ? NOT_SIMPLE : v;
}
