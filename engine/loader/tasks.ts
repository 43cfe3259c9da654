import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { SourcePos } from '../errors/index.ts';
import { getModule, moduleNames } from '../modules/registry.ts';
import type { ModuleDef } from '../modules/types.ts';
import { checkTemplate, renderText } from '../template/index.ts';
import { TsplayError } from '../errors/index.ts';
import { ALL_KEYWORDS, BLOCK_KEYWORDS, COMMON_KEYWORDS, HANDLER_KEYWORDS, INCLUDE_ACTIONS, INCLUDE_KEYWORDS, LOOP_CONTROL_KEYS, TASK_KEYWORDS, UNSUPPORTED_KEYWORDS, unknownKeywordMessage } from './keywords.ts';
import type { ListOptions, PlayContext } from './load-context.ts';
import { checkArgs, schemaKeys, splitKv } from './module-args.ts';
import { closest, didYouMean, levenshtein } from './suggest.ts';
import type { Block, Include, LoopSpec, RoleRef, Task, TaskCommon, TaskNode } from './types.ts';
import { Reader } from './values.ts';
import { fileExists, shortPath } from '../files/paths.ts';
import { loadYamlFile } from '../files/yaml-file.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Common = Mutable<Omit<TaskCommon, 'pos'>>;

const keyName = (p: Pair): string => (isScalar(p.key) ? String(p.key.value) : String(p.key));
const pairsOf = (m: YAMLMap): Pair<Node, Node>[] => m.items as Pair<Node, Node>[];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** readCommon reads the keywords every task-like entry shares; it ignores any other key. */
function readCommon(r: Reader, pairs: Pair<Node, Node>[], role: RoleRef | undefined, task?: string): Common {
  const c: Common = { when: [], tags: [], vars: {} };
  if (role) c.role = role;
  for (const p of pairs) {
    const k = keyName(p);
    if (!COMMON_KEYWORDS.has(k)) continue;
    const v = p.value;
    switch (k) {
      case 'name': {
        const s = r.str(v, k);
        if (s !== undefined) c.name = s;
        break;
      }
      case 'when':
        c.when = r.exprs(v, k, task);
        break;
      case 'tags':
        c.tags = r.strList(v, k, true, task);
        break;
      case 'vars': {
        const m = r.mapping(v, k, task);
        if (m) c.vars = m;
        break;
      }
      case 'environment': {
        const m = r.mapping(v, k, task);
        if (m) c.environment = m;
        break;
      }
      case 'become_user':
      case 'delegate_to': {
        const s = r.str(v, k, task);
        if (s !== undefined) c[k === 'become_user' ? 'becomeUser' : 'delegateTo'] = s;
        break;
      }
      default: {
        const b = r.bool(v, k, task);
        const field = ({ become: 'become', ignore_errors: 'ignoreErrors', ignore_unreachable: 'ignoreUnreachable', run_once: 'runOnce', no_log: 'noLog', check_mode: 'checkMode', diff: 'diff' } as const)[k as 'become'];
        if (b !== undefined && field) c[field] = b;
      }
    }
  }
  return c;
}

