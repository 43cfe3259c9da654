// A cache of parsed YAML documents for the bundle's runs (dist/main.js turns it on; the sources'
// runs and the tests never use it unless they call useYamlCache).
//
// Why: parsing the ~20 YAML files of a playbook with positions is a quarter of a --syntax-check's
// CPU, all of it in cold (interpreted) code, and the same files are parsed again by every run. The
// cache keeps each file's node tree as JSON and rebuilds the `yaml` package's nodes from it, which
// takes a fraction of the parse.
//
// Why it gives the same result as parsing:
// - a hit needs the file's whole text to equal the text the entry was made from (a string compare,
//   no hash to collide), and the cache file belongs to one build of the bundle (its name carries
//   the bundle's inode, size and mtime, as the code cache's does), so the parser is the same code;
// - an entry is written only after its rebuild was compared with the fresh parse, node by node
//   (class, every own property, every value), and found equal: a file whose tree holds anything
//   JSON cannot carry (a bigint, a date, -0, an !!omap) is simply not cached;
// - only files read from disk that every user may read are cached (a copy tells nobody anything
//   new), never `-e` text or the ad-hoc command's in-memory playbook;
// - only files with no problem at all are cached: a file with a syntax error, a limit problem or a
//   duplicate key is parsed every time, so its errors still come with their file:line:col.
import type { Document, LineCounter, Schema } from 'yaml';

/** YamlClasses are the `yaml` package's node classes, passed in so this file never loads the package. */
export interface YamlClasses {
  Scalar: new (v: unknown) => object;
  YAMLMap: new (schema?: Schema) => object;
  YAMLSeq: new (schema?: Schema) => object;
  Pair: new (k: unknown) => object;
  Alias: new (source: string) => object;
}

interface Entry {
  text: string;
  lines: number[];
  doc: unknown;
}

interface Store {
  path: string;
  /** an entry as read from the file (its JSON, parsed on first lookup) or as made by this run */
  entries: Map<string, Entry | string>;
  used: Set<string>;
  /** entries this run found stale (their file made private): not merged back on save */
  dropped: Set<string>;
  dirty: boolean;
  hits: number;
}

let store: Store | undefined;
let loaded = false;

// Bounds: a long-lived cache of many playbooks stays small (entries used by the last run go first).
// A run parses only the entries it looks up, so the others cost a read and a split each.
const MAX_ENTRIES = 400;
const MAX_BYTES = 4 * 1024 * 1024;

/** useYamlCache turns the cache on with its file (or off, with undefined); read on first use. */
export function useYamlCache(path: string | undefined): void {
  store = path === undefined ? undefined : { path, entries: new Map(), used: new Set(), dropped: new Set(), dirty: false, hits: 0 };
  loaded = false;
}

// The file is one entry per line: the key as JSON, a tab, then [text, line starts, tree] as JSON
// (JSON text holds no raw tab or newline, so both separators are unambiguous).
function load(s: Store): void {
  loaded = true;
  const fs = process.getBuiltinModule('node:fs');
  try {
    const st = fs.statSync(s.path, { throwIfNoEntry: false });
    // only this user's file, writable by nobody else (the directory may be shared, as /tmp is)
    if (!st || (process.getuid && st.uid !== process.getuid()) || (st.mode & 0o022) !== 0) return;
    for (const row of fs.readFileSync(s.path, 'utf8').split('\n')) {
      const tab = row.indexOf('\t');
      if (tab < 0) continue;
      const key = JSON.parse(row.slice(0, tab)) as unknown;
      if (typeof key === 'string' && !s.dropped.has(key)) s.entries.set(key, row.slice(tab + 1));
    }
  } catch {
    // unreadable or not JSON: parse everything, and rewrite the file after a successful run
    s.entries.clear();
  }
}

/** entryOf is the entry under key, parsed from its JSON on first use; undefined when absent or malformed. */
function entryOf(s: Store, key: string): Entry | undefined {
  const e = s.entries.get(key);
  if (typeof e !== 'string') return e;
  try {
    const [text, lines, doc] = JSON.parse(e) as [unknown, unknown, unknown];
    if (typeof text === 'string' && Array.isArray(lines) && lines.every((n) => typeof n === 'number')) {
      const entry = { text, lines: lines as number[], doc };
      s.entries.set(key, entry);
      return entry;
    }
  } catch {
    // a damaged line: dropped below, and parsed afresh
  }
  s.entries.delete(key);
  return undefined;
}

