import type { z } from 'zod';
import type { Diagnostics, ErrorCode, SourcePos } from '../errors/index.ts';
import type { ModuleDef } from '../modules/types.ts';
import { isMapping } from '../py/values.ts';
import { checkTemplate } from '../template/index.ts';
import { didYouMean } from './suggest.ts';
import { jsonStringify } from '../py/json.ts';

/** KvWord is one whitespace-separated word of a `k=v` string with its offset in the text. */
export interface KvWord {
  readonly raw: string;
  readonly key?: string;
  readonly value: string;
  readonly start: number;
  readonly end: number;
  readonly valueStart: number;
}

// One `\x` escape as Python's unicode-escape decodes it (Ansible's _decode_escapes).
const ESCAPE_RE = /\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function decodeEscapes(s: string): string {
  return s.replace(ESCAPE_RE, (m) => (m.length === 2 ? SIMPLE_ESCAPES[m[1]!]! : String.fromCodePoint(parseInt(m.slice(2), 16))));
}

/** quoteState follows quotes through one chunk as Ansible's _get_quote_state does (a backslash escapes a quote). */
function quoteState(chunk: string, quote: string | null): string | null {
  for (let i = 0; i < chunk.length; i++) {
    const ch = chunk[i]!;
    if ((ch === '"' || ch === "'") && chunk[i - 1] !== '\\') {
      if (quote === null) quote = ch;
      else if (ch === quote) quote = null;
    }
  }
  return quote;
}

const count = (s: string, sub: string): number => s.split(sub).length - 1;

/** jinjaDepth adjusts the nesting depth of one kind of Jinja delimiter by a chunk's opens and closes. */
function jinjaDepth(chunk: string, depth: number, open: string, close: string): number {
  const d = depth + count(chunk, open) - count(chunk, close);
  return Math.max(d, 0);
}

/**
 * splitKv splits Ansible's `k=v` argument text as split_args and parse_kv do: words break on
 * spaces and newlines, except inside quotes or a `{{ }}` / `{% %}` / `{# #}` block; a word with an
 * unescaped `=` (not first) is key=value, the value losing one pair of enclosing quotes. Each word
 * keeps its offset so an error can point into the middle of the YAML scalar.
 */
export function splitKv(text: string): { words: KvWord[]; error?: { offset: number; message: string } } {
  const spans: { start: number; end: number }[] = [];
  let quote: string | null = null;
  let print = 0;
  let block = 0;
  let comment = 0;
  let lineStart = 0;
  for (const line of text.split('\n')) {
    let off = lineStart;
    for (const chunk of line.split(' ')) {
      const start = off;
      off += chunk.length + 1;
      if (chunk === '\\' && quote === null) continue; // a line continuation
      const wasQuoted = quote !== null;
      const inside = print > 0 || block > 0 || comment > 0;
      quote = quoteState(chunk, quote);
      const last = spans.at(-1);
      let joined = false;
      if ((inside || quote !== null || wasQuoted) && last && !(quote !== null && !wasQuoted && !inside)) {
        if (chunk !== '') last.end = start + chunk.length;
        joined = true;
      }
      const before = [print, block, comment];
      print = jinjaDepth(chunk, print, '{{', '}}');
      block = jinjaDepth(chunk, block, '{%', '%}');
      comment = jinjaDepth(chunk, comment, '{#', '#}');
      const depthChanged = before[0] !== print || before[1] !== block || before[2] !== comment;
      if (!joined && chunk !== '' && (depthChanged || quote !== null || (print === 0 && block === 0 && comment === 0))) spans.push({ start, end: start + chunk.length });
    }
    lineStart += line.length + 1;
  }
  if (quote !== null || print > 0 || block > 0 || comment > 0) {
    const at = spans.at(-1)?.start ?? 0;
    return { words: [], error: { offset: at, message: `failed at splitting arguments, either an unbalanced jinja2 block or quotes` } };
  }
  const words: KvWord[] = [];
  for (const { start, end } of spans) {
    const raw = text.slice(start, end);
    const x = decodeEscapes(raw);
    let eq = x.indexOf('=', 1);
    while (eq > 0 && x[eq - 1] === '\\') eq = x.indexOf('=', eq + 1);
    if (eq < 0) {
      words.push({ raw, value: x.includes('=') ? x.replaceAll('\\=', '=') : raw, start, end, valueStart: start });
      continue;
    }
    const key = x.slice(0, eq).trim();
    let value = x.slice(eq + 1).trim();
    let valueStart = start + raw.indexOf('=', 1) + 1;
    // unquote: one pair of matching enclosing quotes goes, as Ansible's parsing.quoting.unquote;
    // the value's position then is after the quote, as a quoted YAML scalar's is
    if (value.length > 1 && value[0] === value.at(-1) && (value[0] === '"' || value[0] === "'") && value.at(-2) !== '\\') {
      value = value.slice(1, -1);
      if (text[valueStart] === '"' || text[valueStart] === "'") valueStart += 1;
    }
    words.push({ raw, key, value, start, end, valueStart });
  }
  return { words };
}

