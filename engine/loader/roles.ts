import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { SourcePos } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import { ROLE_ENTRY_KEYWORDS } from './keywords.ts';
import type { PlayContext } from './load-context.ts';
import { didYouMean } from './suggest.ts';
import { parseTaskList } from './tasks.ts';
import type { Block, RoleRef, Task, TaskCommon, TaskNode } from './types.ts';
import { Reader } from './values.ts';
import { keyName, pairsOf } from './yaml-pairs.ts';
import { fileExists, shortPath } from '../files/paths.ts';
import { loadYamlFile, type YamlFile } from '../files/yaml-file.ts';
import { jsonStringify } from '../py/json.ts';

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** mainFile finds `<dir>/<name>.yml`, `.yaml` or the bare name, as Ansible's role loader does. */
function mainFile(dir: string, name = 'main'): string | undefined {
  return [`${name}.yml`, `${name}.yaml`, name].map((n) => join(dir, n)).find(fileExists);
}

/** findRole resolves a role name to its directory: roles/ beside the playbook, beside the including role, or the playbook dir. */
function findRole(name: string, ctx: PlayContext, includedFrom?: RoleRef): string | undefined {
  if (name.includes('/') || isAbsolute(name)) {
    const p = resolve(ctx.playbookDir, name);
    return isDir(p) ? p : undefined;
  }
  const candidates = [join(ctx.playbookDir, 'roles', name)];
  if (includedFrom) candidates.push(join(dirname(includedFrom.path), name));
  candidates.push(join(ctx.playbookDir, name));
  return candidates.find((c) => isDir(c) && (isDir(join(c, 'tasks')) || isDir(join(c, 'meta')) || isDir(join(c, 'handlers')) || isDir(join(c, 'defaults')) || isDir(join(c, 'vars'))));
}

function knownRoles(ctx: PlayContext): string[] {
  try {
    return readdirSync(join(ctx.playbookDir, 'roles')).filter((n) => isDir(join(ctx.playbookDir, 'roles', n)));
  } catch {
    return [];
  }
}

function readVarsFile(dir: string, ctx: PlayContext, what: string, fromName?: string, pos?: SourcePos): Vars {
  const file = mainFile(dir, fromName ?? 'main');
  if (!file) {
    if (fromName !== undefined) ctx.diags.add({ code: 'E_FILE_NOT_FOUND', message: `role ${what} file ${fromName} not found in ${shortPath(dir)}`, pos });
    return {};
  }
  const f = loadYamlFile(file, ctx.diags);
  if (!f) return {};
  const root = f.doc.contents as Node | null;
  if (root === null || (isScalar(root) && root.value === null)) return {};
  if (!isMap(root)) {
    ctx.diags.add({ code: 'E_VARS_FILE', message: `role ${what} file must be a mapping of variables`, pos: f.pos(root) });
    return {};
  }
  return root.toJS(f.doc) as Vars;
}

/** RoleUse is one use of a role: from `roles:`, a meta dependency, or import_role/include_role. */
export interface RoleUse {
  readonly name: string;
  readonly pos: SourcePos;
  readonly params: Vars;
  readonly common?: Omit<TaskCommon, 'pos' | 'role'>;
  readonly tasksFrom?: string | undefined;
  readonly handlersFrom?: string | undefined;
  readonly varsFrom?: string | undefined;
  readonly defaultsFrom?: string | undefined;
  readonly includedFrom?: RoleRef | undefined;
  /** roles: and dependencies run once per play per params; import/include_role always run */
  readonly dedupe: boolean;
}

/**
 * readRoleEntry reads one `roles:` or `dependencies:` entry (`name`, or `{role: name, when, tags, ...params}`)
 * into a RoleUse, or undefined (with a diagnostic) when it is malformed.
 */
