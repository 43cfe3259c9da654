import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Diagnostics, SourcePos } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import { PLAY_KEYWORDS, unknownKeywordMessage } from './keywords.ts';
import type { PlayContext } from './load-context.ts';
import { newPlayContext } from './play-context.ts';
import { expandRole, flattenHandlers, readRoleEntry } from './roles.ts';
import { didYouMean } from './suggest.ts';
import { parseTaskList } from './tasks.ts';
import type { Play, Task, TaskNode } from './types.ts';
import { Reader } from './values.ts';
import { keyName, type Mutable, pairsOf } from './yaml-pairs.ts';
import { shortPath } from '../files/paths.ts';
import { loadYamlFile, type YamlFile } from '../files/yaml-file.ts';

/** PlaybookContext is shared by all files of one run: diagnostics, extra vars, import stack. */
export interface PlaybookContext {
  readonly diags: Diagnostics;
  readonly extraVars: Vars;
  readonly fileStack: string[];
  readonly warnings: string[];
}

/** readVarsFiles loads a play's static vars_files (templated names are left for run time). */
function readVarsFiles(r: Reader, node: Node, baseDir: string, pctx: PlaybookContext): { files: string[]; vars: Vars } {
  const files: string[] = [];
  const vars: Vars = {};
  const items: Node[] = isSeq(node) ? (node.items as Node[]) : [node];
  for (const item of items) {
    // a nested list means "the first of these that exists"; tsplay takes the first static one
    const name = isSeq(item) ? (item.items[0] as Node | undefined) : item;
    if (!isScalar(name) || typeof name.value !== 'string') {
      r.bad(item, 'vars_files', 'a list of file names');
      continue;
    }
    const raw = name.value;
    if (raw.includes('{{')) {
      files.push(raw);
      continue;
    }
    const path = isAbsolute(raw) ? raw : resolve(baseDir, raw);
    files.push(path);
    const f = loadYamlFile(path, pctx.diags, r.f.valuePos(name));
    if (!f) continue;
    const root = f.doc.contents as Node | null;
    if (root === null || (isScalar(root) && root.value === null)) continue;
    // Ansible takes a mapping, or a list of mappings merged in order
    const parts = isSeq(root) ? (root.items as Node[]) : [root];
    const bad = parts.find((p) => !isMap(p));
    if (bad !== undefined) {
      pctx.diags.add({ code: 'E_VARS_FILE', message: `vars file ${raw} must be a mapping of variables (or a list of mappings)`, pos: f.pos(isSeq(root) ? bad : root) });
      continue;
    }
    for (const p of parts) Object.assign(vars, p.toJS(f.doc) as Vars);
  }
  return { files, vars };
}

/** checkNotifies reports notify entries that name no handler and no listen topic of the play. */
function checkNotifies(ctx: PlayContext, handlers: readonly Task[]): void {
  const known = new Set<string>();
  for (const h of handlers) {
    if (h.name !== undefined) {
      known.add(h.name);
      if (h.role) known.add(`${h.role.name} : ${h.name}`);
    }
    for (const l of h.listen) known.add(l);
  }
  for (const n of ctx.notifies) {
    if (n.name.includes('{{') || known.has(n.name)) continue;
    ctx.diags.add({
      code: 'E_UNDEFINED_HANDLER',
      message: `notify: no handler or listen topic named "${n.name}" in this play`,
      pos: n.pos,
      task: n.task,
      hint: didYouMean(n.name, known) ?? (known.size ? `handlers here: ${[...known].map((k) => `"${k}"`).join(', ')}` : 'this play has no handlers'),
    });
  }
}

type Get = (k: string) => Node | null | undefined;

/** readHosts reads `hosts:` (a pattern, or a YAML list of them); hosts is undefined when it is missing or bad. */
function readHosts(r: Reader, get: Get, pos: SourcePos): { hosts: string | undefined; hostList: string[] | undefined } {
  const hostsNode = get('hosts');
  if (hostsNode === undefined || (isScalar(hostsNode) && hostsNode.value === null)) {
    r.diags.add({ code: 'E_PLAY_SHAPE', message: 'a play needs `hosts:`', pos, hint: 'add `hosts: all` (or a group or pattern)' });
    return { hosts: undefined, hostList: undefined };
  }
  if (isSeq(hostsNode)) {
    const hostList = r.strList(hostsNode, 'hosts', false);
    return { hosts: hostList.join(','), hostList };
  }
  return { hosts: r.str(hostsNode, 'hosts'), hostList: undefined };
}

