import type { SourcePos } from '../errors/index.ts';
import { TsplayError } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import { handlebars, takeCaptured } from './handlebars-env.ts';
import { HelperMisuse, HELPERS, UndefinedHelperArg } from './helpers.ts';
import { isMapping } from '../py/values.ts';
import { labelledLazyVars, lazyVars, plainOf } from './lazy-vars.ts';
import { NOT_SIMPLE, type SimpleTemplate, simpleTemplate } from './simple-subst.ts';

/** TemplateSite says where a template comes from: its file position, the task and host it is rendered for. */
export interface TemplateSite {
  readonly pos?: SourcePos | undefined;
  readonly task?: string | undefined;
  readonly host?: string | undefined;
}

type Compiled = (ctx: Vars) => string;
const cache = new Map<string, Compiled>();
const OPTIONS = { noEscape: true, strict: true } as const;

function compiled(text: string): Compiled {
  let fn = cache.get(text);
  if (!fn) {
    const simple = simpleTemplate(text);
    fn = simple ? withHandlebarsFallback(simple, text) : (handlebars().compile(text, OPTIONS) as Compiled);
    if (cache.size > 5000) cache.clear();
    cache.set(text, fn);
  }
  return fn;
}

/** withHandlebarsFallback renders a simple template itself and hands Handlebars what only it can answer (see simple-subst.ts). */
function withHandlebarsFallback(simple: SimpleTemplate, text: string): Compiled {
  let full: Compiled | undefined;
  return (ctx) => {
    const out = simple(ctx);
    if (out !== NOT_SIMPLE) return out;
    full ??= handlebars().compile(text, OPTIONS) as Compiled;
    return full(ctx);
  };
}

/** templatePos maps a Handlebars location (1-based line, 0-based column) into the file the text came from. */
function templatePos(base: SourcePos | undefined, line: number, column: number): SourcePos | undefined {
  if (!base) return undefined;
  return line <= 1 ? { file: base.file, line: base.line, col: base.col + column } : { file: base.file, line: base.line + line - 1, col: column + 1 };
}

interface Loc {
  readonly start: { readonly line: number; readonly column: number };
}
interface AstNode {
  readonly type: string;
  readonly loc?: Loc;
  readonly original?: string;
  readonly data?: boolean;
  readonly depth?: number;
  readonly parts?: readonly string[];
  readonly path?: AstNode;
  readonly params?: readonly AstNode[];
  [k: string]: unknown;
}

function walk(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (!isMapping(node) || typeof node['type'] !== 'string') return;
  visit(node as unknown as AstNode);
  for (const [k, v] of Object.entries(node)) if (k !== 'loc' && typeof v === 'object') walk(v, visit);
}

const sameStart = (a: Loc | undefined, line: number, column: number): boolean => a?.start.line === line && a.start.column === column;

/** resolves tells whether a dotted path exists in vars, for finding the culprit of a TypeError. */
function resolves(vars: Vars, parts: readonly string[]): boolean {
  let cur: unknown = vars;
  for (const p of parts) {
    if (!isMapping(cur) && !Array.isArray(cur)) return false;
    if (!Object.hasOwn(cur as object, p)) return false;
    cur = (cur as Record<string, unknown>)[p];
  }
  return true;
}

function undefinedVar(name: string, pos: SourcePos | undefined, where: TemplateSite, cause: unknown): TsplayError {
  return new TsplayError(
    {
      code: 'E_UNDEFINED_VAR',
      message: `undefined variable '${name}' in template`,
      pos,
      task: where.task,
      host: where.host,
      hint: `define '${name}' (inventory, vars, set_fact) or use {{default ${name} "..."}}`,
    },
    { cause },
  );
}

