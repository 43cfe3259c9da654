// The template stage: Handlebars for strings and files, a safe expression language for conditions.
export { renderText, renderValue, checkTemplate, templateVars, hostVarsView, type TemplateSite } from './render.ts';
export { markTemplated } from './lazy-vars.ts';
export { compileExpr, evalExpr, evalCondition, type CompiledExpr, type ExprSite } from './expr/index.ts';
export type { Expr } from './expr/ast.ts';
export { truthy } from '../py/values.ts';
export { shQuote } from '../py/quote.ts';
export { toBool } from './to-bool.ts';
export { parseCidr, macToDashes } from './ipaddr.ts';