/** readPlayRoles expands the play's `roles:` into task nodes, in order. */
function readPlayRoles(r: Reader, get: Get, ctx: PlayContext): TaskNode[] {
  const roleTasks: TaskNode[] = [];
  const rolesNode = get('roles');
  if (rolesNode === undefined || (isScalar(rolesNode) && rolesNode.value === null)) return roleTasks;
  if (!isSeq(rolesNode)) {
    r.bad(rolesNode, 'roles', 'a list of roles');
    return roleTasks;
  }
  for (const entry of rolesNode.items as Node[]) {
    const use = readRoleEntry(r.f, entry, ctx);
    const res = use && expandRole(use, ctx);
    if (res) roleTasks.push(...res.tasks);
  }
  return roleTasks;
}

/** readSerial reads `serial:`: a number, a percentage, or a list of them (batch sizes in turn). */
function readSerial(r: Reader, v: Node | null): (number | string)[] {
  const items: Node[] = isSeq(v) ? (v.items as Node[]) : [v as Node];
  const serial: (number | string)[] = [];
  for (const it of items) {
    if (isScalar(it) && typeof it.value === 'number' && Number.isInteger(it.value) && it.value >= 0) serial.push(it.value);
    else if (isScalar(it) && typeof it.value === 'string' && /^\d+(\.\d+)?%$|^\d+$/.test(it.value.trim())) serial.push(/%$/.test(it.value) ? it.value.trim() : Number(it.value));
    else r.bad(it, 'serial', 'a number, a percentage like "30%", or a list of them');
  }
  return serial;
}

/** readPlayKeywords fills in the play keywords that only set a field (become, strategy, serial...). */
function readPlayKeywords(r: Reader, pairs: Pair<Node, Node>[], play: Mutable<Play>): void {
  for (const p of pairs) {
    const k = keyName(p);
    const v = p.value;
    switch (k) {
      case 'become':
      case 'gather_facts':
      case 'any_errors_fatal':
      case 'force_handlers': {
        const b = r.bool(v, k);
        if (b === undefined) break;
        if (k === 'become') play.become = b;
        else if (k === 'gather_facts') play.gatherFacts = b;
        else if (k === 'any_errors_fatal') play.anyErrorsFatal = b;
        else play.forceHandlers = b;
        break;
      }
      case 'become_user':
      case 'connection':
      case 'remote_user': {
        const s = r.str(v, k);
        if (s === undefined) break;
        if (k === 'become_user') play.becomeUser = s;
        else if (k === 'connection') play.connection = s;
        else play.remoteUser = s;
        break;
      }
      case 'environment': {
        const m = r.mapping(v, k);
        if (m) play.environment = m;
        break;
      }
      case 'strategy': {
        const s = r.str(v, k);
        if (s === 'linear' || s === 'free') play.strategy = s;
        else if (s !== undefined) r.diags.add({ code: 'E_KEYWORD_TYPE', message: `strategy "${s}" is not supported (linear or free)`, pos: r.f.valuePos(v), hint: didYouMean(s, ['linear', 'free']) });
        break;
      }
      case 'serial':
        play.serial = readSerial(r, v);
        break;
      case 'max_fail_percentage': {
        const n = isScalar(v) ? Number(typeof v.value === 'string' ? v.value.replace(/%$/, '') : v.value) : NaN;
        if (Number.isFinite(n) && n >= 0 && n <= 100) play.maxFailPercentage = n;
        else r.bad(v, k, 'a number from 0 to 100');
        break;
      }
    }
  }
}

