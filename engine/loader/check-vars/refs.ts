import type { SourcePos } from '../../errors/index.ts';
import { compileExpr, type Expr } from '../../template/index.ts';
import type { ExprNode } from '../../template/expr/ast.ts';
import { offsetPos } from '../../template/expr/tokenize.ts';
import { handlebars } from '../../template/handlebars-env.ts';
import { HELPERS } from '../../template/helpers.ts';

// Which variable names a condition or a template reads, and which of those reads are sure to
// happen: a read under `default`, `is defined`, `{{#if}}`, or past a short-circuit is not.

/** VarRef is one read of a variable: the root name, where it is written, and whether it is sure to be evaluated unguarded. */
export interface VarRef {
  readonly name: string;
  readonly pos: SourcePos;
  /** false when a guard (default, is defined, #if) or a short-circuit may keep the read from failing */
  readonly sure: boolean;
}

/** Refs are the reads found in one piece of text, plus the names it tests with `is defined`/`is undefined`. */
export interface Refs {
  readonly refs: VarRef[];
  readonly tested: Set<string>;
}

const GUARD_FILTERS = new Set(['default', 'd']);
const DEFINED_TESTS = new Set(['defined', 'undefined']);

function namesIn(n: ExprNode, out: Set<string>): void {
  eachChild(n, (c) => namesIn(c, out));
  if (n.t === 'name') out.add(n.name);
}

function eachChild(n: ExprNode, f: (c: ExprNode) => void): void {
  switch (n.t) {
    case 'attr':
      return f(n.obj);
    case 'index':
      f(n.obj);
      return f(n.index);
    case 'call':
      f(n.obj);
      return n.args.forEach(f);
    case 'list':
      return n.items.forEach(f);
    case 'dict':
      return n.entries.forEach(([k, v]) => {
        f(k);
        f(v);
      });
    case 'unary':
      return f(n.arg);
    case 'bin':
      f(n.l);
      return f(n.r);
    case 'filter':
    case 'test':
      f(n.arg);
      return n.args.forEach(f);
    case 'cond':
      f(n.test);
      f(n.then);
      if (n.else) f(n.else);
      return;
  }
}

/** exprRefs lists the reads of a `when`-style expression; undefined when it does not parse (the loader reported that). */
export function exprRefs(e: Expr, sure: boolean): Refs | undefined {
  let c: ReturnType<typeof compileExpr>;
  try {
    c = compileExpr(e.source, e.pos);
  } catch {
    return undefined;
  }
  const out: Refs = { refs: [], tested: new Set() };
  const walk = (n: ExprNode, ok: boolean): void => {
    switch (n.t) {
      case 'name':
        out.refs.push({ name: n.name, pos: offsetPos(c.textPos, c.text, n.at), sure: ok });
        return;
      case 'filter':
        walk(n.arg, ok && !GUARD_FILTERS.has(n.name));
        return n.args.forEach((a) => walk(a, ok));
      case 'test':
        if (DEFINED_TESTS.has(n.name)) namesIn(n.arg, out.tested);
        walk(n.arg, ok && !DEFINED_TESTS.has(n.name));
        return n.args.forEach((a) => walk(a, ok));
      case 'bin':
        // `and`/`or` may never evaluate their right side
        walk(n.l, ok);
        return walk(n.r, ok && n.op !== 'and' && n.op !== 'or');
      case 'cond':
        walk(n.test, ok);
        walk(n.then, false);
        if (n.else) walk(n.else, false);
        return;
      default:
        eachChild(n, (ch) => walk(ch, ok));
    }
  };
  walk(c.ast, sure);
  return out;
}

