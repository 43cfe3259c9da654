import type { SourcePos } from '../errors/index.ts';
import { TsplayError } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import { isMapping } from '../py/values.ts';

/**
 * Lazy templating of variable values, as Ansible does it: a variable whose value holds `{{ }}`
 * is rendered when a template or expression looks its NAME up, against the same variable set,
 * recursively (a → b → c), the whole value at once (a dict's fields, a list's items), memoized
 * per view. Nothing is rendered ahead of use, so a task pays only for the names it reads.
 */

/** LazySite is where the template that triggered a lookup comes from (for error messages). */
export interface LazySite {
  readonly pos?: SourcePos | undefined;
  readonly task?: string | undefined;
  readonly host?: string | undefined;
}

/** LazyRender renders a value against a vars view (render.ts's renderValue, injected to avoid an import cycle). */
export type LazyRender = (value: unknown, vars: Vars, where: LazySite) => unknown;

/**
 * TEMPLATED marks a vars object with the variables that may be templated (name → the value they
 * had when marked). Why a mark: facts, registered results, set_fact values and magic variables
 * are data (Ansible's "unsafe") — a command's stdout that contains `{{` must stay as it is. The
 * mark is an enumerable symbol so `{...vars, item}` keeps it; names added that way (loop items,
 * a fresh `register`) are not in it and so stay raw. Vars without a mark template every name.
 */
export const TEMPLATED: unique symbol = Symbol('tsplay.templatedVars');

/** markTemplated records on vars which of its names may be templated; returns vars. */
export function markTemplated(vars: Vars, templated: Vars): Vars {
  (vars as Record<symbol, unknown>)[TEMPLATED] = templated;
  return vars;
}

interface ViewState {
  readonly raw: Vars;
  readonly templated: Vars | undefined;
  readonly memo: Map<string, unknown>;
  readonly render: LazyRender;
  /** names a view made for hostvars[h], so a loop through other hosts' vars is recognised */
  readonly label: string | undefined;
  site: LazySite;
}

const states = new WeakMap<object, ViewState>();
const viewOfMarked = new WeakMap<object, Vars>();
/** the variables being rendered right now, outermost first (rendering is synchronous) */
const resolving: { state: ViewState; name: string }[] = [];
/** deeper than this is a loop through views that are created afresh (hostvars of several hosts) */
const MAX_DEPTH = 100;
const annotated = new WeakSet<object>();
/** the site of the outermost render under way, for views made in the middle of it (hostvars) */
let topSite: LazySite = {};

