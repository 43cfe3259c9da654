// YAML and JSON data files (YAML inventories, group_vars, host_vars) typed as Ansible types them.
// Ansible tries json.loads first and falls back to PyYAML, whose YAML 1.1 resolver differs from
// YAML 1.2: `yes`/`on` are booleans, `017` is octal, `1:30` is 90, `1e3` is a string and `1.0`
// stays a float. So the `yaml` package only builds the tree (with positions) under its failsafe
// schema and every plain scalar is resolved here.
import { Alias, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, Pair, parseDocument, type Scalar, Scalar as ScalarNode, YAMLMap, YAMLSeq } from 'yaml';
import type { Diagnostics, SourcePos } from '../errors/index.ts';
import { cachedYaml, rememberYaml, type YamlClasses } from '../files/yaml-cache.ts';
import { deepNestingProblem, documentLimitProblems, isStackOverflow, nonPrintableProblem, parseWithinStack } from '../files/yaml-limits.ts';
import { pyInt } from '../py/int.ts';
import { markFloat, markUnsafe } from '../py/marks.ts';
import { markPos } from './value-pos.ts';

/** store puts a typed value into a container, keeping its float and unsafe marks. */
export function store(container: object, key: string | number, t: Typed): void {
  (container as Record<string | number, unknown>)[key] = t.value;
  if (t.float) markFloat(container, key);
  if (t.unsafe) markUnsafe(container, key);
}

function markAllUnsafe(v: unknown): void {
  if (v === null || typeof v !== 'object') return;
  const o = v as Record<string | number, unknown>;
  for (const k of Array.isArray(v) ? v.keys() : Object.keys(o)) {
    if (typeof o[k] === 'string') markUnsafe(o, k);
    else markAllUnsafe(o[k]);
  }
}

/** DataFile is a parsed YAML/JSON file with what is needed to locate its nodes. */
export interface DataFile {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lc: LineCounter;
  /** the text is JSON, so scalars follow JSON's rules (Ansible tries json.loads first) */
  readonly json: boolean;
}

const CLASSES: YamlClasses = { Scalar: ScalarNode, YAMLMap, YAMLSeq, Pair, Alias };

/** parseDataFile parses YAML or JSON text, reporting syntax errors with positions; undefined if broken. */
export function parseDataFile(file: string, text: string, diags: Diagnostics): DataFile | undefined {
  const lc = new LineCounter();
  let json = false;
  try {
    JSON.parse(text);
    json = true;
  } catch {
    json = false;
  }
  // JSON.parse already refused raw control characters in a JSON text
  const bad = json ? undefined : nonPrintableProblem(text, file);
  if (bad) {
    diags.add(bad);
    return undefined;
  }
  const opts = { schema: 'failsafe', uniqueKeys: false, prettyErrors: false, strict: true } as const;
  const hit = cachedYaml('failsafe', file, text, lc, () => parseDocument('', { ...opts, lineCounter: lc }), CLASSES);
  if (hit) return { file, doc: hit, lc, json };
  const doc = parseWithinStack(() => parseDocument(text, { ...opts, lineCounter: lc }), text, file);
  if (!(doc instanceof Document)) {
    diags.add(doc);
    return undefined;
  }
  const at = (offset: number): SourcePos => {
    const p = lc.linePos(offset);
    return { file, line: p.line, col: p.col };
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      if (isStackOverflow(e.message)) {
        diags.add(deepNestingProblem(at(e.pos[0])));
        return undefined;
      }
      // the parser often points at the whitespace before the offending token: move onto it
      let off = e.pos[0];
      if (e.code !== 'TAB_AS_INDENT') while (off < text.length && /\s/.test(text[off] ?? '')) off++;
      const code = e.code === 'TAB_AS_INDENT' ? 'E_YAML_TAB' : e.code === 'DUPLICATE_KEY' ? 'E_YAML_DUPLICATE_KEY' : 'E_YAML_SYNTAX';
      diags.add({ code, message: `YAML: ${e.message.split('\n')[0]}`, pos: at(off < text.length ? off : e.pos[0]) });
    }
    return undefined;
  }
  const limits = documentLimitProblems(doc, at);
  for (const l of limits) diags.add(l);
  if (limits.length > 0) return undefined;
  rememberYaml('failsafe', file, text, lc, doc, () => parseDocument('', { ...opts, lineCounter: new LineCounter() }), CLASSES);
  return { file, doc, lc, json };
}

/** nodePos is the file:line:col where a YAML node starts. */
export function nodePos(src: DataFile, node: unknown): SourcePos {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return { file: src.file, line: 1, col: 1 };
  const p = src.lc.linePos(range[0]);
  return { file: src.file, line: p.line, col: p.col };
}

const NULL_RE = /^(?:~|null|Null|NULL|)$/;
const BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const BOOL_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const FLOAT_RE = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;

function sexagesimal(body: string): number {
  let value = 0;
  for (const part of body.split(':')) value = value * 60 + Number(part);
  return value;
}