/** HELPER_NAMES are the names a mustache calls rather than reads: tsplay's helpers and Handlebars' built-ins. */
const HELPER_NAMES: ReadonlySet<string> = new Set([...Object.keys(HELPERS), 'if', 'unless', 'each', 'with', 'lookup', 'log', '__capture']);
// `{{ path }}` and `{{helper arg "str"}}`, the common forms, read without loading Handlebars (as render.ts's obviouslyValid)
const SIMPLE = /\{\{\s*([A-Za-z_@][\w.@\-[\]]*(?:\s+(?:"[^"{}]*"|'[^'{}]*'|[\w.@\-[\]]+))*)\s*\}\}/g;
const WORD = /"[^"]*"|'[^']*'|\S+/g;

/** templatePos maps a Handlebars location (1-based line, 0-based column) into the file, as the renderer does for its errors. */
function templatePos(base: SourcePos, line: number, column: number): SourcePos {
  return line <= 1 ? { ...base, col: base.col + column } : { file: base.file, line: base.line + line - 1, col: column + 1 };
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - nl - 1 };
}

/** rootOf is the variable a Handlebars path reads, or undefined for `this`, `../x`, `@data` and literals. */
function rootOf(original: string): string | undefined {
  if (/^(this\b|\.|@|\d|-\d|true$|false$|null$|undefined$)/.test(original)) return undefined;
  const m = /^[^.[\]/]+/.exec(original);
  return m?.[0];
}

function simpleRefs(text: string, base: SourcePos, sure: boolean): Refs | undefined {
  const rest = text.replace(SIMPLE, '');
  if (rest.includes('{{') || rest.includes('}}')) return undefined;
  const out: Refs = { refs: [], tested: new Set() };
  for (const m of text.matchAll(SIMPLE)) {
    const inner = m[1]!;
    const innerAt = m.index + m[0].indexOf(inner);
    const words = [...inner.matchAll(WORD)];
    const head = words[0]![0];
    const args = HELPER_NAMES.has(head) ? words.slice(1) : words.length === 1 ? words : [];
    for (const w of args) {
      const name = rootOf(w[0]);
      if (name === undefined || /^["']/.test(w[0])) continue;
      const { line, column } = lineCol(text, innerAt + w.index);
      out.refs.push({ name, pos: templatePos(base, line, column), sure: sure && head !== 'default' });
    }
  }
  return out;
}

interface HbNode {
  readonly type: string;
  readonly loc?: { readonly start: { readonly line: number; readonly column: number } };
  readonly original?: unknown;
  readonly path?: HbNode;
  readonly params?: readonly HbNode[];
  readonly hash?: { readonly pairs: readonly { readonly value: HbNode }[] };
  readonly body?: readonly HbNode[];
}

/**
 * templateRefs lists the reads of a Handlebars template; undefined when it does not parse. Block
 * bodies are not read: `#each`/`#with` change what a bare name means, `#if`/`#unless` may skip them.
 */
export function templateRefs(text: string, base: SourcePos, sure: boolean): Refs | undefined {
  if (!text.includes('{{')) return { refs: [], tested: new Set() };
  const quick = simpleRefs(text, base, sure);
  if (quick) return quick;
  let ast: HbNode;
  try {
    ast = handlebars().parse(text) as unknown as HbNode;
  } catch {
    return undefined;
  }
  const out: Refs = { refs: [], tested: new Set() };
  const path = (n: HbNode, ok: boolean): void => {
    const name = typeof n.original === 'string' ? rootOf(n.original) : undefined;
    if (name !== undefined && n.loc) out.refs.push({ name, pos: templatePos(base, n.loc.start.line, n.loc.start.column), sure: ok });
  };
  const value = (n: HbNode, ok: boolean): void => {
    if (n.type === 'PathExpression') path(n, ok);
    else if (n.type === 'SubExpression') call(n, ok);
  };
  // a mustache, sub-expression or block: helper call or plain read
  const call = (n: HbNode, ok: boolean): void => {
    const head = n.path && typeof n.path.original === 'string' ? n.path.original : '';
    const params = n.params ?? [];
    const hash = n.hash?.pairs ?? [];
    if (n.path?.type !== 'PathExpression') return;
    if (!HELPER_NAMES.has(head)) {
      // `{{x}}` reads x; `{{unknown a}}` is a missing helper, which is not this check's business
      if (params.length === 0 && hash.length === 0 && n.type !== 'BlockStatement') path(n.path, ok);
      return;
    }
    const guarded = head === 'default' || head === 'if' || head === 'unless';
    for (const p of params) value(p, ok && !guarded);
    for (const h of hash) value(h.value, ok && !guarded);
  };
  for (const n of ast.body ?? []) {
    if (n.type === 'MustacheStatement' || n.type === 'BlockStatement') call(n, sure);
  }
  return out;
}