/** readLoop reads loop/with_items/with_list and loop_control into a LoopSpec. */
function readLoop(r: Reader, pairs: Pair<Node, Node>[], task?: string): LoopSpec | undefined {
  const loops = pairs.filter((p) => { const k = keyName(p); return k === 'loop' || k.startsWith('with_'); });
  const control = pairs.find((p) => keyName(p) === 'loop_control');
  if (loops.length === 0) {
    if (control) r.diags.add({ code: 'E_LOOP', message: 'loop_control without a loop', pos: r.f.pos(control.key as Node), task, hint: 'add `loop:` or remove loop_control' });
    return undefined;
  }
  if (loops.length > 1) {
    r.diags.add({ code: 'E_LOOP', message: `a task can have only one loop; found ${loops.map(keyName).join(' and ')}`, pos: r.f.pos(loops[1]!.key as Node), task });
    return undefined;
  }
  const lp = loops[0]!;
  const k = keyName(lp);
  const pos = r.f.pos(lp.key as Node);
  if (k !== 'loop' && k !== 'with_items' && k !== 'with_list') {
    r.diags.add({ code: 'E_LOOP', message: `${k} is not supported`, pos, task, hint: 'use `loop:` with a list or a "{{ var }}" holding one' });
    return undefined;
  }
  let items: unknown;
  const v = lp.value;
  if (isSeq(v)) {
    items = r.js(v);
    if (k === 'with_items') items = (items as unknown[]).flatMap((x) => (Array.isArray(x) ? x : [x]));
  } else if (isScalar(v) && typeof v.value === 'string' && v.value.includes('{{')) {
    items = v.value;
    const bad = checkTemplate(v.value, { pos: r.f.valuePos(v), task });
    if (bad) r.diags.add({ code: bad.code, message: `${k}: ${bad.message}`, pos: bad.pos, hint: bad.hint, task });
  }
  else {
    r.diags.add({ code: 'E_LOOP', message: `${k} needs a list or a "{{ var }}" template yielding one, got ${isMap(v) ? 'a mapping' : JSON.stringify(r.js(v))}`, pos: r.f.valuePos(v), task, hint: isScalar(v) && typeof v.value === 'string' && IDENT.test(v.value) ? `write "{{ ${v.value} }}" to loop over the variable ${v.value}` : undefined });
    return undefined;
  }
  let loopVar = 'item';
  let indexVar: string | undefined;
  let label: string | undefined;
  if (control) {
    if (!isMap(control.value)) {
      r.bad(control.value, 'loop_control', 'a mapping', task);
    } else {
      for (const cp of pairsOf(control.value)) {
        const ck = keyName(cp);
        if (!LOOP_CONTROL_KEYS.has(ck)) {
          r.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: `loop_control has no key "${ck}"`, pos: r.f.pos(cp.key as Node), task, hint: didYouMean(ck, LOOP_CONTROL_KEYS) });
          continue;
        }
        if (ck === 'loop_var' || ck === 'index_var') {
          const s = r.str(cp.value, ck, task);
          if (s !== undefined && !IDENT.test(s)) r.diags.add({ code: 'E_LOOP', message: `${ck} "${s}" is not a valid variable name`, pos: r.f.valuePos(cp.value), task });
          else if (s !== undefined) {
            if (ck === 'loop_var') loopVar = s;
            else indexVar = s;
          }
        } else if (ck === 'label') label = r.str(cp.value, ck, task);
      }
    }
  }
  const spec: Mutable<LoopSpec> = { items, loopVar, pos };
  if (indexVar !== undefined) spec.indexVar = indexVar;
  if (label !== undefined) spec.label = label;
  return spec;
}

/** unknownKey reports a key that is not allowed in `where`, suggesting the nearest keyword or module name. */
function unknownKey(r: Reader, p: Pair<Node, Node>, where: string, allowed: ReadonlySet<string>, task?: string): void {
  const k = keyName(p);
  const hint = didYouMean(k, allowed) ?? didYouMean(k, moduleNames());
  r.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: unknownKeywordMessage(k, where), pos: r.f.pos(p.key as Node), task, hint });
}

/** staticName templates an import/include name with the static vars; undefined when it can't be known yet. */
function staticName(r: Reader, node: Node | null | undefined, raw: string, ctx: PlayContext, mustResolve: boolean, task?: string): string | undefined {
  if (!raw.includes('{{')) return raw;
  try {
    return renderText(raw, ctx.staticVars, { pos: r.f.valuePos(node), task });
  } catch (e) {
    if (!mustResolve) return undefined;
    if (e instanceof TsplayError) r.diags.add({ code: e.code, message: `${e.message} (a static import is resolved before the play runs: only extra vars and play vars are known)`, pos: e.pos, task, hint: 'use include_tasks/include_role for names known only per host' });
    return undefined;
  }
}

/** findTasksFile finds a task file the way Ansible does: beside the current file, then in the role's tasks/. */
export function findTasksFile(name: string, opts: ListOptions): string {
  if (isAbsolute(name)) return name;
  const candidates = [join(opts.dir, name)];
  if (opts.role) candidates.push(join(opts.role.path, 'tasks', name), join(opts.role.path, name));
  candidates.push(join(dirname(opts.file), name));
  return candidates.find(fileExists) ?? candidates[0]!;
}

