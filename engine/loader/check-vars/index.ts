import { dirname } from 'node:path';
import type { Diagnostics, SourcePos } from '../../errors/index.ts';
import { shortPath } from '../../files/paths.ts';
import type { Inventory, Vars } from '../../inventory/types.ts';
import { findLocal } from '../../modules/support/local-files.ts';
import { didYouMean } from '../suggest.ts';
import { effectiveTags, selectByTags } from '../tags.ts';
import type { Expr, Play, Playbook, RoleRef, Task, TaskNode } from '../types.ts';
import { collectRun, type PlayFacts, type RunFacts } from './collect.ts';
import { CONNECTION_VAR, FACT_VAR, inventoryNames, MAGIC_VARS } from './known.ts';
import { searchPaths } from '../../files/search-paths.ts';
import { exprRefs, type Refs, templateRefs } from './refs.ts';

// The load-time check for undefined variables and missing controller files. It reports only what
// must fail the run: a read that is sure to happen (the task runs on every selected host: no
// `when` above it, not in rescue or a handler, tags select it, its loop is a non-empty literal,
// no ignore_errors/failed_when/rescue swallows its failure), unguarded, of a name no source can
// define. Anything it cannot prove is left for run time.

/** CheckOptions are what the run will use that decides which names exist and which tasks run. */
export interface CheckOptions {
  readonly inventory: Inventory;
  readonly extraVars: Vars;
  readonly tags?: readonly string[];
  readonly skipTags?: readonly string[];
  readonly limit?: string;
  readonly startAtTask?: string;
}

interface Scope {
  readonly names: ReadonlySet<string>;
  /** the node is reached on every selected host */
  readonly sure: boolean;
  readonly tags: readonly string[];
  readonly role: RoleRef | undefined;
}

interface PlayCheck {
  readonly play: Play;
  readonly pf: PlayFacts;
  readonly known: ReadonlySet<string>;
  readonly facts: boolean;
  readonly playbookDir: string;
  readonly deferred: Set<string>;
  readonly seen: Set<string>;
}

/** checkPlaybooks reports undefined variables and missing literal `src` files into diags; it returns the -v notes about what it left for run time, per playbook. */
export function checkPlaybooks(playbooks: readonly Playbook[], opts: CheckOptions, diags: Diagnostics): Map<Playbook, string[]> {
  const notes = new Map<Playbook, string[]>();
  if (opts.startAtTask !== undefined) {
    if (playbooks[0]) notes.set(playbooks[0], ['--start-at-task skips tasks: undefined variables and missing files are checked at run time only']);
    return notes;
  }
  const run = collectRun(playbooks.flatMap((pb) => pb.plays));
  let factsSoFar = run.factsTask;
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      const hosts = playHosts(play, opts);
      if (hosts === 0) continue;
      factsSoFar ||= play.gatherFacts;
      // a templated or odd host pattern may match nothing: such a play is left to run time
      if (hosts === undefined) continue;
      const c = newPlayCheck(play, run, opts, factsSoFar);
      if (typeof c === 'string') {
        addNote(notes, pb, c);
        continue;
      }
      const scope: Scope = { names: new Set(), sure: true, tags: play.tags, role: undefined };
      for (const n of [...play.preTasks, ...play.tasks, ...play.postTasks]) checkNode(n, scope, c, opts, diags);
      if (c.deferred.size > 0) {
        const d = c.pf.deferrals[0]!;
        addNote(notes, pb, `play "${play.name}": ${[...c.deferred].sort().join(', ')} may be undefined but ${d.why} (${where(d.pos)}), so this is checked at run time`);
      }
    }
  }
  return notes;
}

function addNote(notes: Map<Playbook, string[]>, pb: Playbook, note: string): void {
  notes.set(pb, [...(notes.get(pb) ?? []), note]);
}

const where = (p: SourcePos): string => `${shortPath(p.file)}:${p.line}:${p.col}`;

/** playHosts counts the hosts a play will run on, or undefined when that is known only at run time. */
function playHosts(play: Play, opts: CheckOptions): number | undefined {
  try {
    const limited = opts.limit !== undefined ? new Set(opts.inventory.match(opts.limit)) : undefined;
    return opts.inventory.match(play.hosts).filter((h) => !limited || limited.has(h)).length;
  } catch {
    return undefined;
  }
}

