import {
  Alias,
  Document,
  isScalar,
  LineCounter,
  Pair,
  parseDocument,
  Scalar as ScalarNode,
  YAMLMap,
  YAMLSeq,
  type DocumentOptions,
  type Node,
  type ParseOptions,
  type Scalar,
  type ScalarTag,
  type SchemaOptions,
  type Tags,
} from 'yaml';
import { Diagnostics, TsplayError, type ErrorCode, type SourcePos } from '../errors/index.ts';
import { readUserFile } from './read-file.ts';
import { cachedYaml, rememberYaml, type YamlClasses } from './yaml-cache.ts';
import { deepNestingProblem, documentLimitProblems, isStackOverflow, nonPrintableProblem, parseWithinStack } from './yaml-limits.ts';
import { pyInt } from '../py/int.ts';

/** YamlFile is a parsed YAML file that can turn any node back into a file:line:col. */
export interface YamlFile {
  readonly file: string;
  readonly doc: Document.Parsed;
  /** pos is where a node (or an offset) starts */
  pos(node: Node | number | null | undefined): SourcePos;
  /** valuePos is where a scalar's text starts: after the opening quote of a quoted scalar */
  valuePos(node: Node | null | undefined): SourcePos;
}

const CLASSES: YamlClasses = { Scalar: ScalarNode, YAMLMap, YAMLSeq, Pair, Alias };

const YAML_CODES: Record<string, ErrorCode> = { TAB_AS_INDENT: 'E_YAML_TAB' };

// PyYAML's YAML 1.1 resolver (what Ansible uses) takes only these words as booleans; the `yaml`
// package's 1.1 schema also takes `y`/`n`/`Y`/`N`, which would turn `{n: 1}` into `{false: 1}`.
const PY_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PY_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const BOOL_TAG = 'tag:yaml.org,2002:bool';

const INT_TAG = 'tag:yaml.org,2002:int';

/**
 * pyYamlTags swaps the 1.1 schema's boolean tags for ones that resolve exactly PyYAML's words,
 * and keeps integers beyond 2^53 exact as Python does (a bigint, see engine/py/int.ts).
 */
function pyYamlTags(tags: Tags): Tags {
  return tags.map((t) => {
    if (typeof t === 'object' && 'tag' in t && t.tag === INT_TAG && 'resolve' in t) {
      const tag = t as ScalarTag;
      return {
        ...tag,
        resolve: (str, onError, opt) => {
          const v: unknown = tag.resolve(str, onError, { ...opt, intAsBigInt: true });
          return typeof v === 'bigint' ? pyInt(v) : v;
        },
      } as ScalarTag;
    }
    if (typeof t !== 'object' || !('tag' in t) || t.tag !== BOOL_TAG || !('test' in t) || !(t.test instanceof RegExp)) return t;
    return { ...(t as ScalarTag), test: t.test.test('true') ? PY_TRUE : PY_FALSE };
  });
}

/** ANSIBLE_YAML is the parse/schema options that type plain scalars as Ansible (PyYAML, YAML 1.1) does. */
export const ANSIBLE_YAML: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.1', merge: true, customTags: pyYamlTags };

/** ANSIBLE_TAGS are the local tags Ansible's loader constructs; tsplay keeps their values as plain strings. */
const ANSIBLE_TAGS = ['!unsafe', '!vault', '!vault-encrypted'];

// Text standing in for a file that is not on disk: `tsplay -m` builds its one-task playbook in
// memory and loads it through the same loader, so its module and arguments get the same checks.
const virtualFiles = new Map<string, string>();

/** withVirtualFile makes loadYamlFile read `text` for the absolute `path` while `fn` runs. */
export function withVirtualFile<T>(path: string, text: string, fn: () => T): T {
  virtualFiles.set(path, text);
  try {
    return fn();
  } finally {
    virtualFiles.delete(path);
  }
}

/**
 * loadYamlFile parses a file as PyYAML does (YAML 1.1: `yes`/`no` are booleans, `y`/`n` are not) keeping
 * positions; every YAML problem goes into diags. It returns undefined when the file is missing
 * or its structure is unusable; duplicate keys alone leave it usable so later checks still run.
 */