/** loadTasksFile reads a task file for import_tasks/include_tasks, guarding against cycles. */
export function loadTasksFile(path: string, pos: SourcePos, opts: ListOptions, ctx: PlayContext, task?: string, dynamic = false): TaskNode[] | undefined {
  const abs = resolve(path);
  if (ctx.fileStack.includes(abs)) {
    // a dynamic include may recurse on purpose (guarded by `when`): it is then loaded per host at run time
    if (dynamic) return undefined;
    ctx.diags.add({ code: 'E_INCLUDE_CYCLE', message: `include cycle: ${[...ctx.fileStack.slice(ctx.fileStack.indexOf(abs)), abs].map(shortPath).join(' -> ')}`, pos, task });
    return undefined;
  }
  const f = loadYamlFile(abs, ctx.diags, pos);
  if (!f) return undefined;
  ctx.fileStack.push(abs);
  try {
    const r = new Reader(f, ctx.diags, ctx.warnings);
    const root = f.doc.contents as Node | null;
    if (root !== null && !isSeq(root)) {
      ctx.diags.add({ code: 'E_KEYWORD_TYPE', message: 'a task file must hold a list of tasks', pos: f.pos(root) });
      return undefined;
    }
    return parseTaskList(r, root, { ...opts, file: abs, dir: dirname(abs) }, ctx);
  } finally {
    ctx.fileStack.pop();
  }
}

/** parseTaskList reads a list of tasks, blocks and includes; every mistake goes to ctx.diags. */
export function parseTaskList(r: Reader, node: Node | null | undefined, opts: ListOptions, ctx: PlayContext): TaskNode[] {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    ctx.diags.add({ code: 'E_KEYWORD_TYPE', message: 'expected a list of tasks', pos: r.f.valuePos(node) });
    return [];
  }
  const out: TaskNode[] = [];
  for (const item of node.items as Node[]) {
    const t = parseEntry(r, item, opts, ctx);
    if (t) out.push(t);
  }
  return out;
}

function parseEntry(r: Reader, item: Node, opts: ListOptions, ctx: PlayContext): TaskNode | undefined {
  if (!isMap(item)) {
    ctx.diags.add({ code: 'E_KEYWORD_TYPE', message: `a task must be a mapping, got ${JSON.stringify(r.js(item))}`, pos: r.f.pos(item) });
    return undefined;
  }
  const pairs = pairsOf(item);
  const keys = pairs.map(keyName);
  const nameNode = pairs.find((p) => keyName(p) === 'name')?.value;
  const taskName = isScalar(nameNode) && nameNode.value !== null ? String(nameNode.value) : undefined;
  if (keys.includes('block')) return parseBlock(r, item, pairs, opts, ctx, taskName);
  const inc = pairs.find((p) => INCLUDE_ACTIONS.has(keyName(p)));
  if (inc) return parseInclude(r, item, pairs, inc, opts, ctx, taskName);
  return parseModuleTask(r, item, pairs, opts, ctx, taskName);
}

function parseBlock(r: Reader, item: YAMLMap, pairs: Pair<Node, Node>[], opts: ListOptions, ctx: PlayContext, task?: string): Block {
  for (const p of pairs) {
    const k = keyName(p);
    if (BLOCK_KEYWORDS.has(k)) continue;
    if (k === 'loop' || k.startsWith('with_')) ctx.diags.add({ code: 'E_LOOP', message: 'a block cannot loop', pos: r.f.pos(p.key as Node), task, hint: 'loop over include_tasks instead' });
    else if (getModule(k)) ctx.diags.add({ code: 'E_MULTIPLE_MODULES', message: `a block cannot call a module ("${k}"); put it in a task inside the block`, pos: r.f.pos(p.key as Node), task });
    else unknownKey(r, p, 'a block', BLOCK_KEYWORDS, task);
  }
  const c = readCommon(r, pairs, opts.role, task);
  const list = (k: string): TaskNode[] => parseTaskList(r, pairs.find((p) => keyName(p) === k)?.value, opts, ctx);
  return { kind: 'block', pos: r.f.pos(item), ...c, block: list('block'), rescue: list('rescue'), always: list('always') };
}

