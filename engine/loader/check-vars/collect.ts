import { dirname } from 'node:path';
import { isMap, type Node } from 'yaml';
import { Diagnostics, type SourcePos } from '../../errors/index.ts';
import { loadYamlFile } from '../../files/yaml-file.ts';
import { findLocal } from '../../modules/support/local-files.ts';
import type { Play, RoleRef, Task, TaskNode } from '../types.ts';
import { searchPaths } from '../../files/search-paths.ts';
import { exprRefs } from './refs.ts';

// The first pass: what the whole run may define (register, set_fact, include_vars, facts) and,
// per play, what it tests with `is defined` and what keeps it from being checked statically.

/** Deferral is why a play's undefined-looking names are left for run time, and where that is written. */
export interface Deferral {
  readonly why: string;
  readonly pos: SourcePos;
}

/** PlayFacts is what the first pass learns about one play. */
export interface PlayFacts {
  readonly roles: Set<RoleRef>;
  readonly tested: Set<string>;
  readonly deferrals: Deferral[];
}

/** RunFacts is what the first pass learns about the whole run: names defined while it runs, in any order. */
export interface RunFacts {
  readonly dynamic: Set<string>;
  /** some task runs setup/gather_facts, so facts may exist whatever gather_facts says */
  factsTask: boolean;
  readonly plays: Map<Play, PlayFacts>;
}

/** allNodes lists a task list's nodes depth first, blocks' sections and loaded includes included. */
export function allNodes(nodes: readonly TaskNode[]): TaskNode[] {
  return nodes.flatMap((n) => [n, ...(n.kind === 'block' ? allNodes([...n.block, ...n.rescue, ...n.always]) : n.kind === 'include' ? allNodes(n.tasks ?? []) : [])]);
}

const templated = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');

/** includeVarsNames reads the names a literal include_vars file defines; a string when it cannot be known now. */
function includeVarsNames(t: Task, playbookDir: string): string[] | string {
  const a = t.args;
  if (a['dir'] !== undefined) return 'include_vars dir: is read at run time';
  const file = a['file'] ?? a['free_form'];
  if (typeof a['name'] === 'string' && !templated(a['name'])) return [a['name']];
  if (a['name'] !== undefined) return 'include_vars has a templated name:';
  if (typeof file !== 'string' || templated(file)) return 'include_vars names a templated file';
  const path = findLocal(file, searchPaths(t.role?.path, playbookDir).vars);
  if (path === undefined) return []; // the missing file is reported (or deferred) with the src check
  const f = loadYamlFile(path, new Diagnostics());
  const root = f?.doc.contents as Node | null | undefined;
  if (root === null || root === undefined) return f ? [] : `include_vars file ${file} cannot be read`;
  if (!isMap(root)) return `include_vars file ${file} is not a mapping`;
  return Object.keys(root.toJS(f!.doc) as object);
}

function collectTask(t: Task, play: Play, pf: PlayFacts, run: RunFacts): void {
  if (t.register !== undefined) run.dynamic.add(t.register);
  for (const e of [...t.when, ...(t.changedWhen ?? []), ...(t.failedWhen ?? []), ...(t.until ?? [])]) for (const n of exprRefs(e, false)?.tested ?? []) pf.tested.add(n);
  const m = t.module;
  if (m === 'set_fact') {
    for (const k of Object.keys(t.args)) {
      if (k.includes('{{')) pf.deferrals.push({ why: 'set_fact with a templated name', pos: t.argPos[k] ?? t.pos });
      else if (k !== 'cacheable') run.dynamic.add(k);
    }
  } else if (m === 'include_vars') {
    const names = includeVarsNames(t, dirname(play.pos.file));
    if (typeof names === 'string') pf.deferrals.push({ why: names, pos: t.argPos['file'] ?? t.argPos['free_form'] ?? t.argPos['dir'] ?? t.pos });
    else for (const n of names) run.dynamic.add(n);
  } else if (m === 'setup' || m === 'gather_facts') run.factsTask = true;
  else if (m === 'meta' && /^end_/.test(String(t.args['free_form'] ?? ''))) pf.deferrals.push({ why: `meta ${String(t.args['free_form'])} may stop hosts before later tasks`, pos: t.pos });
  else if (m === 'assert') {
    const that = t.args['that'];
    for (const s of Array.isArray(that) ? that : [that]) {
      if (typeof s === 'string') for (const n of exprRefs({ source: s, pos: t.argPos['that'] ?? t.pos }, false)?.tested ?? []) pf.tested.add(n);
    }
  }
}

/** collectRun makes the first pass over every play of the run. */
export function collectRun(plays: readonly Play[]): RunFacts {
  const run: RunFacts = { dynamic: new Set(), factsTask: false, plays: new Map() };
  for (const play of plays) {
    const pf: PlayFacts = { roles: new Set(play.roles), tested: new Set(), deferrals: [] };
    run.plays.set(play, pf);
    for (const f of play.varsFiles) if (f.includes('{{')) pf.deferrals.push({ why: `vars_files entry ${f} is templated`, pos: play.pos });
    for (const n of allNodes([...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers])) {
      if (n.role) pf.roles.add(n.role);
      if (n.kind === 'task') collectTask(n, play, pf, run);
      else for (const e of n.when) for (const x of exprRefs(e, false)?.tested ?? []) pf.tested.add(x);
      if (n.kind === 'include' && !n.tasks) pf.deferrals.push({ why: `${n.what} ${n.target} is only known per host`, pos: n.pos });
    }
  }
  return run;
}