export function loadYamlFile(path: string, diags: Diagnostics, from?: SourcePos): YamlFile | undefined {
  let text: string;
  try {
    text = virtualFiles.get(path) ?? readUserFile(path, from);
  } catch (e) {
    if (!(e instanceof TsplayError)) throw e;
    diags.add(e);
    return undefined;
  }
  return parseYamlText(text, path, diags, !virtualFiles.has(path));
}

/**
 * parseYamlText parses YAML text read from `path` (or named so, for `-e`) as loadYamlFile does;
 * `fromFile` text is the file's own and may come from the parsed-YAML cache (yaml-cache.ts).
 */
export function parseYamlText(text: string, path: string, diags: Diagnostics, fromFile = false): YamlFile | undefined {
  const lc = new LineCounter();
  const at = (offset: number): SourcePos => {
    const lp = lc.linePos(offset);
    return { file: path, line: lp.line, col: lp.col };
  };
  const pos = (node: Node | number | null | undefined): SourcePos => at(typeof node === 'number' ? node : (node?.range?.[0] ?? 0));
  const valuePos = (node: Node | null | undefined): SourcePos => {
    if (!node) return pos(0);
    const quoted = isScalar(node) && ((node as Scalar).type === 'QUOTE_DOUBLE' || (node as Scalar).type === 'QUOTE_SINGLE');
    return pos((node.range?.[0] ?? 0) + (quoted ? 1 : 0));
  };
  const bad = nonPrintableProblem(text, path);
  if (bad) {
    diags.add(bad);
    return undefined;
  }
  const opts = { ...ANSIBLE_YAML, prettyErrors: false, uniqueKeys: false };
  const hit = fromFile ? cachedYaml('ansible', path, text, lc, () => parseDocument('', { ...opts, lineCounter: lc }), CLASSES) : undefined;
  if (hit) return { file: path, doc: hit, pos, valuePos };
  const doc = parseWithinStack(() => parseDocument(text, { ...opts, lineCounter: lc }), text, path);
  if (!(doc instanceof Document)) {
    diags.add(doc);
    return undefined;
  }
  const seenLines = new Set<number>();
  for (const err of doc.errors) {
    const p = pos(err.pos[0]);
    // one error per line: a tab makes the parser report the rest of its line as well
    if (seenLines.has(p.line)) continue;
    seenLines.add(p.line);
    if (isStackOverflow(err.message)) {
      diags.add(deepNestingProblem(p));
      return undefined;
    }
    const code = YAML_CODES[err.code] ?? 'E_YAML_SYNTAX';
    diags.add({
      code,
      message: code === 'E_YAML_TAB' ? 'tab character used for indentation' : `YAML syntax error: ${err.message.split('\n')[0]}`,
      pos: p,
      hint: code === 'E_YAML_TAB' ? 'YAML indentation must use spaces' : undefined,
    });
  }
  if (doc.errors.length > 0) return undefined;
  // duplicate keys alone leave the file usable, so later checks still run
  const limits = documentLimitProblems(doc, at, { allowedTags: ANSIBLE_TAGS, duplicateKeys: true });
  for (const l of limits) diags.add(l);
  if (limits.some((l) => l.code !== 'E_YAML_DUPLICATE_KEY')) return undefined;
  // only a file without any problem is cached: the others are parsed again, to report them again
  if (fromFile && limits.length === 0) rememberYaml('ansible', path, text, lc, doc, () => parseDocument('', { ...opts, lineCounter: new LineCounter() }), CLASSES);
  return { file: path, doc, pos, valuePos };
}

/**
 * yamlFileValue is the whole document as plain data (aliases were bounded by parseYamlText, so
 * the `yaml` package's own alias cap, which throws a bare ReferenceError, is lifted).
 */
export function yamlFileValue(f: YamlFile): unknown {
  return f.doc.toJS({ maxAliasCount: -1 });
}

/**
 * loadYamlValue reads a data file (`-e @file`, include_vars, templated vars_files) into plain data;
 * every problem, from the size cap to a YAML limit, is thrown as TsplayErrors with its position.
 */
export function loadYamlValue(path: string, from?: SourcePos): unknown {
  const diags = new Diagnostics();
  const f = loadYamlFile(path, diags, from);
  diags.throwIfAny();
  return f ? yamlFileValue(f) : null;
}
