// Where each inventory value was written. Like the float marks (engine/py/marks.ts), positions sit
// beside the data, keyed by the container and key, so the variables stay plain data and the
// position follows the value through Ansible's precedence merge: the place found for a host's
// variable is the place of the value the host actually gets.
import type { SourcePos } from '../errors/index.ts';

// a non-enumerable symbol property rather than a WeakMap: Object.keys, spreads, JSON and structured
// clones never see it, and a 20 000-host inventory does not grow one ephemeron table by 40 000 keys
const POS: unique symbol = Symbol('tsplay.pos');
// array indexes and mapping keys alike are property names of a prototype-less object
type Positions = Record<string, SourcePos>;

/** markPos records that `container[key]` was written at `pos`. */
export function markPos(container: object, key: string | number, pos: SourcePos): void {
  let m = (container as { [POS]?: Positions })[POS];
  if (!m) {
    m = Object.create(null) as Positions;
    Object.defineProperty(container, POS, { value: m, enumerable: false });
  }
  m[key] = pos;
}

/** posAt is where `container[key]` was written, if known. */
export function posAt(container: object, key: string | number): SourcePos | undefined {
  return (container as { [POS]?: Positions })[POS]?.[key];
}

/** copyPos carries the position of `from[fromKey]` over to `to[toKey]`. */
export function copyPos(to: object, toKey: string | number, from: object, fromKey: string | number): void {
  const p = posAt(from, fromKey);
  if (p) markPos(to, toKey, p);
}

/** Located is the place of the deepest part of a path that has a known position, and how deep that is. */
export interface Located {
  readonly pos: SourcePos;
  /** how many path elements were followed to reach `pos` (1 = the variable itself) */
  readonly depth: number;
}

/**
 * locateValue finds where `root[path[0]][path[1]]...` was written, walking down as far as the
 * value goes: a path into a part that does not exist (a missing key) gives its nearest parent.
 */
export function locateValue(root: object, path: readonly (string | number)[]): Located | undefined {
  let cur: unknown = root;
  let best: Located | undefined;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object') break;
    const key = path[i]!;
    const p = posAt(cur, key);
    if (p) best = { pos: p, depth: i + 1 };
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return best;
}