/** schemaKeys digs the argument names out of a module's zod schema (object, possibly refined, piped or wrapped). */
export function schemaKeys(schema: z.ZodType): string[] | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: walks zod's internal wrapper chain (_def), which zod does not type
  let s: any = schema;
  for (let depth = 0; depth < 8 && s; depth++) {
    if (s.shape && typeof s.shape === 'object') return Object.keys(s.shape);
    const def = s._zod?.def ?? s.def;
    s = def?.in ?? def?.innerType ?? def?.schema ?? undefined;
  }
  return undefined;
}

const isTemplated = (v: unknown): boolean => (typeof v === 'string' ? v.includes('{{') : Array.isArray(v) || isMapping(v) ? jsonStringify(v).includes('{{') : false);

/** checkTemplates parses every `{{ }}` string inside a value so template syntax errors surface before any host. */
function checkTemplates(value: unknown, pos: SourcePos, task: string | undefined, diags: Diagnostics): void {
  if (typeof value === 'string') {
    const err = value.includes('{{') ? checkTemplate(value, { pos, task }) : undefined;
    if (err) diags.add({ code: err.code, message: err.message, pos: err.pos ?? pos, task });
  } else if (Array.isArray(value)) for (const v of value) checkTemplates(v, pos, task, diags);
  else if (isMapping(value)) for (const v of Object.values(value)) checkTemplates(v, pos, task, diags);
}

/** ArgSite gives positions for argument errors: each argument's key and value, and the module key. */
export interface ArgSite {
  readonly module: string;
  readonly modulePos: SourcePos;
  readonly keyPos: Record<string, SourcePos>;
  readonly valuePos: Record<string, SourcePos>;
  readonly task?: string | undefined;
}

/**
 * checkArgs validates module arguments against the module's zod schema and turns zod's issues
 * into tsplay diagnostics at the argument's position. Values holding `{{ }}` are only known per
 * host, so their type is not checked here; their names (and missing required ones) still are.
 */
export function checkArgs(mod: ModuleDef, args: Record<string, unknown>, site: ArgSite, diags: Diagnostics): void {
  for (const [k, v] of Object.entries(args)) checkTemplates(v, site.valuePos[k] ?? site.modulePos, site.task, diags);
  const res = mod.schema.safeParse(args);
  if (res.success) return;
  const known = schemaKeys(mod.schema) ?? [];
  const seen = new Set<string>();
  for (const issue of res.error.issues) {
    const top = issue.path[0] === undefined ? undefined : String(issue.path[0]);
    const add = (code: ErrorCode, message: string, pos: SourcePos, hint?: string): void => {
      const key = `${code}\0${message}`;
      if (seen.has(key)) return;
      seen.add(key);
      diags.add({ code, message, pos, hint, task: site.task });
    };
    if (issue.code === 'unrecognized_keys') {
      const prefix = issue.path.map(String);
      for (const k of (issue as { keys: string[] }).keys) {
        const name = [...prefix, k].join('.');
        const hint = prefix.length === 0 ? didYouMean(k, known) : undefined;
        add(
          'E_ARG_UNKNOWN',
          `${site.module}: unsupported argument "${name}"`,
          site.keyPos[prefix[0] ?? k] ?? site.modulePos,
          hint ?? (known.length ? `${site.module} takes: ${known.join(', ')}` : undefined),
        );
      }
      continue;
    }
    const custom = (issue as { params?: Record<string, unknown> }).params?.['tsplayCode'];
    if (typeof custom === 'string') {
      if (top !== undefined && isTemplated(args[top]) && custom === 'E_ARG_TYPE') continue;
      add(custom as ErrorCode, `${site.module}: ${issue.message}`, top !== undefined ? (site.keyPos[top] ?? site.modulePos) : site.modulePos);
      continue;
    }
    if (top !== undefined && args[top] === undefined && issue.code === 'invalid_type') {
      add('E_ARG_REQUIRED', `${site.module}: missing required argument "${top}"`, site.modulePos);
      continue;
    }
    if (top === undefined) {
      if (Object.values(args).some(isTemplated) || isTemplated(args)) continue;
      add('E_ARG_TYPE', `${site.module}: ${issue.message}`, site.modulePos);
      continue;
    }
    if (isTemplated(args[top])) continue;
    const path = issue.path.map(String).join('.');
    add('E_ARG_TYPE', `${site.module}: argument "${path}": ${issue.message}`, site.valuePos[top] ?? site.keyPos[top] ?? site.modulePos);
  }
}
