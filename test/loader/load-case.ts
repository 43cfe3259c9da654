import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TsplayError, TsplayErrors } from '../../engine/errors/index.ts';
import { loadInventory } from '../../engine/inventory/index.ts';
import type { Inventory } from '../../engine/inventory/types.ts';
import { loadPlaybooks } from '../../engine/loader/index.ts';

/** loadCase loads a bad-input case (its inventory.ini when present, then site.yml, checked against that inventory) and returns every error, as --syntax-check would. */
export async function loadCase(dir: string): Promise<TsplayError[]> {
  const errors: TsplayError[] = [];
  const collect = (e: unknown): void => {
    if (e instanceof TsplayErrors) errors.push(...e.errors);
    else if (e instanceof TsplayError) errors.push(e);
    else throw e;
  };
  const inv = join(dir, 'inventory.ini');
  // without inventory.ini: the implicit localhost, as tsplay runs with no -i
  let inventory: Inventory | undefined;
  try {
    inventory = loadInventory(existsSync(inv) ? [inv] : [], { baseDir: dir });
  } catch (e) {
    collect(e);
  }
  try {
    loadPlaybooks([join(dir, 'site.yml')], inventory ? { inventory } : {});
  } catch (e) {
    collect(e);
  }
  return errors;
}
