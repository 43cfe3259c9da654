// group_vars/ and host_vars/ beside an inventory source, found and merged the way Ansible's
// host_group_vars plugin and DataLoader.find_vars_files do: `<name>`, `<name>.yml`,
// `<name>.yaml`, `<name>.json` (the first that exists wins) or a directory `<name>/` whose files
// (sorted, recursively, no hidden or backup files) are merged in order.
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap } from 'yaml';
import { type Diagnostics, TsplayError } from '../errors/index.ts';
import { readUtf8File } from '../files/utf8.ts';
import { combineVars } from './combine-vars.ts';
import type { Vars } from './types.ts';
import { Converter, nodePos, parseDataFile } from './yaml-data.ts';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

function kind(path: string): 'file' | 'dir' | undefined {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

function dirFiles(dir: string): string[] {
  const out: string[] = [];
  // Python sorts names by code point; so does a plain string sort for the BMP
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const full = join(dir, name);
    const ext = extname(name);
    const k = kind(full);
    if (k === 'dir' && !ext) out.push(...dirFiles(full));
    else if (k === 'file' && EXTENSIONS.includes(ext)) out.push(full);
  }
  return out;
}

/** findVarsFiles lists the files that hold vars for `name` in a group_vars or host_vars directory. */
export function findVarsFiles(dir: string, name: string): string[] {
  const base = join(dir, name);
  for (const ext of EXTENSIONS) {
    const p = base + ext;
    const k = kind(p);
    if (k === 'dir') return dirFiles(p);
    if (k === 'file') return [p];
  }
  return [];
}

// Why a cache: one file can serve several sources and is read once per run, as Ansible's FOUND cache does
const fileCache = new Map<string, Vars | null>();

/** loadVarsFile reads one vars file; an empty file is no vars, anything but a mapping is an error. */
export function loadVarsFile(file: string, diags: Diagnostics): Vars | null {
  const cached = fileCache.get(file);
  if (cached !== undefined) return cached;
  const before = diags.items.length;
  let text: string;
  try {
    text = readUtf8File(file, 'vars file');
  } catch (e) {
    if (e instanceof TsplayError) diags.add(e);
    else diags.add({ code: 'E_FILE_READ', message: `cannot read ${file}: ${(e as Error).message}`, pos: { file, line: 1, col: 1 } });
    return null;
  }
  const src = parseDataFile(file, text, diags);
  if (!src) return null;
  const conv = new Converter(src, diags);
  const root = conv.deref(src.doc.contents);
  let out: Vars | null = null;
  if (isMap(root)) out = conv.mapping(root);
  else {
    const value = conv.value(root);
    if (value !== null) {
      const what = Array.isArray(value) ? 'a list' : `a ${typeof value}`;
      diags.add({ code: 'E_VARS_FILE', message: `${file} must hold a mapping of variables, not ${what}`, pos: nodePos(src, root) });
    }
  }
  // a broken file is not cached, so every load reports it again
  if (diags.items.length === before) fileCache.set(file, out);
  return out;
}

/** loadEntityVars merges the vars files for one host or group found in `<baseDir>/<subdir>/`. */
export function loadEntityVars(baseDir: string, subdir: 'group_vars' | 'host_vars', name: string, diags: Diagnostics): Vars {
  // Ansible skips names that look like absolute paths (chroot-style inventory hostnames)
  if (name.startsWith('/')) return {};
  const dir = join(baseDir, subdir);
  if (kind(dir) !== 'dir') return {};
  let data: Vars = {};
  for (const f of findVarsFiles(dir, name)) {
    const v = loadVarsFile(f, diags);
    if (v) data = combineVars(data, v);
  }
  return data;
}