function newPlayCheck(play: Play, run: RunFacts, opts: CheckOptions, facts: boolean): PlayCheck | string {
  const playbookDir = dirname(play.pos.file);
  const pf = run.plays.get(play)!;
  const inv = inventoryNames(opts.inventory, playbookDir);
  if (inv === undefined) return `play "${play.name}": inventory variables beside ${shortPath(playbookDir)} cannot be read now, so undefined variables are checked at run time`;
  const known = new Set([...inv, ...run.dynamic, ...Object.keys(opts.extraVars), ...Object.keys(play.vars), ...Object.keys(play.varsFilesVars ?? {})]);
  for (const r of pf.roles) for (const v of [r.defaults, r.vars, r.params]) for (const k of Object.keys(v)) known.add(k);
  return { play, pf, known, facts, playbookDir, deferred: new Set(), seen: new Set() };
}

function isKnown(name: string, scope: Scope, c: PlayCheck): boolean {
  return scope.names.has(name) || c.known.has(name) || c.pf.tested.has(name) || MAGIC_VARS.has(name) || CONNECTION_VAR.test(name) || (c.facts && FACT_VAR.test(name));
}

function report(refs: Refs | undefined, scope: Scope, c: PlayCheck, diags: Diagnostics, task: string | undefined, what: string, exact = true, base?: SourcePos): void {
  for (const r of refs?.refs ?? []) {
    if (!r.sure || isKnown(r.name, scope, c)) continue;
    const pos = exact ? r.pos : base!;
    const key = `${r.name}\0${where(pos)}`;
    if (c.seen.has(key)) continue;
    c.seen.add(key);
    if (c.pf.deferrals.length > 0) {
      c.deferred.add(r.name);
      continue;
    }
    const factHint = FACT_VAR.test(r.name) && !c.facts ? 'it looks like a fact, and this play does not gather facts (gather_facts: false): turn them on or run setup first' : undefined;
    const candidates = [...scope.names, ...c.known, ...MAGIC_VARS];
    diags.add({
      code: 'E_UNDEFINED_VAR',
      message: `undefined variable '${r.name}' in ${what}: no inventory, vars, vars_files, role, facts, register, set_fact, include_vars or -e defines it`,
      pos,
      task,
      hint:
        factHint ??
        didYouMean(r.name, candidates) ??
        `define '${r.name}', or guard the read (${what === 'when' ? `"${r.name} is defined" or "${r.name} | default(...)"` : `{{default ${r.name} "..."}}`})`,
    });
  }
}

function checkExprs(exprs: readonly Expr[] | undefined, sure: boolean, what: string, scope: Scope, c: PlayCheck, diags: Diagnostics, task: string | undefined): void {
  // a list is an AND: only its first item is sure to be evaluated
  (exprs ?? []).forEach((e, i) => report(exprRefs(e, sure && i === 0), scope, c, diags, task, what));
}

function withNames(scope: Scope, ...more: (Iterable<string> | undefined)[]): ReadonlySet<string> {
  const out = new Set(scope.names);
  for (const m of more) for (const n of m ?? []) out.add(n);
  return out;
}

