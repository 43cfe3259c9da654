import { existsSync, readdirSync, statSync } from 'node:fs';
import { readUserFile } from '../files/read-file.ts';
import { basename, dirname, join } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { Diagnostics, type SourcePos } from '../errors/index.ts';
import { loadInventory, resolveSource } from '../inventory/index.ts';
import type { Inventory } from '../inventory/types.ts';

/** openInventory loads `-i` sources with the inventory stage, as every other tsplay command does. */
export async function openInventory(sources: readonly string[], baseDir: string): Promise<Inventory> {
  return loadInventory(sources, { baseDir });
}

/**
 * sourcePaths resolves the `-i` values that name files or directories (not `h1,h2,` lists) with
 * the inventory stage's own rules, so the YAML searched for positions is the YAML that was loaded.
 */
export function sourcePaths(sources: readonly string[], baseDir: string): string[] {
  const diags = new Diagnostics();
  const out: string[] = [];
  for (const s of sources) {
    if (!s || (s.includes(',') && !existsSync(s))) continue;
    const p = resolveSource(s, baseDir, diags);
    if (p !== undefined) out.push(p);
  }
  diags.throwIfAny();
  return out;
}

/** yamlFiles lists the YAML files of an inventory source (a file, or a directory tree). */
export function yamlFiles(source: string): string[] {
  if (!statSync(source).isDirectory()) return [source];
  const out: string[] = [];
  for (const e of readdirSync(source, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(source, e.name);
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'templates') out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

function nodeAt(node: unknown, path: readonly (string | number)[]): Node | undefined {
  let cur = node as Node | undefined;
  for (const key of path) {
    if (!cur) return undefined;
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      cur = pair?.value as Node | undefined;
    } else if (typeof key === 'number' && 'items' in cur && Array.isArray((cur as { items: unknown[] }).items)) {
      cur = (cur as { items: Node[] }).items[key];
    } else return undefined;
  }
  return cur;
}

/**
 * locateVar finds where a host's `guest.<path>` (or, failing that, `guest_defaults.<path>`) is written
 * in the inventory's YAML files, walking back up the path until some prefix is found.
 */
export function locateVar(files: readonly string[], host: string, path: readonly (string | number)[]): SourcePos | undefined {
  // each file is parsed once here, not once per path prefix tried
  const parsed = files.flatMap((file) => {
    const lc = new LineCounter();
    try {
      return [{ file, lc, doc: parseDocument(readUserFile(file), { lineCounter: lc }) }];
    } catch {
      return [];
    }
  });
  for (let len = path.length; len >= 0; len--) {
    const sub = path.slice(0, len);
    for (const [top, requireHost] of [
      ['guest', true],
      ['guest_defaults', false],
    ] as const) {
      for (const { file, lc, doc } of parsed) {
        const roots: Node[] = [];
        const isHostVars = basename(dirname(file)) === 'host_vars';
        if (isHostVars && basename(file).replace(/\.ya?ml$/, '') === host) roots.push(doc.contents as Node);
        if (basename(dirname(file)) === 'group_vars' && !requireHost) roots.push(doc.contents as Node);
        // every `hosts: {<host>: ...}` and `vars:` mapping anywhere in the file
        const visit = (n: unknown): void => {
          if (!isMap(n)) return;
          for (const p of n.items) {
            const k = isScalar(p.key) ? String(p.key.value) : '';
            if (k === 'hosts' && isMap(p.value)) {
              const hv = nodeAt(p.value, [host]);
              if (hv && requireHost) roots.push(hv);
            }
            if (k === 'vars' && isMap(p.value) && !requireHost) roots.push(p.value as Node);
            visit(p.value);
          }
        };
        if (!isHostVars) visit(doc.contents);
        for (const r of roots) {
          const n = nodeAt(r, [top, ...sub]);
          if (n?.range) {
            const { line, col } = lc.linePos(n.range[0]);
            return { file, line, col };
          }
        }
      }
    }
  }
  return undefined;
}