// Python ints are unbounded: digits beyond 2^53 are kept exactly as a bigint (engine/py/int.ts)
function yamlInt(text: string): number | bigint {
  let v = text.replace(/_/g, '');
  let sign = 1n;
  if (v[0] === '-' || v[0] === '+') {
    if (v[0] === '-') sign = -1n;
    v = v.slice(1);
  }
  if (v === '0') return 0;
  if (v.includes(':')) return Number(sign) * sexagesimal(v);
  if (v.startsWith('0b') || v.startsWith('0x')) return pyInt(sign * BigInt(v));
  if (v.startsWith('0')) return pyInt(sign * BigInt(`0o${v.slice(1)}`));
  return pyInt(sign * BigInt(v));
}

function yamlFloat(text: string): number {
  let v = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (v[0] === '-' || v[0] === '+') {
    if (v[0] === '-') sign = -1;
    v = v.slice(1);
  }
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) return sign * sexagesimal(v);
  return sign * Number(v);
}

/** Typed is one resolved scalar: its value and whether a number is a Python float. */
export interface Typed {
  readonly value: unknown;
  readonly float: boolean;
  /** a string tagged `!unsafe` (Ansible never templates it and marks it in JSON output) */
  readonly unsafe?: boolean;
}

/** TypeFailure says why a scalar cannot be typed (an unsupported or mismatching tag). */
export class TypeFailure extends Error {}

const TIMESTAMP_RE = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/;
const DATE_ONLY_RE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

/**
 * isoTimestamp renders a YAML timestamp as Python's date/datetime isoformat(), which is how
 * ansible-inventory prints the date objects PyYAML builds (tsplay keeps them as strings).
 */
function isoTimestamp(m: RegExpExecArray): string {
  const p2 = (x: string | undefined): string => (x ?? '0').padStart(2, '0');
  const date = `${m[1]}-${p2(m[2])}-${p2(m[3])}`;
  if (m[4] === undefined) return date;
  const frac = (m[7] ?? '').slice(0, 6);
  const micro = frac && Number(frac) !== 0 ? `.${frac.padEnd(6, '0')}` : '';
  let tz = '';
  if (m[8] === 'Z') tz = '+00:00';
  else if (m[8]) {
    const [h, mm = '00'] = m[8].slice(1).split(':');
    tz = `${m[8][0]}${p2(h)}:${mm}`;
  }
  return `${date}T${p2(m[4])}:${m[5]}:${m[6]}${micro}${tz}`;
}

/** resolvePlain types a plain scalar with PyYAML's YAML 1.1 implicit resolvers. */
export function resolvePlain(text: string): Typed {
  if (NULL_RE.test(text)) return { value: null, float: false };
  if (BOOL_TRUE.test(text)) return { value: true, float: false };
  if (BOOL_FALSE.test(text)) return { value: false, float: false };
  if (INT_RE.test(text)) return { value: yamlInt(text), float: false };
  if (FLOAT_RE.test(text)) return { value: yamlFloat(text), float: true };
  const ts = DATE_ONLY_RE.test(text) || /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)/.test(text) ? TIMESTAMP_RE.exec(text) : null;
  if (ts) return { value: isoTimestamp(ts), float: false };
  // YAML 1.1's `=` (the "value" tag) has no constructor in PyYAML: Ansible cannot load it
  if (text === '=') throw new TypeFailure('a plain "=" cannot be loaded (YAML 1.1 value key); quote it');
  return { value: text, float: false };
}

function resolveJsonPlain(text: string): Typed {
  if (text === 'null') return { value: null, float: false };
  if (text === 'true') return { value: true, float: false };
  if (text === 'false') return { value: false, float: false };
  if (text === 'NaN') return { value: NaN, float: true };
  if (text === 'Infinity' || text === '-Infinity') return { value: text[0] === '-' ? -Infinity : Infinity, float: true };
  if (/^-?[0-9]+$/.test(text)) return { value: pyInt(BigInt(text)), float: false };
  return { value: Number(text), float: /[.eE]/.test(text) };
}

function scalarTyped(src: DataFile, node: Scalar): Typed {
  const text = String(node.value);
  const tag = node.tag;
  if (tag === undefined || tag === '!') {
    if (node.type !== 'PLAIN' || tag === '!') return { value: text, float: false };
    return src.json ? resolveJsonPlain(text) : resolvePlain(text);
  }
  switch (tag) {
    case 'tag:yaml.org,2002:str':
      return { value: text, float: false };
    case '!unsafe':
      return { value: text, float: false, unsafe: true };
    case 'tag:yaml.org,2002:null':
      return { value: null, float: false };
    case 'tag:yaml.org,2002:bool':
      if (BOOL_TRUE.test(text)) return { value: true, float: false };
      if (BOOL_FALSE.test(text)) return { value: false, float: false };
      throw new TypeFailure(`"${text}" is not a boolean`);
    case 'tag:yaml.org,2002:int':
      if (!INT_RE.test(text)) throw new TypeFailure(`"${text}" is not an integer`);
      return { value: yamlInt(text), float: false };
    case 'tag:yaml.org,2002:float':
      if (!FLOAT_RE.test(text) && !INT_RE.test(text)) throw new TypeFailure(`"${text}" is not a float`);
      return { value: yamlFloat(text), float: true };
    case '!vault':
      throw new TypeFailure('vault-encrypted values are not supported by tsplay');
    default:
      throw new TypeFailure(`unsupported YAML tag ${tag}`);
  }
}