export function readRoleEntry(f: YamlFile, node: Node, ctx: PlayContext, includedFrom?: RoleRef): RoleUse | undefined {
  if (isScalar(node) && typeof node.value === 'string') return { name: node.value, pos: f.valuePos(node), params: {}, includedFrom, dedupe: true };
  if (!isMap(node)) {
    ctx.diags.add({ code: 'E_KEYWORD_TYPE', message: 'a role entry must be a role name or a mapping with `role:`', pos: f.pos(node) });
    return undefined;
  }
  const r = new Reader(f, ctx.diags, ctx.warnings);
  const pairs = pairsOf(node);
  const rolePair = pairs.find((p) => keyName(p) === 'role') ?? pairs.find((p) => keyName(p) === 'name');
  const name = rolePair ? r.str(rolePair.value, 'role') : undefined;
  if (!rolePair) {
    ctx.diags.add({ code: 'E_KEYWORD_TYPE', message: 'a role entry needs `role:` naming the role', pos: f.pos(node) });
    return undefined;
  }
  if (name === undefined) return undefined;
  const params: Vars = {};
  const common: Record<string, unknown> = { when: [], tags: [], vars: {} };
  for (const p of pairs) {
    const k = keyName(p);
    if (p === rolePair) continue;
    if (!ROLE_ENTRY_KEYWORDS.has(k)) {
      params[k] = r.js(p.value);
      continue;
    }
    switch (k) {
      case 'when':
        common['when'] = r.exprs(p.value, k);
        break;
      case 'tags':
        common['tags'] = r.strList(p.value, k, true);
        break;
      case 'vars': {
        const m = r.mapping(p.value, k);
        if (m) Object.assign(params, m);
        break;
      }
      case 'become':
      case 'ignore_errors':
      case 'no_log':
      case 'check_mode':
      case 'diff':
      case 'run_once':
      case 'ignore_unreachable': {
        const b = r.bool(p.value, k);
        const field = (
          { become: 'become', ignore_errors: 'ignoreErrors', no_log: 'noLog', check_mode: 'checkMode', diff: 'diff', run_once: 'runOnce', ignore_unreachable: 'ignoreUnreachable' } as Record<
            string,
            string
          >
        )[k]!;
        if (b !== undefined) common[field] = b;
        break;
      }
      case 'become_user':
      case 'delegate_to': {
        const s = r.str(p.value, k);
        if (s !== undefined) common[k === 'become_user' ? 'becomeUser' : 'delegateTo'] = s;
        break;
      }
      case 'environment': {
        const m = r.mapping(p.value, k);
        if (m) common['environment'] = m;
        break;
      }
      case 'name':
        break;
    }
  }
  return { name, pos: f.valuePos(rolePair.value), params, common: common as unknown as RoleUse['common'], includedFrom, dedupe: true };
}

/**
 * expandRole loads a role (defaults, vars, meta dependencies, tasks, handlers) and returns the
 * task nodes one use of it contributes to the play: its dependencies' blocks, then its own block.
 * A role (with the same params) already placed in the play contributes nothing, as in Ansible.
 */
