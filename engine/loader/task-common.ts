import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { moduleNames } from '../modules/registry.ts';
import { checkTemplate } from '../template/index.ts';
import { COMMON_KEYWORDS, LOOP_CONTROL_KEYS, unknownKeywordMessage } from './keywords.ts';
import { didYouMean } from './suggest.ts';
import type { LoopSpec, RoleRef, TaskCommon } from './types.ts';
import type { Reader } from './values.ts';
import { keyName, type Mutable, pairsOf } from './yaml-pairs.ts';

// Readers for what tasks, blocks and includes have in common: the shared keywords, loops, unknown keys.

/** Common is TaskCommon being filled in, before the entry's position is added. */
export type Common = Mutable<Omit<TaskCommon, 'pos'>>;

/** IDENT is a valid variable name (register:, loop_var:). */
export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** readCommon reads the keywords every task-like entry shares; it ignores any other key. */
export function readCommon(r: Reader, pairs: Pair<Node, Node>[], role: RoleRef | undefined, task?: string): Common {
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
        const field = (
          { become: 'become', ignore_errors: 'ignoreErrors', ignore_unreachable: 'ignoreUnreachable', run_once: 'runOnce', no_log: 'noLog', check_mode: 'checkMode', diff: 'diff' } as const
        )[k as 'become'];
        if (b !== undefined && field) c[field] = b;
      }
    }
  }
  return c;
}

/** readLoop reads loop/with_items/with_list and loop_control into a LoopSpec. */
export function readLoop(r: Reader, pairs: Pair<Node, Node>[], task?: string): LoopSpec | undefined {
  const loops = pairs.filter((p) => {
    const k = keyName(p);
    return k === 'loop' || k.startsWith('with_');
  });
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
  } else {
    r.diags.add({
      code: 'E_LOOP',
      message: `${k} needs a list or a "{{ var }}" template yielding one, got ${isMap(v) ? 'a mapping' : JSON.stringify(r.js(v))}`,
      pos: r.f.valuePos(v),
      task,
      hint: isScalar(v) && typeof v.value === 'string' && IDENT.test(v.value) ? `write "{{ ${v.value} }}" to loop over the variable ${v.value}` : undefined,
    });
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
  if (typeof items === 'string') spec.itemsPos = r.f.valuePos(v);
  if (indexVar !== undefined) spec.indexVar = indexVar;
  if (label !== undefined) spec.label = label;
  return spec;
}

/** unknownKey reports a key that is not allowed in `where`, suggesting the nearest keyword or module name. */
export function unknownKey(r: Reader, p: Pair<Node, Node>, where: string, allowed: ReadonlySet<string>, task?: string): void {
  const k = keyName(p);
  const hint = didYouMean(k, allowed) ?? didYouMean(k, moduleNames());
  r.diags.add({ code: 'E_UNKNOWN_KEYWORD', message: unknownKeywordMessage(k, where), pos: r.f.pos(p.key as Node), task, hint });
}
