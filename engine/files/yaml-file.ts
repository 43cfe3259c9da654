import { isScalar, LineCounter, parseDocument, type Document, type DocumentOptions, type Node, type ParseOptions, type Scalar, type ScalarTag, type SchemaOptions, type Tags } from 'yaml';
import { type Diagnostics, type ErrorCode, type SourcePos, TsplayError } from '../errors/index.ts';
import { shortPath } from './paths.ts';
import { readUtf8File } from './utf8.ts';
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

const YAML_CODES: Record<string, ErrorCode> = { DUPLICATE_KEY: 'E_YAML_DUPLICATE_KEY', TAB_AS_INDENT: 'E_YAML_TAB' };

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

/**
 * loadYamlFile parses a file as PyYAML does (YAML 1.1: `yes`/`no` are booleans, `y`/`n` are not) keeping
 * positions; every YAML problem goes into diags. It returns undefined when the file is missing
 * or its structure is unusable; duplicate keys alone leave it usable so later checks still run.
 */
export function loadYamlFile(path: string, diags: Diagnostics, from?: SourcePos): YamlFile | undefined {
  let text: string;
  try {
    text = readUtf8File(path);
  } catch (e) {
    if (e instanceof TsplayError) {
      diags.add(e);
      return undefined;
    }
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    diags.add({
      code: missing ? 'E_FILE_NOT_FOUND' : 'E_FILE_READ',
      message: missing ? `file not found: ${shortPath(path)}` : `cannot read ${shortPath(path)}: ${(e as Error).message}`,
      pos: from,
    });
    return undefined;
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { ...ANSIBLE_YAML, lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const pos = (node: Node | number | null | undefined): SourcePos => {
    const offset = typeof node === 'number' ? node : (node?.range?.[0] ?? 0);
    const lp = lc.linePos(offset);
    return { file: path, line: lp.line, col: lp.col };
  };
  const valuePos = (node: Node | null | undefined): SourcePos => {
    if (!node) return pos(0);
    const quoted = isScalar(node) && ((node as Scalar).type === 'QUOTE_DOUBLE' || (node as Scalar).type === 'QUOTE_SINGLE');
    return pos((node.range?.[0] ?? 0) + (quoted ? 1 : 0));
  };
  let usable = true;
  const seenLines = new Set<number>();
  for (const err of doc.errors) {
    const p = pos(err.pos[0]);
    // one error per line: a tab makes the parser report the rest of its line as well
    if (seenLines.has(p.line)) continue;
    seenLines.add(p.line);
    const code = YAML_CODES[err.code] ?? 'E_YAML_SYNTAX';
    if (code !== 'E_YAML_DUPLICATE_KEY') usable = false;
    const key = code === 'E_YAML_DUPLICATE_KEY' ? /^\s*([^:#]+?)\s*:/.exec(text.slice(err.pos[0]))?.[1] : undefined;
    diags.add({
      code,
      message: code === 'E_YAML_DUPLICATE_KEY' ? `duplicate key${key ? ` "${key}"` : ''} in mapping` : code === 'E_YAML_TAB' ? 'tab character used for indentation' : `YAML syntax error: ${err.message.split('\n')[0]}`,
      pos: p,
      hint: code === 'E_YAML_TAB' ? 'YAML indentation must use spaces' : code === 'E_YAML_DUPLICATE_KEY' ? 'YAML keeps only one of them; remove or rename one' : undefined,
    });
  }
  if (!usable) return undefined;
  return { file: path, doc, pos, valuePos };
}
