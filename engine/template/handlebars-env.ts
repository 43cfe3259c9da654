import { createRequire } from 'node:module';
import type HandlebarsNs from 'handlebars';
import { HELPERS, LENIENT_HELPERS, strictHelper, UndefinedHelperArg, type HelperOptions } from './helpers.ts';

/** HB is the Handlebars namespace type. */
export type HB = typeof HandlebarsNs;

let env: HB | undefined;
/** captured holds the value of a type-keeping `{{ expr }}` while it is rendered (rendering is synchronous). */
let captured: unknown;

/**
 * handlebars returns tsplay's Handlebars instance, created on first use: requiring it costs
 * ~25 ms, which `--version` and `--syntax-check` of a template-free playbook should not pay.
 */
export function handlebars(): HB {
  if (env) return env;
  const hb = (createRequire(import.meta.url)('handlebars') as HB).create();
  stringifyOutput(hb);
  for (const [name, fn] of Object.entries(HELPERS)) {
    hb.registerHelper(name, LENIENT_HELPERS.has(name) ? (...args: unknown[]) => fn(...args.slice(0, -1)) : strictHelper(name, fn));
  }
  // Built-in block helpers take their parameter leniently in strict mode; `each`/`with` over an
  // undefined variable would silently render nothing, so they get the same check as ours.
  for (const name of ['each', 'with'] as const) {
    const original = hb.helpers[name] as (...args: unknown[]) => unknown;
    hb.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      const options = args.at(-1) as HelperOptions;
      if (args.length > 1 && args[0] === undefined) throw new UndefinedHelperArg(name, 0, options.loc);
      return original.apply(this, args);
    });
  }
  hb.registerHelper('__capture', (value: unknown) => {
    captured = value;
    return '';
  });
  env = hb;
  return hb;
}

/**
 * stringifyOutput makes every appended value a string. Why: with noEscape Handlebars skips
 * escapeExpression (which stringifies), and a template that starts with two mustaches compiles to
 * `a + b`, so `{{a}}{{b}}` with numbers 1 and 2 renders "3". A compiler subclass (the extension
 * point Handlebars documents) prefixes each appended piece with `""+`.
 */
function stringifyOutput(hb: HB): void {
  type Compiler = { appendToBuffer(source: unknown, location: unknown, explicit: unknown): unknown; compiler: unknown };
  const Base = (hb as unknown as { JavaScriptCompiler: new () => Compiler }).JavaScriptCompiler;
  function StringCompiler(): void {}
  StringCompiler.prototype = new Base();
  StringCompiler.prototype.compiler = StringCompiler;
  StringCompiler.prototype.appendToBuffer = function (this: Compiler, source: unknown, location: unknown, explicit: unknown): unknown {
    const parts = Array.isArray(source) ? source : [source];
    return Base.prototype.appendToBuffer.call(this, ['""+(', ...parts, ')'], location, explicit);
  };
  (hb as unknown as { JavaScriptCompiler: unknown }).JavaScriptCompiler = StringCompiler;
}

/** takeCaptured returns and clears the value stored by the `__capture` helper. */
export function takeCaptured(): unknown {
  const v = captured;
  captured = undefined;
  return v;
}
