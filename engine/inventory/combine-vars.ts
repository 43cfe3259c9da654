// Inventory variables carry Python float/unsafe marks (engine/py/marks.ts) on their containers;
// copying a variable from one mapping to another must carry its marks along.
import { copyMarks } from '../py/marks.ts';
import type { Vars } from './types.ts';
import { copyPos } from './value-pos.ts';

/** setVar assigns `target[key] = from[fromKey]`, carrying the float and unsafe marks and the source position over. */
export function setVar(target: Vars, key: string, from: object, fromKey: string | number): void {
  target[key] = (from as Record<string | number, unknown>)[fromKey];
  copyMarks(target, key, from, fromKey);
  copyPos(target, key, from, fromKey);
}

/**
 * combineVars is Ansible's combine_vars with the default hash_behaviour=replace: a shallow
 * update where b's keys win, keeping float marks.
 */
export function combineVars(a: Vars, b: Vars): Vars {
  const out: Vars = {};
  for (const k of Object.keys(a)) setVar(out, k, a, k);
  for (const k of Object.keys(b)) setVar(out, k, b, k);
  return out;
}
