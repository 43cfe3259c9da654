import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { type SourcePos, TsplayError } from '../errors/index.ts';
import { fileExists, shortPath } from '../files/paths.ts';
import { loadYamlFile } from '../files/yaml-file.ts';
import { getModule } from '../modules/registry.ts';
import { renderText } from '../template/index.ts';
import { BLOCK_KEYWORDS, INCLUDE_ACTIONS, INCLUDE_KEYWORDS } from './keywords.ts';
import type { ListOptions, PlayContext } from './load-context.ts';
import { parseModuleTask } from './module-task.ts';
import { didYouMean } from './suggest.ts';
import { type Common, readCommon, readLoop, unknownKey } from './task-common.ts';
import type { Block, Include, LoopSpec, TaskNode } from './types.ts';
import { Reader } from './values.ts';
import { keyName, type Mutable, pairsOf } from './yaml-pairs.ts';

/** staticName templates an import/include name with the static vars; undefined when it can't be known yet. */
function staticName(r: Reader, node: Node | null | undefined, raw: string, ctx: PlayContext, mustResolve: boolean, task?: string): string | undefined {
  if (!raw.includes('{{')) return raw;
  try {
    return renderText(raw, ctx.staticVars, { pos: r.f.valuePos(node), task });
  } catch (e) {
    if (!mustResolve) return undefined;
    if (e instanceof TsplayError)
      r.diags.add({
        code: e.code,
        message: `${e.message} (a static import is resolved before the play runs: only extra vars and play vars are known)`,
        pos: e.pos,
        task,
        hint: 'use include_tasks/include_role for names known only per host',
      });
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

type IncludeWhat = 'import_tasks' | 'include_tasks' | 'import_role' | 'include_role';

/** IncludeParts is what an import/include entry shares whether it names a task file or a role. */
interface IncludeParts {
  readonly what: IncludeWhat;
  /** the key as written when it is an FQCN (Ansible names unnamed includes with it) */
  readonly action?: string;
  readonly isStatic: boolean;
  readonly pos: SourcePos;
  readonly c: Common;
  readonly loop: LoopSpec | undefined;
  readonly inc: Pair<Node, Node>;
}

function parseInclude(r: Reader, item: YAMLMap, pairs: Pair<Node, Node>[], inc: Pair<Node, Node>, opts: ListOptions, ctx: PlayContext, task?: string): TaskNode | undefined {
  const written = keyName(inc);
  const what = written.replace(/^ansible\.(builtin|legacy)\./, '') as IncludeWhat;
  const isStatic = what.startsWith('import_');
  for (const p of pairs) {
    const k = keyName(p);
    if (p === inc || INCLUDE_KEYWORDS.has(k)) {
      if (isStatic && (k === 'loop' || k === 'loop_control'))
        ctx.diags.add({ code: 'E_LOOP', message: `${what} cannot loop (it is static)`, pos: r.f.pos(p.key as Node), task, hint: `use ${what.replace('import_', 'include_')} to loop` });
      continue;
    }
    if (k.startsWith('with_') && !isStatic) continue;
    if (INCLUDE_ACTIONS.has(k) || getModule(k))
      ctx.diags.add({ code: 'E_MULTIPLE_MODULES', message: `"${what}" and "${k}" in one task`, pos: r.f.pos(p.key as Node), task, hint: 'split them into two tasks' });
    else unknownKey(r, p, what, INCLUDE_KEYWORDS, task);
  }
  const c = readCommon(r, pairs, opts.role, task);
  const loop = isStatic ? undefined : readLoop(r, pairs, task);
  const parts: IncludeParts = { what, ...(written !== what ? { action: written } : {}), isStatic, pos: r.f.pos(item), c, loop, inc };
  if (what === 'import_tasks' || what === 'include_tasks') return parseTasksInclude(r, pairs, parts, opts, ctx, task);
  return parseRoleInclude(r, parts, opts, ctx, task);
}

/** includeTarget finds the file an import_tasks/include_tasks names: its value, `file:` under it, or `file:` under `args:`. */
function includeTarget(r: Reader, pairs: Pair<Node, Node>[], { what, inc }: IncludeParts, ctx: PlayContext, task?: string): { target: string | undefined; targetNode: Node | null | undefined } {
  let target: string | undefined;
  let targetNode: Node | null | undefined = inc.value;
  if (isScalar(inc.value) && inc.value.value !== null) target = String(inc.value.value);
  else if (isMap(inc.value)) {
    for (const p of pairsOf(inc.value)) {
      const k = keyName(p);
      if (k === 'file') {
        target = r.str(p.value, 'file', task);
        targetNode = p.value;
      } else
        ctx.diags.add({
          code: 'E_ARG_UNKNOWN',
          message: `${what}: unsupported argument "${k}"${k === 'apply' ? ' (tsplay does not support apply; put the keywords on the tasks or a block)' : ''}`,
          pos: r.f.pos(p.key as Node),
          task,
          hint: didYouMean(k, ['file']),
        });
    }
  }
  const args = pairs.find((p) => keyName(p) === 'args')?.value;
  if (target === undefined && isMap(args)) {
    const fp = pairsOf(args).find((p) => keyName(p) === 'file');
    if (fp) {
      target = r.str(fp.value, 'file', task);
      targetNode = fp.value;
    }
  }
  return { target, targetNode };
}

function parseTasksInclude(r: Reader, pairs: Pair<Node, Node>[], parts: IncludeParts, opts: ListOptions, ctx: PlayContext, task?: string): TaskNode | undefined {
  const { what, action, isStatic, pos, c, loop } = parts;
  const { target, targetNode } = includeTarget(r, pairs, parts, ctx, task);
  if (target === undefined) {
    ctx.diags.add({ code: 'E_ARG_REQUIRED', message: `${what} needs a file name`, pos: r.f.valuePos(parts.inc.value), task });
    return undefined;
  }
  const name = staticName(r, targetNode, target, ctx, isStatic, task);
  const tasks = name === undefined ? undefined : loadTasksFile(findTasksFile(name, opts), r.f.valuePos(targetNode), opts, ctx, task, !isStatic);
  if (isStatic) {
    // An import is its tasks, inline; a block carries the import's keywords down to them as Ansible does.
    return { kind: 'block', pos, ...c, block: tasks ?? [], rescue: [], always: [] };
  }
  const out: Mutable<Include> = { kind: 'include', pos, ...c, what: 'include_tasks', ...(action ? { action } : {}), target };
  if (tasks) out.tasks = tasks;
  if (loop) out.loop = loop;
  return out;
}

const ROLE_ARGS = ['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'allow_duplicates', 'public', 'rolespec_validate'];

function parseRoleInclude(r: Reader, { what, action, isStatic, pos, c, loop, inc }: IncludeParts, opts: ListOptions, ctx: PlayContext, task?: string): TaskNode | undefined {
  const valuePos = r.f.valuePos(inc.value);
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
  const out: Mutable<Include> = { kind: 'include', pos, ...c, what: 'include_role', ...(action ? { action } : {}), target: rn };
  if (loaded) out.tasks = loaded.tasks;
  if (loop) out.loop = loop;
  return out;
}