/** yamlCacheStats counts this process's hits and the entries held (for the tests). */
export function yamlCacheStats(): { hits: number; entries: number } {
  return { hits: store?.hits ?? 0, entries: store?.entries.size ?? 0 };
}

/** NoCache marks a tree that JSON cannot carry exactly: such a file is parsed every time. */
class NoCache extends Error {}

const CODES = new Map<string, string>([
  ['Scalar', 's'],
  ['YAMLMap', 'm'],
  ['YAMLSeq', 'q'],
  ['Pair', 'p'],
  ['Alias', 'a'],
]);

/** encode turns a document's tree into JSON-able data; a yaml node is an object with its class in `$`. */
function encode(v: unknown, classes: YamlClasses): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || Object.is(v, -0)) throw new NoCache();
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => encode(x, classes));
  if (typeof v !== 'object') throw new NoCache();
  const proto = Object.getPrototypeOf(v) as object | null;
  let code: string | undefined;
  if (proto !== Object.prototype) {
    const name = Object.entries(classes).find(([, c]) => (c as { prototype: object }).prototype === proto)?.[0];
    code = name === undefined ? undefined : CODES.get(name);
    if (code === undefined) throw new NoCache();
  }
  const out: Record<string, unknown> = code === undefined ? {} : { $: code };
  for (const [k, x] of Object.entries(v)) {
    if (k === '$') throw new NoCache();
    out[k] = encode(x, classes);
  }
  return out;
}

function decode(v: unknown, classes: YamlClasses, schema: Schema): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decode(x, classes, schema));
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown>;
  switch (o['$']) {
    case undefined:
      out = {};
      break;
    case 's':
      out = new classes.Scalar(null) as Record<string, unknown>;
      break;
    case 'm':
      out = new classes.YAMLMap(schema) as Record<string, unknown>;
      break;
    case 'q':
      out = new classes.YAMLSeq(schema) as Record<string, unknown>;
      break;
    case 'p':
      out = new classes.Pair(null) as Record<string, unknown>;
      break;
    case 'a':
      out = new classes.Alias('') as Record<string, unknown>;
      break;
    default:
      throw new NoCache();
  }
  for (const k of Object.keys(o)) if (k !== '$') out[k] = decode(o[k], classes, schema);
  return out;
}

// A document's own fields that the cache carries; the rest (options, schema, errors, warnings)
// come from the empty document the rebuild starts from, made with the same options.
const DOC_FIELDS = ['contents', 'range', 'comment', 'commentBefore'] as const;
const DIRECTIVE_FIELDS = ['docStart', 'docEnd', 'yaml', 'tags'] as const;

function encodeDoc(doc: Document.Parsed, classes: YamlClasses): unknown {
  const d = doc as unknown as Record<string, unknown>;
  const dirs = doc.directives as unknown as Record<string, unknown>;
  return [DOC_FIELDS.map((k) => encode(d[k], classes)), DIRECTIVE_FIELDS.map((k) => encode(dirs[k], classes))];
}

function decodeDoc(data: unknown, empty: Document.Parsed, classes: YamlClasses): Document.Parsed {
  const [fields, dirFields] = data as [unknown[], unknown[]];
  const d = empty as unknown as Record<string, unknown>;
  const dirs = empty.directives as unknown as Record<string, unknown>;
  DOC_FIELDS.forEach((k, i) => {
    d[k] = decode(fields[i], classes, empty.schema);
  });
  DIRECTIVE_FIELDS.forEach((k, i) => {
    dirs[k] = decode(dirFields[i], classes, empty.schema);
  });
  return empty;
}

/**
 * sameTree compares two values as the loader could ever see them: same prototype, same own
 * properties (names, symbols, enumerability) and equal values (Object.is); a collection's schema
 * must be its own document's; functions must be the same function.
 */
function sameTree(a: unknown, b: unknown, schemaA: unknown, schemaB: unknown): boolean {
  if (a === schemaA || b === schemaB) return a === schemaA && b === schemaB;
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const da = Object.getOwnPropertyDescriptor(a, k);
    const db = Object.getOwnPropertyDescriptor(b, k);
    if (!da || !db || da.enumerable !== db.enumerable) return false;
    // Alias's own `tag` setter (a new closure per node) is the one accessor
    if ('get' in da || 'set' in da) {
      if (!('get' in db || 'set' in db) || typeof da.get !== typeof db.get || typeof da.set !== typeof db.set) return false;
      continue;
    }
    if (!sameTree(da.value, db.value, schemaA, schemaB)) return false;
  }
  return true;
}

