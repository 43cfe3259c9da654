import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { TsplayError, type SourcePos } from '../errors/index.ts';
import { loadInventory } from '../inventory/index.ts';
import type { Inventory } from '../inventory/types.ts';

/** openInventory loads `-i` sources with the inventory stage, as every other tsplay command does. */
export async function openInventory(sources: readonly string[], baseDir: string): Promise<Inventory> {
  return loadInventory(sources, { baseDir });
}

/** resolveSource finds a `-i` value: an existing path, or a bare name under `<baseDir>/inventories/`. */
export function resolveSource(source: string, baseDir: string): string {
  const p = resolve(baseDir, source);
  if (existsSync(p)) return p;
  const named = join(baseDir, 'inventories', source);
  if (existsSync(named)) return named;
  throw new TsplayError({ code: 'E_INV_SOURCE', message: `inventory source "${source}" does not exist` });
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
  for (let len = path.length; len >= 0; len--) {
    const sub = path.slice(0, len);
    for (const [top, requireHost] of [['guest', true], ['guest_defaults', false]] as const) {
      for (const file of files) {
        const lc = new LineCounter();
        let doc;
        try {
          doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lc });
        } catch {
          continue;
        }
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