/** parsePlay reads one play mapping; roles are expanded into the task list and all problems collected. */
function parsePlay(f: YamlFile, node: YAMLMap, pctx: PlaybookContext, inherited: { tags: string[]; vars: Vars }): Play | undefined {
  const r = new Reader(f, pctx.diags, pctx.warnings);
  const pairs = pairsOf(node);
  const get: Get = (k) => pairs.find((p) => keyName(p) === k)?.value;
  const pos = f.pos(node);
  for (const p of pairs) {
    const k = keyName(p);
    if (!PLAY_KEYWORDS.has(k)) pctx.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: unknownKeywordMessage(k, 'a play'), pos: f.pos(p.key as Node), hint: didYouMean(k, PLAY_KEYWORDS) });
  }
  const { hosts, hostList } = readHosts(r, get, pos);
  const explicitName = get('name') !== undefined ? r.str(get('name'), 'name') : undefined;
  const playVars = { ...inherited.vars, ...(r.mapping(get('vars'), 'vars') ?? {}) };
  const baseDir = dirname(f.file);
  const vf = get('vars_files') !== undefined ? readVarsFiles(r, get('vars_files')!, baseDir, pctx) : { files: [], vars: {} };
  const ctx = newPlayContext({ diags: pctx.diags, playbookDir: baseDir, staticVars: { ...vf.vars, ...playVars, ...pctx.extraVars }, fileStack: pctx.fileStack, warnings: pctx.warnings });
  const listOpts = { file: f.file, dir: baseDir, handlers: false };
  const preTasks = parseTaskList(r, get('pre_tasks'), listOpts, ctx);
  const roleTasks = readPlayRoles(r, get, ctx);
  const tasks = parseTaskList(r, get('tasks'), listOpts, ctx);
  const postTasks = parseTaskList(r, get('post_tasks'), listOpts, ctx);
  const playHandlers = flattenHandlers(parseTaskList(r, get('handlers'), { ...listOpts, handlers: true }, ctx));
  const handlers = [...ctx.roleHandlers, ...playHandlers];
  checkNotifies(ctx, handlers);

  const play: Mutable<Play> = {
    pos,
    name: explicitName ?? hosts ?? '',
    hosts: hosts ?? '',
    ...(hostList ? { hostList } : {}),
    vars: playVars,
    varsFiles: vf.files,
    roles: ctx.roles,
    preTasks,
    tasks: [...roleTasks, ...tasks],
    postTasks,
    handlers,
    gatherFacts: true,
    strategy: 'linear',
    tags: [...inherited.tags, ...r.strList(get('tags'), 'tags', true)],
    anyErrorsFatal: false,
    forceHandlers: false,
  };
  if (Object.keys(vf.vars).length) play.varsFilesVars = vf.vars;
  readPlayKeywords(r, pairs, play);
  return hosts === undefined ? undefined : play;
}

/** loadPlaybookFile reads a playbook, flattening import_playbook; plays come back in run order. */
export function loadPlaybookFile(path: string, pctx: PlaybookContext, from?: SourcePos, inherited: { tags: string[]; vars: Vars } = { tags: [], vars: {} }): Play[] {
  const abs = resolve(path);
  if (pctx.fileStack.includes(abs)) {
    pctx.diags.add({ code: 'E_INCLUDE_CYCLE', message: `import_playbook cycle: ${[...pctx.fileStack.slice(pctx.fileStack.indexOf(abs)), abs].map(shortPath).join(' -> ')}`, pos: from });
    return [];
  }
  const f = loadYamlFile(abs, pctx.diags, from);
  if (!f) return [];
  const root = f.doc.contents as Node | null;
  if (!isSeq(root)) {
    pctx.diags.add({ code: 'E_PLAY_SHAPE', message: 'a playbook must be a list of plays', pos: root ? f.pos(root) : f.pos(0), hint: 'start each play with `- hosts: ...`' });
    return [];
  }
  pctx.fileStack.push(abs);
  const plays: Play[] = [];
  try {
    for (const item of root.items as Node[]) {
      if (!isMap(item)) {
        pctx.diags.add({ code: 'E_PLAY_SHAPE', message: 'a play must be a mapping', pos: f.pos(item) });
        continue;
      }
      const pairs = pairsOf(item);
      const imp = pairs.find((p) => /^(ansible\.builtin\.)?import_playbook$/.test(keyName(p)));
      if (imp) {
        const r = new Reader(f, pctx.diags, pctx.warnings);
        let tags: string[] = [];
        let vars: Vars = {};
        for (const p of pairs) {
          const k = keyName(p);
          if (p === imp || k === 'name') continue;
          if (k === 'tags') tags = r.strList(p.value, k, true);
          else if (k === 'vars') vars = r.mapping(p.value, k) ?? {};
          else pctx.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: `"${k}" is not supported on import_playbook`, pos: f.pos(p.key as Node), hint: didYouMean(k, ['name', 'tags', 'vars']) });
        }
        const target = r.str(imp.value, 'import_playbook');
        if (target === undefined) continue;
        if (target.includes('{{')) {
          pctx.diags.add({ code: 'E_KEYWORD_TYPE', message: 'import_playbook needs a static file name', pos: f.valuePos(imp.value) });
          continue;
        }
        const sub = isAbsolute(target) ? target : resolve(dirname(abs), target);
        plays.push(...loadPlaybookFile(sub, pctx, f.valuePos(imp.value), { tags: [...inherited.tags, ...tags], vars: { ...inherited.vars, ...vars } }));
        continue;
      }
      const play = parsePlay(f, item, pctx, inherited);
      if (play) plays.push(play);
    }
  } finally {
    pctx.fileStack.pop();
  }
  return plays;
}