/**
 * readableByAll says whether `path` is a regular file every user may read. Why: the cache is a
 * copy of the file's text and values; a file kept from others (a vars file with a password, mode
 * 0600) is never copied, so the cache tells nobody, and no later reader, anything the file did not.
 */
function readableByAll(path: string): boolean {
  const st = process.getBuiltinModule('node:fs').statSync(path, { throwIfNoEntry: false });
  return st?.isFile() === true && (st.mode & 0o004) !== 0;
}

/**
 * cachedYaml is the document parsed from `text` under `kind`'s options, rebuilt from the cache
 * into `empty()` (an empty document made with those options and `lc`), or undefined on a miss.
 */
export function cachedYaml(kind: string, path: string, text: string, lc: LineCounter, empty: () => Document.Parsed, classes: YamlClasses): Document.Parsed | undefined {
  const s = store;
  if (!s) return undefined;
  if (!loaded) load(s);
  const key = `${kind}\0${path}`;
  const e = entryOf(s, key);
  if (!e || e.text !== text) return undefined;
  if (!readableByAll(path)) {
    // made private since: dropped from the file by the next save
    s.entries.delete(key);
    s.dropped.add(key);
    s.dirty = true;
    return undefined;
  }
  try {
    const doc = decodeDoc(e.doc, empty(), classes);
    lc.lineStarts.length = 0;
    lc.lineStarts.push(...e.lines);
    s.used.add(key);
    s.hits++;
    return doc;
  } catch {
    s.entries.delete(key);
    return undefined;
  }
}

/**
 * rememberYaml stores a problem-free document parsed from `text`, after proving that its rebuild
 * (into `empty()`, a second empty document) equals it; a tree that does not rebuild equal is not stored.
 */
export function rememberYaml(kind: string, path: string, text: string, lc: LineCounter, doc: Document.Parsed, empty: () => Document.Parsed, classes: YamlClasses): void {
  const s = store;
  if (!s || doc.errors.length > 0 || doc.warnings.length > 0 || !readableByAll(path)) return;
  const key = `${kind}\0${path}`;
  try {
    const data = JSON.parse(JSON.stringify(encodeDoc(doc, classes))) as unknown;
    const rebuilt = decodeDoc(data, empty(), classes);
    const a = doc as unknown as Record<string, unknown>;
    const b = rebuilt as unknown as Record<string, unknown>;
    const equal =
      [...DOC_FIELDS, 'errors', 'warnings'].every((k) => sameTree(a[k], b[k], doc.schema, rebuilt.schema)) &&
      sameTree(doc.directives, rebuilt.directives, doc.schema, rebuilt.schema) &&
      sameTree(Object.keys(a), Object.keys(b), undefined, undefined) &&
      // the schema comes from the empty document's options: a %YAML directive, which would choose
      // another one for the file, keeps it out of the cache
      !doc.directives.yaml.explicit &&
      doc.schema.name === rebuilt.schema.name;
    if (!equal) return;
    s.entries.set(key, { text, lines: [...lc.lineStarts], doc: data });
    s.dropped.delete(key);
    s.used.add(key);
    s.dirty = true;
  } catch (e) {
    if (!(e instanceof NoCache)) throw e;
  }
}

/**
 * saveYamlCache writes the cache if this run added to it (dist/main.js calls it after a successful
 * run) and says whether it did. Entries another tsplay wrote since this one read the file are kept.
 */
export function saveYamlCache(): boolean {
  const s = store;
  if (!s?.dirty) return false;
  const fs = process.getBuiltinModule('node:fs');
  const ours = s.entries;
  s.entries = new Map();
  load(s);
  for (const [k, e] of ours) s.entries.set(k, e);
  const keys = [...s.used, ...[...s.entries.keys()].filter((k) => !s.used.has(k))].slice(0, MAX_ENTRIES);
  const rows: string[] = [];
  let bytes = 0;
  for (const k of keys) {
    const e = s.entries.get(k);
    if (e === undefined) continue;
    const row = `${JSON.stringify(k)}\t${typeof e === 'string' ? e : JSON.stringify([e.text, e.lines, e.doc])}`;
    if (bytes + row.length > MAX_BYTES) break;
    bytes += row.length;
    rows.push(row);
  }
  const tmp = `${s.path}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, `${rows.join('\n')}\n`, { mode: 0o600 });
    fs.renameSync(tmp, s.path); // whole or not at all for a tsplay reading it meanwhile
  } catch {
    fs.rmSync(tmp, { force: true });
    return false;
  }
  s.dirty = false;
  return true;
}