/** toTemplateError turns whatever Handlebars or a helper threw into a located TsplayError. */
function toTemplateError(err: unknown, text: string, vars: Vars, where: TemplateSite): TsplayError {
  if (err instanceof TsplayError) return err;
  const e = err as Error & { lineNumber?: number; column?: number };
  const msg = e?.message ?? String(err);
  const base = { task: where.task, host: where.host };
  if (/^Parse error on line (\d+)/.test(msg) || /^Expecting|^Invalid path|doesn't match/.test(msg)) {
    const line = Number(/on line (\d+)/.exec(msg)?.[1] ?? 1);
    const caret = /\n(-*)\^/.exec(msg);
    const col = caret ? caret[1]!.length : 0;
    // Ansible users write Jinja filters out of habit; say what the Handlebars spelling is
    const jinja = /\{\{[^}]*\|\s*\w+|\{%/.test(text);
    const hint = jinja
      ? 'tsplay templates are Handlebars: write {{default x 0}} or {{upper x}} instead of Jinja filters like {{ x | default(0) }}; `when:` conditions keep the Jinja-like syntax'
      : undefined;
    const lineText = text.split('\n')[line - 1] ?? '';
    const near = lineText.slice(col, col + 20);
    const what = near ? `near "${near}${lineText.length > col + 20 ? '...' : ''}"` : 'at the end (unclosed {{ or block?)';
    return new TsplayError({ code: 'E_TEMPLATE_SYNTAX', message: `template does not parse ${what}`, pos: templatePos(where.pos, line, col) ?? where.pos, hint, ...base }, { cause: err });
  }
  let ast: unknown;
  try {
    ast = handlebars().parse(text);
  } catch {
    ast = undefined;
  }
  if (err instanceof UndefinedHelperArg) {
    let found: AstNode | undefined;
    walk(ast, (n) => {
      if (!found && (n.type === 'MustacheStatement' || n.type === 'SubExpression' || n.type === 'BlockStatement') && err.loc && sameStart(n.loc, err.loc.start.line, err.loc.start.column)) found = n;
    });
    const param = found?.params?.[err.index];
    const name = param?.original ?? `argument ${err.index + 1} of ${err.helper}`;
    const loc = param?.loc ?? err.loc;
    return undefinedVar(name, loc ? templatePos(where.pos, loc.start.line, loc.start.column) : where.pos, where, err);
  }
  const strict = /^"(.+)" not defined in /.exec(msg);
  if (strict && typeof e.lineNumber === 'number' && typeof e.column === 'number') {
    let name = strict[1]!;
    walk(ast, (n) => {
      if (n.type === 'PathExpression' && sameStart(n.loc, e.lineNumber!, e.column!) && n.original) name = n.original;
    });
    return undefinedVar(name, templatePos(where.pos, e.lineNumber, e.column), where, err);
  }
  if (err instanceof TypeError && /Cannot read properties of (undefined|null)|Cannot use 'in' operator/.test(msg)) {
    // Handlebars reads `a.b` as a[b] without a guard when `a` is missing: find the first dotted path that does not resolve.
    let culprit: AstNode | undefined;
    walk(ast, (n) => {
      if (!culprit && n.type === 'PathExpression' && !n.data && !n.depth && n.parts && n.parts.length > 1 && !resolves(vars, n.parts.slice(0, -1))) culprit = n;
    });
    // inside {{#each}} over scalars strict lookups fail with `'x' in 1`: the message names the variable
    const inName = /search for '(.+?)' in /.exec(msg)?.[1];
    if (!culprit && inName)
      walk(ast, (n) => {
        if (!culprit && n.type === 'PathExpression' && n.original === inName) culprit = n;
      });
    if (culprit) return undefinedVar(culprit.original ?? '?', culprit.loc ? templatePos(where.pos, culprit.loc.start.line, culprit.loc.start.column) : where.pos, where, err);
  }
  if (err instanceof HelperMisuse || err instanceof Error) {
    return new TsplayError({ code: 'E_TEMPLATE_HELPER', message: `template failed: ${msg}`, pos: where.pos, ...base }, { cause: err });
  }
  return new TsplayError({ code: 'E_TEMPLATE_HELPER', message: `template failed: ${String(err)}`, pos: where.pos, ...base });
}

/** renderText renders a Handlebars template (noEscape, strict) with vars; errors are located TsplayErrors. */
export function renderText(text: string, vars: Vars, where: TemplateSite = {}): string {
  if (!text.includes('{{')) return text;
  try {
    return compiled(text)(templateVars(vars, where));
  } catch (err) {
    throw toTemplateError(err, text, vars, where);
  }
}

/**
 * templateVars is the view of vars that templates and expressions read: a variable whose value
 * holds `{{ }}` is rendered, recursively and against the same vars, when its name is looked up.
 */
export function templateVars(vars: Vars, where: TemplateSite = {}): Vars {
  return lazyVars(vars, where, renderValue);
}

/** hostVarsView is templateVars for another host's variables, as `hostvars[host]` hands them out. */
export function hostVarsView(vars: Vars, host: string): Vars {
  return labelledLazyVars(vars, `hostvars[${host}]`, renderValue);
}

const SINGLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const PATH = /^(?!this\b)[A-Za-z_][\w-]*(?:\.(?:[\w-]+|\[[^\]]+\]))*$/;
// Handlebars' own `lookup` is the one way to index by a variable (`lookup hostvars item`): its
// value keeps its type like our helpers', so a loop can run over another host's list.
const TYPED_BUILTINS: ReadonlySet<string> = new Set(['lookup']);

/** renderSingle evaluates a string that is exactly one `{{ expr }}` and returns the value with its type. */
function renderSingle(inner: string, text: string, vars: Vars, where: TemplateSite): unknown {
  if (PATH.test(inner)) {
    const parts = inner.split('.').map((p) => p.replace(/^\[(.*)\]$/, '$1'));
    let cur: unknown = vars;
    for (const p of parts) {
      if ((!isMapping(cur) && !Array.isArray(cur)) || !Object.hasOwn(cur as object, p)) throw undefinedVar(inner, where.pos, where, undefined);
      cur = (cur as Record<string, unknown>)[p];
    }
    return plainOf(cur);
  }
  const head = /^([A-Za-z_]\w*)\s/.exec(inner)?.[1];
  if (head !== undefined && (Object.hasOwn(HELPERS, head) || TYPED_BUILTINS.has(head))) {
    const wrapped = `{{__capture (${inner})}}`;
    try {
      takeCaptured();
      compiled(wrapped)(vars);
      return plainOf(takeCaptured());
    } catch (err) {
      const e = toTemplateError(err, wrapped, vars, where);
      // errors point into the wrapped text: shift them back onto the user's `{{ ... }}`
      const shift = '{{__capture ('.length - text.indexOf(inner);
      if (!e.pos || !where.pos || e.pos.line !== where.pos.line) throw e;
      throw new TsplayError({ code: e.code, message: e.message, hint: e.hint, task: e.task, host: e.host, pos: { ...e.pos, col: Math.max(where.pos.col, e.pos.col - shift) } }, { cause: err });
    }
  }
  return renderText(text, vars, where);
}

/**
 * renderValue templates every string inside a value (lists and mappings recursively); a string
 * that is exactly one `{{ expr }}` keeps the type of the result (`"{{ port }}"` stays a number).
 */
export function renderValue(value: unknown, vars: Vars, where: TemplateSite = {}): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const m = SINGLE.exec(value);
    return m ? renderSingle(m[1]!, value, templateVars(vars, where), where) : renderText(value, vars, where);
  }
  if (Array.isArray(value)) {
    const view = templateVars(vars, where);
    return value.map((v) => renderValue(v, view, where));
  }
  if (isMapping(value)) {
    const view = templateVars(vars, where);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, view, where);
    return out;
  }
  return value;
}

const SIMPLE_MUSTACHE = /\{\{\s*[A-Za-z_@][\w.@\-[\]]*(?:\s+(?:"[^"{}]*"|'[^'{}]*'|[\w.@\-[\]]+))*\s*\}\}/g;

/**
 * obviouslyValid recognises templates made only of `{{ path }}` and `{{helper arg "str"}}`, the
 * common case, so a --syntax-check of a typical playbook does not load Handlebars (~25 ms).
 */
function obviouslyValid(text: string): boolean {
  const rest = text.replace(SIMPLE_MUSTACHE, '');
  return !rest.includes('{{') && !rest.includes('}}');
}

/** checkTemplate parses a template without rendering it, so syntax errors surface at load time. */
export function checkTemplate(text: string, where: TemplateSite): TsplayError | undefined {
  if (!text.includes('{{') || obviouslyValid(text)) return undefined;
  try {
    handlebars().parse(text);
    return undefined;
  } catch (err) {
    return toTemplateError(err, text, {}, where);
  }
}
