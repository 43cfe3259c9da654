import { isScalar, type Node, type Pair, type YAMLMap } from 'yaml';

/** keyName is a mapping entry's key as text. */
export const keyName = (p: Pair): string => (isScalar(p.key) ? String(p.key.value) : String(p.key));

/** pairsOf is a parsed mapping's entries, typed as the parser builds them. */
export const pairsOf = (m: YAMLMap): Pair<Node, Node>[] => m.items as Pair<Node, Node>[];

/** Mutable lifts readonly so a reader can fill a model object field by field before handing it out. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
