import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { SourcePos } from '../errors/index.ts';
import { getModule, moduleNames } from '../modules/registry.ts';
import type { ModuleDef } from '../modules/types.ts';
import { ALL_KEYWORDS, HANDLER_KEYWORDS, TASK_KEYWORDS, UNSUPPORTED_KEYWORDS, unknownKeywordMessage } from './keywords.ts';
import type { ListOptions, PlayContext } from './load-context.ts';
import { checkArgs, schemaKeys, splitKv } from './module-args.ts';
import { closest, didYouMean, levenshtein } from './suggest.ts';
import { IDENT, readCommon, readLoop } from './task-common.ts';
import type { Task } from './types.ts';
import type { Reader } from './values.ts';
import { checkTemplate } from '../template/index.ts';
import { keyName, type Mutable, pairsOf } from './yaml-pairs.ts';

/** ModuleSpec is the module a task calls, with its arguments and where each was written. */
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
): ArgValues | undefined {
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
    const exact = !text.includes('\n') && (textOverride !== undefined || !isScalar(node) || node.type === 'PLAIN' || (node.type === 'QUOTE_SINGLE' && !text.includes("'")));
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

/** ArgValues are a module's arguments with where each key and value was written. */
type ArgValues = Pick<ModuleSpec, 'args' | 'argKeyPos' | 'argValuePos'>;

/** TaskKeys are a task's keys sorted out: module names, keys that are neither keyword nor module, and `action:`/`local_action:`. */
interface TaskKeys {
  readonly modules: Pair<Node, Node>[];
  readonly strangers: Pair<Node, Node>[];
  readonly actionPair: Pair<Node, Node> | undefined;
}

function sortKeys(pairs: Pair<Node, Node>[], allowed: ReadonlySet<string>): TaskKeys {
  const modules: Pair<Node, Node>[] = [];
  const strangers: Pair<Node, Node>[] = [];
  for (const p of pairs) {
    const k = keyName(p);
    if (allowed.has(k) || k === 'loop' || k.startsWith('with_')) continue;
    if (getModule(k)) modules.push(p);
    else strangers.push(p);
  }
  const actionPair = pairs.find((p) => keyName(p) === 'action' || keyName(p) === 'local_action');
  return { modules, strangers, actionPair };
}

/**
 * reportStrangers reports misspelt keywords, unknown modules and a second module; false when the
 * task's module cannot be trusted. A key close to a keyword is a keyword typo; with no module in
 * the task, the remaining stranger is the module the user meant.
 */
function reportStrangers(r: Reader, keys: TaskKeys, allowed: ReadonlySet<string>, where: string, task?: string): boolean {
  const { modules, strangers, actionPair } = keys;
  let ok = true;
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
    r.diags.add({
      code: 'E_UNKNOWN_KEYWORD',
      message: unknownKeywordMessage(k, where),
      pos: r.f.pos(p.key as Node),
      task,
      hint: UNSUPPORTED_KEYWORDS.has(k) ? undefined : kw && allowed.has(kw) ? `did you mean \`${kw}\`?` : kw ? `\`${kw}\` is not allowed in ${where}` : undefined,
    });
  }
  const hasModule = modules.length > 0 || actionPair !== undefined;
  for (const p of others) {
    const k = keyName(p);
    const hint = didYouMean(k, moduleNames());
    if (hasModule && !hint) r.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: `"${k}" is not a valid keyword for ${where}`, pos: r.f.pos(p.key as Node), task });
    else r.diags.add({ code: 'E_UNKNOWN_MODULE', message: `unknown module "${k}"`, pos: r.f.pos(p.key as Node), task, hint: hint ?? `known modules: ${moduleNames().join(', ')}` });
    ok = false;
  }
  if (modules.length + (actionPair ? 1 : 0) > 1) {
    const all = [...modules, ...(actionPair ? [actionPair] : [])].sort((a, b) => (a.key as Node).range![0] - (b.key as Node).range![0]);
    for (const p of all.slice(1)) {
      r.diags.add({
        code: 'E_MULTIPLE_MODULES',
        message: `a task can call only one module; found ${all.map(keyName).join(' and ')}`,
        pos: r.f.pos(p.key as Node),
        task,
        hint: 'split this into several tasks',
      });
    }
    ok = false;
  }
  return ok;
}

/** moduleKeySpec reads a module called by its own key (`copy: {...}`); undefined when its arguments are wrong. */
function moduleKeySpec(r: Reader, p: Pair<Node, Node>, ctx: PlayContext, task?: string): ModuleSpec | undefined {
  const modName = keyName(p);
  const mod = getModule(modName)!;
  const a = readArgs(r, mod, modName, p.value, ctx, task);
  return a && { mod, name: mod.name, written: modName, keyPos: r.f.pos(p.key as Node), ...a, delegateLocal: false };
}