export function expandRole(use: RoleUse, ctx: PlayContext): { ref: RoleRef; tasks: TaskNode[] } | undefined {
  const dir = findRole(use.name, ctx, use.includedFrom);
  if (!dir) {
    ctx.diags.add({
      code: 'E_UNKNOWN_ROLE',
      message: `role "${use.name}" not found`,
      pos: use.pos,
      hint: didYouMean(use.name, knownRoles(ctx)) ?? `looked in ${shortPath(join(ctx.playbookDir, 'roles', use.name))} and ${shortPath(join(ctx.playbookDir, use.name))}`,
    });
    return undefined;
  }
  const key = `${dir}\0${use.tasksFrom ?? 'main'}`;
  // Ansible's role cache key: the params plus the entry's when/tags (see Role.load in ansible 2.14)
  const useKey = `${key}\0${jsonStringify([use.params, use.common?.when.map((w) => w.source) ?? [], use.common?.tags ?? []])}`;
  const duplicate = use.dedupe && ctx.roleUses.has(useKey);
  if (ctx.roleStack.includes(key)) {
    ctx.diags.add({
      code: 'E_INCLUDE_CYCLE',
      message: `role dependency cycle: ${[...ctx.roleStack.slice(ctx.roleStack.indexOf(key)), key].map((k) => basename(k.split('\0')[0]!)).join(' -> ')}`,
      pos: use.pos,
    });
    return undefined;
  }
  if (use.dedupe) ctx.roleUses.add(useKey);
  ctx.roleStack.push(key);
  try {
    const defaults = readVarsFile(join(dir, 'defaults'), ctx, 'defaults', use.defaultsFrom?.replace(/\.ya?ml$/, ''), use.pos);
    const vars = readVarsFile(join(dir, 'vars'), ctx, 'vars', use.varsFrom?.replace(/\.ya?ml$/, ''), use.pos);
    const full: RoleRef = { name: basename(dir), path: dir, defaults, vars, params: use.params };
    const out: TaskNode[] = [];
    // meta/main.yml dependencies come first
    const metaFile = mainFile(join(dir, 'meta'));
    if (metaFile) {
      const f = loadYamlFile(metaFile, ctx.diags);
      const root = f?.doc.contents as Node | null | undefined;
      if (f && root && !(isScalar(root) && root.value === null)) {
        if (!isMap(root)) ctx.diags.add({ code: 'E_ROLE_LAYOUT', message: 'meta/main.yml must be a mapping', pos: f.pos(root) });
        else {
          const deps = pairsOf(root).find((p) => keyName(p) === 'dependencies')?.value;
          if (deps && isSeq(deps)) {
            for (const d of deps.items as Node[]) {
              const dep = readRoleEntry(f, d, ctx, full);
              if (!dep) continue;
              const res = expandRole(dep, ctx);
              if (res) out.push(...res.tasks);
            }
          } else if (deps && !(isScalar(deps) && deps.value === null)) ctx.diags.add({ code: 'E_ROLE_LAYOUT', message: 'meta dependencies must be a list', pos: f.valuePos(deps) });
        }
      }
    }
    if (!duplicate) ctx.roles.push(full);
    const tasksFile = mainFile(join(dir, 'tasks'), use.tasksFrom?.replace(/\.ya?ml$/, '') ?? 'main');
    let own: TaskNode[] = [];
    if (tasksFile) {
      const f = loadYamlFile(tasksFile, ctx.diags, use.pos);
      if (f) {
        const root = f.doc.contents as Node | null;
        if (root !== null && !isSeq(root) && !(isScalar(root) && root.value === null))
          ctx.diags.add({ code: 'E_ROLE_LAYOUT', message: 'a role task file must hold a list of tasks', pos: f.pos(root) });
        else {
          ctx.fileStack.push(resolve(tasksFile));
          own = parseTaskList(new Reader(f, ctx.diags, ctx.warnings), root, { file: tasksFile, dir: dirname(tasksFile), role: full, handlers: false }, ctx);
          ctx.fileStack.pop();
        }
      }
    } else if (use.tasksFrom) {
      ctx.diags.add({ code: 'E_FILE_NOT_FOUND', message: `role ${use.name} has no tasks file ${use.tasksFrom}`, pos: use.pos });
    }
    const handlersFile = mainFile(join(dir, 'handlers'), use.handlersFrom?.replace(/\.ya?ml$/, '') ?? 'main');
    if (handlersFile && !ctx.handlerFiles.has(handlersFile)) {
      ctx.handlerFiles.add(handlersFile);
      const f = loadYamlFile(handlersFile, ctx.diags);
      if (f) {
        const nodes = parseTaskList(new Reader(f, ctx.diags, ctx.warnings), f.doc.contents as Node | null, { file: handlersFile, dir: dirname(handlersFile), role: full, handlers: true }, ctx);
        ctx.roleHandlers.push(...flattenHandlers(nodes));
      }
    }
    const c = use.common ?? { when: [], tags: [], vars: {} };
    const block: Block = { kind: 'block', pos: use.pos, ...c, role: full, block: [...out, ...own], rescue: [], always: [], ...(duplicate ? { roleDuplicate: true } : {}) };
    return { ref: full, tasks: [block] };
  } finally {
    ctx.roleStack.pop();
  }
}

/** flattenHandlers turns a handler list (which may hold import_tasks blocks) into plain handler tasks. */
export function flattenHandlers(nodes: readonly TaskNode[]): Task[] {
  const out: Task[] = [];
  for (const n of nodes) {
    if (n.kind === 'task') out.push(n);
    else if (n.kind === 'block') out.push(...flattenHandlers([...n.block, ...n.rescue, ...n.always]));
    else if (n.tasks) out.push(...flattenHandlers(n.tasks));
  }
  return out;
}
