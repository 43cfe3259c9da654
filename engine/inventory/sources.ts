// Reading `-i` sources into an InventoryData the way Ansible's InventoryManager.parse_source does:
// a comma list is a host list, a directory is read file by file (sorted, skipping group_vars,
// host_vars, hidden files and Ansible's ignored extensions), a file is YAML or INI.
import { accessSync, constants, readdirSync, type Stats, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap } from 'yaml';
import { Diagnostics, TsplayError } from '../errors/index.ts';
import { readUserFile } from '../files/read-file.ts';
import { parseAddress } from './address.ts';
import type { InventoryData } from './data.ts';
import { parseIni } from './ini.ts';
import { parseDataFile } from './yaml-data.ts';
import { parseYamlInventory } from './yaml-inventory.ts';

// Ansible's INVENTORY_IGNORE_EXTS default (yes, `.ini` files inside an inventory directory are skipped)
const IGNORED_EXTS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
const YAML_EXTS = ['.yml', '.yaml', '.json'];

/** isIgnoredInDirectory tells whether Ansible skips this entry of an inventory directory. */
export function isIgnoredInDirectory(name: string): boolean {
  if (name.startsWith('.') || name === 'host_vars' || name === 'group_vars' || name === 'vars_plugins') return true;
  return IGNORED_EXTS.some((ext) => name.endsWith(ext));
}

/** parseHostList adds the hosts of a `h1,h2:2222,` source to `ungrouped`, as the host_list plugin does. */
export function parseHostList(source: string, inv: InventoryData): void {
  // the list itself is the hosts' inventory_file, as Ansible's current_source
  inv.currentSource = source;
  try {
    for (const raw of source.split(',')) {
      const h = raw.trim();
      if (!h) continue;
      const a = parseAddress(h, false);
      const host = a ? a.host : h;
      if (!inv.hosts.has(host)) inv.addHost(host, 'ungrouped', a?.port);
    }
  } finally {
    inv.currentSource = undefined;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** parseSourcePath reads one inventory file or directory (recursively) into `inv`. */
export function parseSourcePath(path: string, inv: InventoryData, diags: Diagnostics): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    diags.add({ code: 'E_INV_SOURCE', message: `cannot read inventory source ${path}: ${(e as Error).message}` });
    return;
  }
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (isIgnoredInDirectory(name)) continue;
      parseSourcePath(join(path, name), inv, diags);
    }
    return;
  }
  const pos = { file: path, line: 1, col: 1 };
  let text: string;
  try {
    text = readUserFile(path, pos);
  } catch (e) {
    if (!(e instanceof TsplayError)) throw e;
    diags.add(e);
    return;
  }
  if (text.startsWith('#!') || isExecutable(path)) {
    diags.add({
      code: 'E_INV_SOURCE',
      message: 'inventory scripts (executable files or files starting with #!) are not supported by tsplay',
      pos,
      hint: 'write the inventory as INI or YAML, or drop the execute bit',
    });
    return;
  }
  const ext = extname(path);
  if (ext === '.toml') {
    diags.add({ code: 'E_INV_SOURCE', message: 'TOML inventories are not supported by tsplay', pos, hint: 'write the inventory as INI or YAML' });
    return;
  }
  inv.currentSource = path;
  try {
    if (YAML_EXTS.includes(ext)) {
      const src = parseDataFile(path, text, diags);
      if (src) parseYamlInventory(src, inv, diags);
      return;
    }
    if (ext === '') {
      // Ansible offers an extension-less file to the YAML plugin first, then to the INI one;
      // only a YAML mapping can succeed as YAML, anything else ends up read as INI
      const quiet = new Diagnostics();
      const src = parseDataFile(path, text, quiet);
      if (src && isMap(src.doc.contents)) {
        parseYamlInventory(src, inv, diags);
        return;
      }
    }
    parseIni(path, text, inv, diags);
  } finally {
    inv.currentSource = undefined;
  }
}
