// What PyYAML refuses and what would exhaust tsplay, checked on a parsed document before any value
// is built from it: control characters (PyYAML: "unacceptable character"), tags no constructor
// exists for (PyYAML: "could not determine a constructor", e.g. `!!python/object`), nesting deeper
// than any real file needs (the parser and every later walk recurse), and aliases that expand a
// small file into millions of values (the "billion laughs"). Each is a coded error at its position.
import { isAlias, isCollection, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import type { DiagnosticInit, SourcePos } from '../errors/index.ts';

/** MAX_YAML_DEPTH is how deep collections may nest; Ansible 2.14 itself fails near 400 (Python's recursion limit). */
export const MAX_YAML_DEPTH = 500;

/** ALIAS_BUDGET is how many values aliases may add beyond ten per value written in the file. */
export const ALIAS_BUDGET = 100_000;

// PyYAML's Reader.NON_PRINTABLE: everything but TAB, LF, CR, printable ASCII, NEL and the printable BMP/astral planes
const NON_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** nonPrintableProblem finds the first character PyYAML refuses in a YAML stream, as an error at its place. */
export function nonPrintableProblem(text: string, file: string): DiagnosticInit | undefined {
  const m = NON_PRINTABLE.exec(text);
  if (!m) return undefined;
  // counted here: the check runs before the parser (and its line counter) sees the text
  const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
  const line = text.slice(0, lineStart).split('\n').length;
  const code = m[0].codePointAt(0) ?? 0;
  return {
    code: 'E_YAML_SYNTAX',
    message: `unacceptable character #x${code.toString(16).padStart(4, '0')}: control characters are not allowed`,
    pos: { file, line, col: m.index - lineStart + 1 },
    hint: code === 0 ? 'a NUL byte: is this a binary file?' : 'write it as an escape inside a double-quoted string ("\\x1b")',
  };
}

/** isStackOverflow tells whether a parser error is the parser running out of stack on deep nesting. */
export function isStackOverflow(message: string): boolean {
  return message.includes('Maximum call stack size exceeded');
}

/** deepNestingProblem is the error for nesting the parser could not follow, at the place it gave up. */
export function deepNestingProblem(pos: SourcePos): DiagnosticInit {
  return { code: 'E_YAML_LIMIT', message: `YAML nests deeper than ${MAX_YAML_DEPTH} levels`, pos, hint: 'flatten the data' };
}

const offsetOf = (n: unknown): number => (n as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;

/** LimitOptions says which further checks documentLimitProblems makes while it walks. */
export interface LimitOptions {
  /** report unresolved tags other than these (undefined: the caller types tags itself) */
  readonly allowedTags?: readonly string[];
  /** report repeated scalar keys: the `yaml` package's own check (uniqueKeys) is quadratic in a mapping's size */
  readonly duplicateKeys?: boolean;
}

function duplicateKeyProblems(map: Node, posAt: (offset: number) => SourcePos): DiagnosticInit[] {
  const out: DiagnosticInit[] = [];
  const seen = new Set<unknown>();
  for (const p of isMap(map) ? map.items : []) {
    const k = p.key;
    // merge keys may repeat, as for the `yaml` package and PyYAML
    if (!isScalar(k) || (k.source === '<<' && k.type === 'PLAIN')) continue;
    if (seen.has(k.value)) {
      out.push({
        code: 'E_YAML_DUPLICATE_KEY',
        message: `duplicate key "${String(k.source ?? k.value)}" in mapping`,
        pos: posAt(offsetOf(k)),
        hint: 'YAML keeps only one of them; remove or rename one',
      });
    }
    seen.add(k.value);
  }
  return out;
}

interface Frame {
  readonly node: Node;
  readonly kids: unknown[];
  i: number;
  size: number;
}

/**
 * documentLimitProblems walks a parsed document without recursion (so any depth is safe here) and
 * reports the first node nested beyond MAX_YAML_DEPTH, an alias to its own enclosing node, aliases
 * expanding past the budget, (given `allowedTags`) every other tag the schema could not resolve and
 * (given `duplicateKeys`) every repeated scalar key.
 */
export function documentLimitProblems(doc: Document.Parsed, posAt: (offset: number) => SourcePos, opts: LimitOptions = {}): DiagnosticInit[] {
  const { allowedTags, duplicateKeys } = opts;
  const out: DiagnosticInit[] = [];
  for (const w of allowedTags ? doc.warnings : []) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1] ?? '';
    if (allowedTags?.includes(tag)) continue;
    out.push({
      code: 'E_YAML_SYNTAX',
      message: `could not determine a constructor for the tag '${tag}'`,
      pos: posAt(w.pos[0]),
      hint: 'tsplay, like Ansible, builds no Python objects from YAML: remove the tag',
    });
  }
  const root = doc.contents;
  if (!root || !isCollection(root)) return out;
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const kidsOf = (n: Node): unknown[] => (isMap(n) ? n.items.flatMap((p) => (isPair(p) ? [p.key, p.value] : [])) : isCollection(n) ? [...n.items] : []);
  const stack: Frame[] = [{ node: root, kids: kidsOf(root), i: 0, size: 1 }];
  if (duplicateKeys) out.push(...duplicateKeyProblems(root, posAt));
  if (root.anchor) anchors.set(root.anchor, root);
  let written = 1;
  let added = 0;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i === top.kids.length) {
      stack.pop();
      sizes.set(top.node, top.size);
      const parent = stack[stack.length - 1];
      if (parent) parent.size += top.size;
      continue;
    }
    const kid = top.kids[top.i++];
    if (isAlias(kid)) {
      const target = anchors.get(kid.source);
      // an unknown anchor is the parser's own error already
      if (!target) continue;
      const size = sizes.get(target);
      if (size === undefined) {
        out.push({ code: 'E_YAML_LIMIT', message: `alias *${kid.source} refers to a node that contains it`, pos: posAt(offsetOf(kid)), hint: 'a recursive structure cannot be turned into data' });
        return out;
      }
      top.size += size;
      added += size;
      if (added > ALIAS_BUDGET + 10 * written) {
        out.push({
          code: 'E_YAML_LIMIT',
          message: `aliases expand this file to more than ${ALIAS_BUDGET + 10 * written} values (alias *${kid.source} adds ${size})`,
          pos: posAt(offsetOf(kid)),
          hint: 'a YAML alias bomb? write the data out, or use fewer nested aliases',
        });
        return out;
      }
      continue;
    }
    if (kid === null || kid === undefined || !(isScalar(kid) || isCollection(kid))) continue;
    written++;
    const node = kid as Node;
    if (node.anchor) anchors.set(node.anchor, node);
    if (isScalar(node)) {
      sizes.set(node, 1);
      top.size += 1;
      continue;
    }
    if (stack.length >= MAX_YAML_DEPTH) {
      out.push(deepNestingProblem(posAt(offsetOf(node))));
      return out;
    }
    stack.push({ node, kids: kidsOf(node), i: 0, size: 1 });
    if (duplicateKeys) out.push(...duplicateKeyProblems(node, posAt));
  }
  return out;
}

/**
 * parseWithinStack runs a YAML parse that may throw RangeError on deep block nesting (the `yaml`
 * package's CST parser recurses per level) and turns that into E_YAML_LIMIT, placed at the first
 * line indented past MAX_YAML_DEPTH columns: block nesting needs one column per level.
 */
export function parseWithinStack<T>(parse: () => T, text: string, file: string): T | DiagnosticInit {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const m = new RegExp(`^ {${MAX_YAML_DEPTH},}`, 'm').exec(text);
    const line = m ? text.slice(0, m.index).split('\n').length : 1;
    return deepNestingProblem({ file, line, col: m ? MAX_YAML_DEPTH + 1 : 1 });
  }
}