const holdsCache = new WeakMap<object, boolean>();
/** holdsTemplate tells whether a value has a string with `{{` anywhere; objects are scanned once. */
function holdsTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{{');
  if (typeof v !== 'object' || v === null) return false;
  const hit = holdsCache.get(v);
  if (hit !== undefined) return hit;
  let found = false;
  if (Array.isArray(v)) found = v.some(holdsTemplate);
  else if (isMapping(v) && !states.has(v)) found = Object.values(v).some(holdsTemplate);
  holdsCache.set(v, found);
  return found;
}

const anyCache = new WeakMap<object, boolean>();
/** anyTemplate tells whether any variable of a templated map holds `{{`; once per map (spreads of task vars share it). */
function anyTemplate(templated: Vars): boolean {
  let hit = anyCache.get(templated);
  if (hit === undefined) {
    hit = Object.values(templated).some(holdsTemplate);
    anyCache.set(templated, hit);
  }
  return hit;
}

function loopError(chain: readonly string[], site: LazySite): TsplayError {
  return new TsplayError({
    code: 'E_TEMPLATE_LOOP',
    message: `recursive loop detected in template string: variable ${chain.map((n) => `'${n}'`).join(' -> ')} (each one's value uses the next)`,
    pos: site.pos,
    task: site.task,
    host: site.host,
    hint: `give one of ${[...new Set(chain)].join(', ')} a value that does not refer back to the others`,
  });
}

/** inValueOf adds to an error raised while rendering a variable's value which variable that was. */
function inValueOf(err: unknown, site: LazySite): unknown {
  if (!(err instanceof TsplayError) || err.code === 'E_TEMPLATE_LOOP' || annotated.has(err)) return err;
  const chain = resolving.map((e) => e.name).join(' -> ');
  const out = new TsplayError(
    { code: err.code, message: `${err.message} (in the value of variable ${chain})`, pos: site.pos ?? err.pos, task: err.task ?? site.task, host: err.host ?? site.host, hint: err.hint },
    { cause: err },
  );
  annotated.add(out);
  return out;
}

function resolve(st: ViewState, view: Vars, name: string, value: unknown): unknown {
  if (st.memo.has(name)) return st.memo.get(name);
  const again = resolving.findIndex((e) => e.name === name && (e.state === st || (st.label !== undefined && e.state.label === st.label)));
  if (again >= 0 || resolving.length >= MAX_DEPTH) {
    throw loopError([...resolving.slice(Math.max(again, 0)).map((e) => e.name), name], st.site);
  }
  const site = st.site;
  resolving.push({ state: st, name });
  let out: unknown;
  try {
    out = st.render(value, view, { pos: site.pos, task: site.task, host: site.host });
  } catch (err) {
    // Ansible's hostvars[h] templates with fail_on_undefined=False: a value using an undefined variable stays as written
    if (st.label !== undefined && err instanceof TsplayError && err.code === 'E_UNDEFINED_VAR') out = value;
    else throw inValueOf(err, site);
  } finally {
    resolving.pop();
  }
  st.memo.set(name, out);
  return out;
}

/** byTarget finds a view's state from its Proxy target, so one handler serves every view (no closures per view). */
const byTarget = new WeakMap<object, ViewState & { view: Vars }>();
const st = (t: object): ViewState & { view: Vars } => byTarget.get(t)!;

// the Proxy's target is an empty stand-in, so no invariant ties reported values to raw's
// (raw may hold frozen or non-configurable properties, like hostvars' getters)
const HANDLER: ProxyHandler<Vars> = {
  get(t, k): unknown {
    const s = st(t);
    const v: unknown = Reflect.get(s.raw, k);
    if (typeof k !== 'string') return v;
    if (s.templated && !(Object.hasOwn(s.templated, k) && Object.is(s.templated[k], v))) return v;
    if (!holdsTemplate(v)) return v;
    return resolve(s, s.view, k, v);
  },
  has: (t, k) => k in st(t).raw,
  ownKeys: (t) => Reflect.ownKeys(st(t).raw),
  getOwnPropertyDescriptor(t, k): PropertyDescriptor | undefined {
    const d = Reflect.getOwnPropertyDescriptor(st(t).raw, k);
    return d ? { ...d, configurable: true } : undefined;
  },
  set(t, k, v): boolean {
    const s = st(t);
    if (typeof k === 'string') s.memo.delete(k);
    return Reflect.set(s.raw, k, v);
  },
  deleteProperty(t, k): boolean {
    const s = st(t);
    if (typeof k === 'string') s.memo.delete(k);
    return Reflect.deleteProperty(s.raw, k);
  },
};

function makeView(raw: Vars, render: LazyRender, site: LazySite, label: string | undefined): Vars {
  const templated = (raw as Record<symbol, unknown>)[TEMPLATED] as Vars | undefined;
  const target = {} as Vars;
  const view: Vars = new Proxy(target, HANDLER);
  const state = { raw, templated, memo: new Map<string, unknown>(), render, label, site, view };
  byTarget.set(target, state);
  states.set(view, state);
  return view;
}

/**
 * lazyVars returns a view of vars that templates a variable's value when its name is read.
 * A view passed in is returned as it is (nested rendering shares memo and loop guard); a marked
 * vars object (the executor's task vars, which nobody changes afterwards) keeps one view, so
 * a task's arguments, conditions and templates share the rendered values.
 */
export function lazyVars(vars: Vars, where: LazySite, render: LazyRender): Vars {
  if (resolving.length === 0) topSite = where;
  const own = states.get(vars);
  if (own) {
    if (resolving.length === 0) own.site = where;
    return vars;
  }
  const marked = Object.hasOwn(vars, TEMPLATED);
  if (marked) {
    // most tasks' vars hold no template at all: then there is nothing to render and no view to pay for
    if (!anyTemplate((vars as Record<symbol, unknown>)[TEMPLATED] as Vars)) return vars;
    const v = viewOfMarked.get(vars);
    if (v) {
      if (resolving.length === 0) states.get(v)!.site = where;
      return v;
    }
  }
  const view = makeView(vars, render, where, undefined);
  if (marked) viewOfMarked.set(vars, view);
  return view;
}

/** labelledLazyVars is lazyVars for another host's vars (`hostvars[h]`), labelled so loops across hosts are caught. */
export function labelledLazyVars(vars: Vars, label: string, render: LazyRender): Vars {
  return makeView(vars, render, topSite, label);
}

/**
 * plainOf turns a view that escapes as a value (`var=hostvars.h1`, `x: "{{ hostvars.h1 }}"`)
 * into a plain object, so results and set_fact values are ordinary data: each variable is
 * rendered, and one that cannot be keeps its raw text rather than failing far from the cause.
 */
export function plainOf(v: unknown): unknown {
  const st = typeof v === 'object' && v !== null ? states.get(v) : undefined;
  if (!st) return v;
  const out: Vars = {};
  for (const k of Object.keys(st.raw)) {
    try {
      out[k] = (v as Vars)[k];
    } catch {
      out[k] = st.raw[k];
    }
  }
  return out;
}