/** actionSpec reads `action:`/`local_action:`, as a string (`copy src=a dest=b`) or a mapping with `module:`. */
function actionSpec(r: Reader, actionPair: Pair<Node, Node>, ctx: PlayContext, task?: string): ModuleSpec | undefined {
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
    ctx.diags.add({
      code: modName ? 'E_UNKNOWN_MODULE' : 'E_NO_MODULE',
      message: modName ? `unknown module "${modName}"` : `${keyName(actionPair)} names no module`,
      pos: r.f.valuePos(v),
      task,
      hint: modName ? didYouMean(modName, moduleNames()) : undefined,
    });
    return undefined;
  }
  let a: ArgValues | undefined;
  if (rest && isMap(rest)) {
    a = readArgs(r, mod, modName!, rest, ctx, task);
    if (a) delete a.args['module'];
  } else {
    a = restText ? readArgs(r, mod, modName!, v, ctx, task, { text: restText, base: restBase! }) : { args: {}, argKeyPos: {}, argValuePos: {} };
  }
  return a && { mod, name: mod.name, written: modName!, keyPos: r.f.pos(actionPair.key as Node), ...a, delegateLocal: local };
}

/** addArgsKeyword merges `args:` into the module's arguments. */
function addArgsKeyword(r: Reader, pairs: Pair<Node, Node>[], spec: ModuleSpec, task?: string): void {
  const argsPair = pairs.find((p) => keyName(p) === 'args');
  if (!argsPair) return;
  if (!isMap(argsPair.value)) {
    r.bad(argsPair.value, 'args', 'a mapping', task);
    return;
  }
  for (const p of pairsOf(argsPair.value)) {
    const k = keyName(p);
    spec.args[k] = r.js(p.value);
    spec.argKeyPos[k] = r.f.pos(p.key as Node);
    spec.argValuePos[k] = r.f.valuePos(p.value);
  }
}

/** readTaskKeywords fills in the keywords only module tasks have (register, notify, until...). */
function readTaskKeywords(r: Reader, pairs: Pair<Node, Node>[], t: Mutable<Task>, ctx: PlayContext, task?: string): void {
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
        // Ansible templates both when the task runs (FieldAttribute isa=int): keep the template
        if (isScalar(v) && typeof v.value === 'string' && v.value.includes('{{')) {
          const pos = r.f.valuePos(v);
          const bad = checkTemplate(v.value, { pos, task });
          if (bad) ctx.diags.add({ code: bad.code, message: `${k}: ${bad.message}`, pos: bad.pos, hint: bad.hint, task });
          else t[k] = { template: v.value, pos };
          break;
        }
        const n = r.int(v, k, task);
        if (n !== undefined) t[k] = n;
        break;
      }
    }
  }
  if (t.until && t.retries === undefined) t.retries = 3;
  if (t.until && t.delay === undefined) t.delay = 5;
}

/** parseModuleTask reads a task (or handler) that calls one module; every mistake goes to ctx.diags. */
export function parseModuleTask(r: Reader, item: YAMLMap, pairs: Pair<Node, Node>[], opts: ListOptions, ctx: PlayContext, task?: string): Task | undefined {
  const allowed = opts.handlers ? HANDLER_KEYWORDS : TASK_KEYWORDS;
  const where = opts.handlers ? 'a handler' : 'a task';
  const pos = r.f.pos(item);
  const keys = sortKeys(pairs, allowed);
  const keysOk = reportStrangers(r, keys, allowed, where, task);
  let spec: ModuleSpec | undefined;
  let specOk = keysOk;
  if (keysOk && keys.modules.length === 1 && !keys.actionPair) {
    spec = moduleKeySpec(r, keys.modules[0]!, ctx, task);
    specOk = spec !== undefined;
  } else if (keysOk && keys.actionPair) {
    spec = actionSpec(r, keys.actionPair, ctx, task);
    specOk = spec !== undefined;
  }
  if (!spec && specOk && keys.strangers.length === 0) {
    ctx.diags.add({ code: 'E_NO_MODULE', message: `${where} names no module`, pos, task, hint: `add one of: ${moduleNames().join(', ')}` });
  }
  if (spec) {
    addArgsKeyword(r, pairs, spec, task);
    checkArgs(spec.mod, spec.args, { module: spec.name, modulePos: spec.keyPos, keyPos: spec.argKeyPos, valuePos: spec.argValuePos, task }, ctx.diags);
  }

  const c = readCommon(r, pairs, opts.role, task);
  if (spec?.delegateLocal) c.delegateTo = 'localhost';
  const loop = readLoop(r, pairs, task);
  const t: Mutable<Task> = { kind: 'task', pos, ...c, module: spec?.name ?? '', args: spec?.args ?? {}, argPos: spec?.argValuePos ?? {}, notify: [], listen: [] };
  if (loop) t.loop = loop;
  if (spec && spec.written !== spec.name) t.action = spec.written;
  readTaskKeywords(r, pairs, t, ctx, task);
  return t;
}

/** keywordNearer prefers the keyword reading on ties: `notfy` is a misspelt `notify`, not a module. */
function keywordNearer(word: string, kw: string, mod: string): boolean {
  return levenshtein(word.toLowerCase(), kw.toLowerCase()) <= levenshtein(word.toLowerCase(), mod.toLowerCase());
}