/** keyString is a key's text as Ansible would use it as a name (str() of the typed key). */
function keyString(t: Typed): string {
  const v = t.value;
  if (typeof v === 'string') return v;
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

/** Converter turns YAML nodes into values, collecting problems with their positions. */
export class Converter {
  readonly src: DataFile;
  readonly diags: Diagnostics;
  constructor(src: DataFile, diags: Diagnostics) {
    this.src = src;
    this.diags = diags;
  }

  /** deref follows an alias to the node it names. */
  deref(node: unknown): unknown {
    if (isAlias(node)) return node.resolve(this.src.doc);
    return node;
  }

  /** typed converts a node and says whether the result is a float. */
  typed(raw: unknown): Typed {
    const node = this.deref(raw);
    if (node === null || node === undefined) return { value: null, float: false };
    if (isScalar(node)) {
      try {
        return scalarTyped(this.src, node);
      } catch (e) {
        if (!(e instanceof TypeFailure)) throw e;
        this.diags.add({ code: 'E_YAML_SYNTAX', message: e.message, pos: nodePos(this.src, node) });
        return { value: String(node.value), float: false };
      }
    }
    this.checkCollectionTag(node as Node);
    if (isSeq(node)) {
      const arr: unknown[] = [];
      node.items.forEach((item, i) => {
        store(arr, i, this.typed(item));
        markPos(arr, i, nodePos(this.src, item ?? node));
      });
      if (node.tag === '!unsafe') markAllUnsafe(arr);
      return { value: arr, float: false };
    }
    if (isMap(node)) {
      const m = this.mapping(node);
      if (node.tag === '!unsafe') markAllUnsafe(m);
      return { value: m, float: false };
    }
    return { value: null, float: false };
  }

  private checkCollectionTag(node: Node): void {
    const tag = node.tag;
    if (tag === undefined || tag === '!unsafe' || tag === 'tag:yaml.org,2002:map' || tag === 'tag:yaml.org,2002:seq') return;
    this.diags.add({ code: 'E_YAML_SYNTAX', message: `unsupported YAML tag ${tag}`, pos: nodePos(this.src, node) });
  }

  /** value converts a node to a plain value. */
  value(node: unknown): unknown {
    return this.typed(node).value;
  }

  /** keyOf types a mapping key as a name. */
  keyOf(node: unknown): string {
    return keyString(this.typed(node));
  }

  /**
   * entries lists a mapping's key/value nodes with merge keys (`<<`) expanded first, so explicit
   * keys win as in PyYAML; a key given twice is reported rather than silently dropped.
   */
  entries(map: unknown): { key: string; keyNode: unknown; valueNode: unknown }[] {
    const node = this.deref(map);
    if (!isMap(node)) return [];
    const merged: { key: string; keyNode: unknown; valueNode: unknown }[] = [];
    const own: { key: string; keyNode: unknown; valueNode: unknown }[] = [];
    const seen = new Map<string, unknown>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = this.deref(pair.key);
      if (isScalar(k) && k.type === 'PLAIN' && k.value === '<<' && k.tag === undefined && !this.src.json) {
        const v = this.deref(pair.value);
        const sources = isSeq(v) ? v.items.map((i) => this.deref(i)) : [v];
        for (const s of sources) {
          if (!isMap(s)) {
            this.diags.add({ code: 'E_YAML_SYNTAX', message: 'a merge key (<<) needs a mapping or a list of mappings', pos: nodePos(this.src, s ?? pair) });
            continue;
          }
          for (const e of this.entries(s)) if (!merged.some((m) => m.key === e.key)) merged.push(e);
        }
        continue;
      }
      const key = this.keyOf(pair.key);
      if (seen.has(key) && !this.src.json) {
        this.diags.add({ code: 'E_YAML_DUPLICATE_KEY', message: `the key "${key}" is given twice in this mapping`, pos: nodePos(this.src, pair.key) });
      }
      seen.set(key, pair.key);
      const at = own.findIndex((o) => o.key === key);
      if (at >= 0) own.splice(at, 1);
      own.push({ key, keyNode: pair.key, valueNode: pair.value });
    }
    return [...merged.filter((m) => !seen.has(m.key)), ...own];
  }

  /** mapping converts a mapping node to an object, keeping float marks. */
  mapping(node: unknown): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const e of this.entries(node)) {
      store(out, e.key, this.typed(e.valueNode));
      // `key:` with nothing after it has no value node: its place is the key's
      markPos(out, e.key, nodePos(this.src, e.valueNode ?? e.keyNode));
    }
    return out;
  }
}
