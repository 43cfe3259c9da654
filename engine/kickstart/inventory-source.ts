import { existsSync } from 'node:fs';
import { Diagnostics } from '../errors/index.ts';
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