function checkNode(n: TaskNode, scope: Scope, c: PlayCheck, opts: CheckOptions, diags: Diagnostics): void {
  if (n.kind === 'block' && n.roleDuplicate) return;
  const tags = effectiveTags(scope.tags, n.tags);
  const selected = n.kind === 'block' || selectByTags(tags, opts.tags ?? [], opts.skipTags ?? []);
  const role = n.role ?? scope.role;
  // a failure that ignore_errors (or, for args, failed_when) swallows is no sure failure of the run
  const failureCounts = n.ignoreErrors !== true && !(n.kind === 'task' && n.failedWhen !== undefined);
  const here: Scope = { names: withNames(scope, Object.keys(n.vars)), sure: scope.sure && selected && failureCounts, tags, role };
  if (n.kind === 'block') {
    checkExprs(n.when, here.sure, 'when', here, c, diags, n.name);
    // a failure inside a block with rescue is rescued: the run goes on
    const inner = { ...here, sure: here.sure && n.when.length === 0 && n.rescue.length === 0 };
    for (const x of n.block) checkNode(x, inner, c, opts, diags);
    for (const x of n.rescue) checkNode(x, { ...inner, sure: false }, c, opts, diags);
    for (const x of n.always) checkNode(x, { ...inner, sure: here.sure && n.when.length === 0 }, c, opts, diags);
    return;
  }
  const loop = n.loop;
  if (loop && typeof loop.items === 'string') report(templateRefs(loop.items, loop.itemsPos ?? loop.pos, here.sure && n.when.length === 0), here, c, diags, n.name, 'loop');
  // `when` is evaluated per item, and an empty loop runs nothing: only a literal non-empty list is sure
  const perItem: Scope = {
    ...here,
    sure: here.sure && (!loop || (Array.isArray(loop.items) && loop.items.length > 0)),
    names: withNames(here, loop ? [loop.loopVar, ...(loop.indexVar ? [loop.indexVar] : [])] : []),
  };
  checkExprs(n.when, perItem.sure, 'when', perItem, c, diags, n.name);
  const body: Scope = { ...perItem, sure: perItem.sure && n.when.length === 0 };
  if (n.kind === 'include') {
    for (const x of n.tasks ?? []) checkNode(x, body, c, opts, diags);
    return;
  }
  checkArgs(n, body, c, diags);
  checkExprs(n.changedWhen, body.sure, 'changed_when', body, c, diags, n.name);
  checkExprs(n.until, body.sure, 'until', body, c, diags, n.name);
  if (body.sure) checkSrc(n, role, c, diags);
}

/** NOT_READ are arguments that are not templates: debug's `var` names a variable (an undefined one prints as such), assert's `that` holds conditions. */
const NOT_READ: Record<string, readonly string[]> = { debug: ['var'], assert: ['that'] };

function strings(v: unknown, out: string[]): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

function checkArgs(t: Task, scope: Scope, c: PlayCheck, diags: Diagnostics): void {
  if (!scope.sure) return;
  for (const [k, v] of Object.entries(t.args)) {
    if (NOT_READ[t.module]?.includes(k)) continue;
    const base = t.argPos[k] ?? t.pos;
    // a nested value's own position is not kept: its reads are reported at the argument
    if (typeof v === 'string') report(templateRefs(v, base, true), scope, c, diags, t.name, `${t.module} ${k}`);
    else for (const s of strings(v, [])) report(templateRefs(s, base, true), scope, c, diags, t.name, `${t.module} ${k}`, false, base);
  }
}

const literal = (v: unknown): v is string => typeof v === 'string' && !v.includes('{{');
const FALSY = new Set<unknown>([undefined, false, 'no', 'false', 'False', 'off', 'n', '0', 0]);

/** checkSrc reports a literal controller-side source file that the module will not find. */
function checkSrc(t: Task, role: RoleRef | undefined, c: PlayCheck, diags: Diagnostics): void {
  const a = t.args;
  const paths = searchPaths((t.role ?? role)?.path, c.playbookDir);
  let arg: string | undefined;
  let dirs: readonly string[] = [];
  if (t.module === 'copy' && a['content'] === undefined && FALSY.has(a['remote_src'])) [arg, dirs] = ['src', paths.files];
  else if (t.module === 'template') [arg, dirs] = ['src', paths.templates];
  else if (t.module === 'include_vars' && a['dir'] === undefined) [arg, dirs] = [a['file'] !== undefined ? 'file' : 'free_form', paths.vars];
  const src = arg === undefined ? undefined : a[arg];
  if (arg === undefined || !literal(src) || findLocal(src, dirs) !== undefined) return;
  diags.add({
    code: 'E_FILE_NOT_FOUND',
    message: `${t.module}: ${arg === 'free_form' ? 'file' : arg} '${src}' exists nowhere ${t.module} looks (${dirs.map(shortPath).join(', ')})`,
    pos: t.argPos[arg] ?? t.pos,
    task: t.name,
  });
}
