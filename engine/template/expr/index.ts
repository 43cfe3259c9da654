import type { SourcePos } from '../../errors/index.ts';
import type { Vars } from '../../inventory/types.ts';
import { truthy } from '../../py/values.ts';
import type { Expr, ExprNode } from './ast.ts';
import { evaluate } from './evaluate.ts';
import { parseExpr } from './parse.ts';
import { offsetPos } from './tokenize.ts';

/** CompiledExpr is an Expr with its syntax tree, ready to evaluate many times. */
export interface CompiledExpr extends Expr {
  readonly ast: ExprNode;
  /** the text actually parsed (a surrounding `{{ }}` removed) and where it starts */
  readonly text: string;
  readonly textPos: SourcePos;
  /** set when the source was wrapped in `{{ }}`, which Ansible warns about too */
  readonly warning?: string;
}

/** ExprSite names the task and host an expression is evaluated for, for error messages. */
export interface ExprSite {
  readonly task?: string | undefined;
  readonly host?: string | undefined;
}

const cache = new Map<string, CompiledExpr>();
const WRAPPED = /^(\s*)\{\{([\s\S]*)\}\}\s*$/;

/** compileExpr parses a `when`/`changed_when`/`failed_when`/`until` expression; a syntax error is E_WHEN_SYNTAX at the offending token. */
export function compileExpr(source: string, pos: SourcePos): CompiledExpr {
  const key = `${pos.file}\0${pos.line}\0${pos.col}\0${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let text = source;
  let textPos = pos;
  let warning: string | undefined;
  const m = WRAPPED.exec(source);
  if (m && !m[2]!.includes('{{')) {
    text = m[2]!;
    textPos = offsetPos(pos, source, m[1]!.length + 2);
    warning = `conditional statements should not include jinja2 templating delimiters such as {{ }}: ${source.trim()}`;
  }
  const ast = parseExpr(text, textPos);
  const out: CompiledExpr = warning === undefined ? { source, pos, text, textPos, ast } : { source, pos, text, textPos, ast, warning };
  if (cache.size > 10000) cache.clear();
  cache.set(key, out);
  return out;
}

/** evalExpr evaluates an expression to a value; undefined variables are E_UNDEFINED_VAR, type errors E_EXPR_EVAL. */
export function evalExpr(expr: CompiledExpr | Expr, vars: Vars, site: ExprSite = {}): unknown {
  const c = 'ast' in expr ? (expr as CompiledExpr) : compileExpr(expr.source, expr.pos);
  return evaluate(c.ast, vars, { text: c.text, pos: c.textPos, task: site.task, host: site.host });
}

/** evalCondition is true when every expression is truthy, as a `when:` list is an AND. */
export function evalCondition(exprs: readonly (CompiledExpr | Expr)[], vars: Vars, site: ExprSite = {}): boolean {
  return exprs.every((e) => truthy(evalExpr(e, vars, site)));
}