function parseInclude(r: Reader, item: YAMLMap, pairs: Pair<Node, Node>[], inc: Pair<Node, Node>, opts: ListOptions, ctx: PlayContext, task?: string): TaskNode | undefined {
  const what = keyName(inc) as 'import_tasks' | 'include_tasks' | 'import_role' | 'include_role';
  const isStatic = what.startsWith('import_');
  const pos = r.f.pos(item);
  for (const p of pairs) {
    const k = keyName(p);
    if (p === inc || INCLUDE_KEYWORDS.has(k)) {
      if (isStatic && (k === 'loop' || k === 'loop_control')) ctx.diags.add({ code: 'E_LOOP', message: `${what} cannot loop (it is static)`, pos: r.f.pos(p.key as Node), task, hint: `use ${what.replace('import_', 'include_')} to loop` });
      continue;
    }
    if (k.startsWith('with_') && !isStatic) continue;
    if (INCLUDE_ACTIONS.has(k) || getModule(k)) ctx.diags.add({ code: 'E_MULTIPLE_MODULES', message: `"${what}" and "${k}" in one task`, pos: r.f.pos(p.key as Node), task, hint: 'split them into two tasks' });
    else unknownKey(r, p, what, INCLUDE_KEYWORDS, task);
  }
  const c = readCommon(r, pairs, opts.role, task);
  const loop = isStatic ? undefined : readLoop(r, pairs, task);
  const args = pairs.find((p) => keyName(p) === 'args')?.value;
  const valuePos = r.f.valuePos(inc.value);

  if (what === 'import_tasks' || what === 'include_tasks') {
    let target: string | undefined;
    let targetNode: Node | null | undefined = inc.value;
    if (isScalar(inc.value) && inc.value.value !== null) target = String(inc.value.value);
    else if (isMap(inc.value)) {
      for (const p of pairsOf(inc.value)) {
        const k = keyName(p);
        if (k === 'file') {
          target = r.str(p.value, 'file', task);
          targetNode = p.value;
        } else ctx.diags.add({ code: 'E_ARG_UNKNOWN', message: `${what}: unsupported argument "${k}"${k === 'apply' ? ' (tsplay does not support apply; put the keywords on the tasks or a block)' : ''}`, pos: r.f.pos(p.key as Node), task, hint: didYouMean(k, ['file']) });
      }
    }
    if (target === undefined && isMap(args)) {
      const fp = pairsOf(args).find((p) => keyName(p) === 'file');
      if (fp) {
        target = r.str(fp.value, 'file', task);
        targetNode = fp.value;
      }
    }
    if (target === undefined) {
      ctx.diags.add({ code: 'E_ARG_REQUIRED', message: `${what} needs a file name`, pos: valuePos, task });
      return undefined;
    }
    const name = staticName(r, targetNode, target, ctx, isStatic, task);
    const tasks = name === undefined ? undefined : loadTasksFile(findTasksFile(name, opts), r.f.valuePos(targetNode), opts, ctx, task, !isStatic);
    if (isStatic) {
      // An import is its tasks, inline; a block carries the import's keywords down to them as Ansible does.
      return { kind: 'block', pos, ...c, block: tasks ?? [], rescue: [], always: [] };
    }
    const out: Mutable<Include> = { kind: 'include', pos, ...c, what: 'include_tasks', target };
    if (tasks) out.tasks = tasks;
    if (loop) out.loop = loop;
    return out;
  }

  // import_role / include_role
  const roleArgs: Record<string, unknown> = {};
  const roleKeyPos: Record<string, SourcePos> = {};
  if (isMap(inc.value)) {
    for (const p of pairsOf(inc.value)) {
      roleArgs[keyName(p)] = r.js(p.value);
      roleKeyPos[keyName(p)] = r.f.pos(p.key as Node);
    }
  } else if (isScalar(inc.value) && typeof inc.value.value === 'string') {
    roleArgs['name'] = inc.value.value;
  }
  const ROLE_ARGS = ['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'allow_duplicates', 'public', 'rolespec_validate'];
  for (const k of Object.keys(roleArgs)) {
    if (!ROLE_ARGS.includes(k)) ctx.diags.add({ code: 'E_ARG_UNKNOWN', message: `${what}: unsupported argument "${k}"`, pos: roleKeyPos[k] ?? valuePos, task, hint: didYouMean(k, ROLE_ARGS) });
  }
  const rn = roleArgs['name'];
  if (typeof rn !== 'string' || rn === '') {
    ctx.diags.add({ code: 'E_ARG_REQUIRED', message: `${what} needs "name:" (the role)`, pos: valuePos, task });
    return undefined;
  }
  const name = staticName(r, inc.value, rn, ctx, isStatic, task);
  const loaded =
    name === undefined
      ? undefined
      : ctx.loadRole(
          name,
          {
            tasksFrom: roleArgs['tasks_from'] as string | undefined,
            handlersFrom: roleArgs['handlers_from'] as string | undefined,
            varsFrom: roleArgs['vars_from'] as string | undefined,
            defaultsFrom: roleArgs['defaults_from'] as string | undefined,
            params: {},
            pos: roleKeyPos['name'] ?? valuePos,
            includedFrom: opts.role,
          },
          ctx,
        );
  if (isStatic) return { kind: 'block', pos, ...c, block: loaded?.tasks ?? [], rescue: [], always: [] };
  const out: Mutable<Include> = { kind: 'include', pos, ...c, what: 'include_role', target: rn };
  if (loaded) out.tasks = loaded.tasks;
  if (loop) out.loop = loop;
  return out;
}

interface ModuleSpec {
  readonly mod: ModuleDef;
  readonly name: string;
  /** as written in the task */
  readonly written: string;
  readonly keyPos: SourcePos;
  readonly args: Record<string, unknown>;
  readonly argKeyPos: Record<string, SourcePos>;
  readonly argValuePos: Record<string, SourcePos>;
  readonly delegateLocal: boolean;
}

/** readArgs turns a module's value (mapping, k=v string, free-form text, or null) into arguments with positions. */
function readArgs(
  r: Reader,
  mod: ModuleDef,
  modName: string,
  node: Node | null | undefined,
  ctx: PlayContext,
  task?: string,
  textOverride?: { readonly text: string; readonly base: SourcePos },
): Pick<ModuleSpec, 'args' | 'argKeyPos' | 'argValuePos'> | undefined {
  const args: Record<string, unknown> = {};
  const argKeyPos: Record<string, SourcePos> = {};
  const argValuePos: Record<string, SourcePos> = {};
  if (!textOverride && (node === null || node === undefined || (isScalar(node) && node.value === null))) return { args, argKeyPos, argValuePos };
  if (!textOverride && isMap(node)) {
    for (const p of pairsOf(node)) {
      const k = keyName(p);
      args[k] = r.js(p.value);
      argKeyPos[k] = r.f.pos(p.key as Node);
      argValuePos[k] = r.f.valuePos(p.value);
    }
    return { args, argKeyPos, argValuePos };
  }
  if (textOverride || (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean'))) {
    const text = textOverride ? textOverride.text : String((node as { value: unknown }).value);
    const base = textOverride ? textOverride.base : r.f.valuePos(node);
    const exact = !text.includes('\n') && (textOverride !== undefined || !isScalar(node) || node.type === 'PLAIN' || node.type === 'QUOTE_SINGLE' && !text.includes("'"));
    // Offsets map exactly into single-line plain scalars; otherwise the scalar start is the best we know.
    const at = (offset: number): SourcePos => (exact ? { ...base, col: base.col + offset } : base);
    const { words, error } = splitKv(text);
    if (error) {
      ctx.diags.add({ code: 'E_ARG_KV', message: `${modName}: ${error.message} in "${text}"`, pos: at(error.offset), task });
      return undefined;
    }
    // Free text keeps its original spacing and newlines (a `shell: |` script); only recognised
    // `key=value` words are cut out of it, as Ansible's split_args does.
    let free = '';
    let last = 0;
    let ok = true;
    for (const w of words) {
      if (w.key !== undefined && !(mod.freeForm && !isKnownArg(mod, w.key))) {
        args[w.key] = w.value;
        argKeyPos[w.key] = at(w.start);
        argValuePos[w.key] = at(w.valueStart);
        if (mod.freeForm) {
          free += text.slice(last, w.start).replace(/[ \t]+$/, '');
          last = w.end;
        }
      } else if (mod.freeForm) continue;
      else {
        ok = false;
        ctx.diags.add({ code: 'E_ARG_KV', message: `${modName}: "${w.raw}" is not key=value`, pos: at(w.start), task, hint: `write the arguments as a mapping, or as key=value words` });
      }
    }
    free = (free + text.slice(last)).trim();
    if (mod.freeForm && free.length > 0) {
      args[mod.freeForm] = free;
      argKeyPos[mod.freeForm] = base;
      argValuePos[mod.freeForm] = base;
    }
    return ok ? { args, argKeyPos, argValuePos } : undefined;
  }
  ctx.diags.add({ code: 'E_ARG_TYPE', message: `${modName}: arguments must be a mapping or a key=value string`, pos: r.f.valuePos(node), task });
  return undefined;
}

/** isKnownArg tells whether a free-form module takes `key=` as an argument (`echo a=b` keeps a=b as text). */
function isKnownArg(mod: ModuleDef, key: string): boolean {
  return (schemaKeys(mod.schema) ?? []).includes(key);
}

function parseModuleTask(r: Reader, item: YAMLMap, pairs: Pair<Node, Node>[], opts: ListOptions, ctx: PlayContext, task?: string): Task | undefined {
  const allowed = opts.handlers ? HANDLER_KEYWORDS : TASK_KEYWORDS;
  const where = opts.handlers ? 'a handler' : 'a task';
  const pos = r.f.pos(item);
  const modules: Pair<Node, Node>[] = [];
  const strangers: Pair<Node, Node>[] = [];
  for (const p of pairs) {
    const k = keyName(p);
    if (allowed.has(k) || k === 'loop' || k.startsWith('with_')) continue;
    if (getModule(k)) modules.push(p);
    else strangers.push(p);
  }
  const actionPair = pairs.find((p) => keyName(p) === 'action' || keyName(p) === 'local_action');
  let spec: ModuleSpec | undefined;
  let specOk = true;

  // Tell misspelt keywords from unknown modules: a key close to a keyword is a keyword typo; with no
  // module in the task, the remaining stranger is the module the user meant.
  const keywordTypos = strangers.filter((p) => {
    const k = keyName(p);
    if (UNSUPPORTED_KEYWORDS.has(k)) return true;
    const kw = closest(k, ALL_KEYWORDS);
    const m = closest(k, moduleNames());
    return kw !== undefined && (m === undefined || keywordNearer(k, kw, m));
  });
  const others = strangers.filter((p) => !keywordTypos.includes(p));
  for (const p of keywordTypos) {
    const k = keyName(p);
    const kw = closest(k, allowed) ?? closest(k, ALL_KEYWORDS);
    ctx.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: unknownKeywordMessage(k, where), pos: r.f.pos(p.key as Node), task, hint: UNSUPPORTED_KEYWORDS.has(k) ? undefined : kw && allowed.has(kw) ? `did you mean \`${kw}\`?` : kw ? `\`${kw}\` is not allowed in ${where}` : undefined });
  }
  const hasModule = modules.length > 0 || actionPair !== undefined;
  for (const p of others) {
    const k = keyName(p);
    const hint = didYouMean(k, moduleNames());
    if (hasModule && !hint) ctx.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: `"${k}" is not a valid keyword for ${where}`, pos: r.f.pos(p.key as Node), task });
    else ctx.diags.add({ code: 'E_UNKNOWN_MODULE', message: `unknown module "${k}"`, pos: r.f.pos(p.key as Node), task, hint: hint ?? `known modules: ${moduleNames().join(', ')}` });
    specOk = false;
  }
  if (modules.length + (actionPair ? 1 : 0) > 1) {
    const all = [...modules, ...(actionPair ? [actionPair] : [])].sort((a, b) => (a.key as Node).range![0] - (b.key as Node).range![0]);
    for (const p of all.slice(1)) {
      ctx.diags.add({ code: 'E_MULTIPLE_MODULES', message: `a task can call only one module; found ${all.map(keyName).join(' and ')}`, pos: r.f.pos(p.key as Node), task, hint: 'split this into several tasks' });
    }
    specOk = false;
  }

  if (specOk && modules.length === 1 && !actionPair) {
    const p = modules[0]!;
    const modName = keyName(p);
    const mod = getModule(modName)!;
    const a = readArgs(r, mod, modName, p.value, ctx, task);
    if (a) spec = { mod, name: mod.name, written: modName, keyPos: r.f.pos(p.key as Node), ...a, delegateLocal: false };
    else specOk = false;
  } else if (specOk && actionPair) {
    const local = keyName(actionPair) === 'local_action';
    const v = actionPair.value;
    let modName: string | undefined;
    let rest: Node | null | undefined;
    let restText: string | undefined;
    let restBase: SourcePos | undefined;
    if (isScalar(v) && typeof v.value === 'string') {
      const m = /^(\s*)(\S+)(\s*)([\s\S]*)$/.exec(v.value);
      modName = m?.[2];
      restText = m?.[4] ?? '';
      const b = r.f.valuePos(v);
      restBase = m ? { ...b, col: b.col + m[1]!.length + m[2]!.length + m[3]!.length } : b;
    } else if (isMap(v)) {
      const mp = pairsOf(v).find((p) => keyName(p) === 'module');
      modName = mp && isScalar(mp.value) ? String(mp.value.value) : undefined;
      rest = v;
    }
    const mod = modName ? getModule(modName) : undefined;
    if (!mod) {
      ctx.diags.add({ code: modName ? 'E_UNKNOWN_MODULE' : 'E_NO_MODULE', message: modName ? `unknown module "${modName}"` : `${keyName(actionPair)} names no module`, pos: r.f.valuePos(v), task, hint: modName ? didYouMean(modName, moduleNames()) : undefined });
      specOk = false;
    } else {
      let a: Pick<ModuleSpec, 'args' | 'argKeyPos' | 'argValuePos'> | undefined;
      if (rest && isMap(rest)) {
        a = readArgs(r, mod, modName!, rest, ctx, task);
        if (a) delete a.args['module'];
      } else {
        a = restText ? readArgs(r, mod, modName!, v, ctx, task, { text: restText, base: restBase! }) : { args: {}, argKeyPos: {}, argValuePos: {} };
      }
      if (a) spec = { mod, name: mod.name, written: modName!, keyPos: r.f.pos(actionPair.key as Node), ...a, delegateLocal: local };
      else specOk = false;
    }
  }
  if (!spec && specOk && strangers.length === 0) {
    ctx.diags.add({ code: 'E_NO_MODULE', message: `${where} names no module`, pos, task, hint: `add one of: ${moduleNames().join(', ')}` });
  }

  // `args:` adds to the module's arguments
  const argsPair = pairs.find((p) => keyName(p) === 'args');
  if (spec && argsPair) {
    if (!isMap(argsPair.value)) r.bad(argsPair.value, 'args', 'a mapping', task);
    else
      for (const p of pairsOf(argsPair.value)) {
        const k = keyName(p);
        spec.args[k] = r.js(p.value);
        spec.argKeyPos[k] = r.f.pos(p.key as Node);
        spec.argValuePos[k] = r.f.valuePos(p.value);
      }
  }
  if (spec) checkArgs(spec.mod, spec.args, { module: spec.name, modulePos: spec.keyPos, keyPos: spec.argKeyPos, valuePos: spec.argValuePos, task }, ctx.diags);

  const c = readCommon(r, pairs, opts.role, task);
  if (spec?.delegateLocal) c.delegateTo = 'localhost';
  const loop = readLoop(r, pairs, task);
  const t: Mutable<Task> = {
    kind: 'task',
    pos,
    ...c,
    module: spec?.name ?? '',
    args: spec?.args ?? {},
    argPos: spec?.argValuePos ?? {},
    notify: [],
    listen: [],
  };
  if (loop) t.loop = loop;
  if (spec && spec.written !== spec.name) t.action = spec.written;
  for (const p of pairs) {
    const k = keyName(p);
    const v = p.value;
    switch (k) {
      case 'register': {
        const s = r.str(v, k, task);
        if (s !== undefined && !IDENT.test(s)) ctx.diags.add({ code: 'E_KEYWORD_TYPE', message: `register: "${s}" is not a valid variable name`, pos: r.f.valuePos(v), task });
        else if (s !== undefined) t.register = s;
        break;
      }
      case 'notify': {
        t.notify = r.strList(v, k, false, task);
        const items: Node[] = isSeq(v) ? (v.items as Node[]) : [v as Node];
        t.notify.forEach((n, i) => ctx.notifies.push({ name: n, pos: r.f.valuePos(items[i] ?? v), task }));
        break;
      }
      case 'listen':
        t.listen = r.strList(v, k, false, task);
        break;
      case 'changed_when':
        t.changedWhen = r.exprs(v, k, task);
        break;
      case 'failed_when':
        t.failedWhen = r.exprs(v, k, task);
        break;
      case 'until':
        t.until = r.exprs(v, k, task);
        break;
      case 'retries':
      case 'delay': {
        const n = r.int(v, k, task);
        if (n !== undefined) t[k] = n;
        break;
      }
    }
  }
  if (t.until && t.retries === undefined) t.retries = 3;
  if (t.until && t.delay === undefined) t.delay = 5;
  return t;
}

/** keywordNearer prefers the keyword reading on ties: `notfy` is a misspelt `notify`, not a module. */
function keywordNearer(word: string, kw: string, mod: string): boolean {
  return levenshtein(word.toLowerCase(), kw.toLowerCase()) <= levenshtein(word.toLowerCase(), mod.toLowerCase());
}
