// The YAML (and JSON) inventory format, following Ansible's yaml plugin
// (lib/ansible/plugins/inventory/yaml.py): top-level keys are groups, each with optional
// `hosts`, `vars` and `children` mappings. Where Ansible only warns and skips (an unknown key in
// a group, a group that is not a mapping), tsplay reports an error: a typo there silently drops
// hosts or variables.
import { isMap, isScalar } from 'yaml';
import type { Diagnostics } from '../errors/index.ts';
import { expandHostPattern, HostRangeError } from './address.ts';
import { type GroupNode, InventoryGraphError, type InventoryData } from './data.ts';
import { setVar } from './combine-vars.ts';
import { markPos } from './value-pos.ts';
import { Converter, type DataFile, nodePos, store } from './yaml-data.ts';

const SECTIONS = ['vars', 'children', 'hosts'];

function closest(word: string): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) {
        const row = d[i] as number[];
        const prev = d[i - 1] as number[];
        row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
    return (d[a.length] as number[])[b.length] ?? 99;
  };
  return SECTIONS.find((s) => dist(word, s) <= 2);
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

/** parseYamlInventory adds the groups, hosts and variables of one YAML/JSON inventory to `inv`. */
export function parseYamlInventory(src: DataFile, inv: InventoryData, diags: Diagnostics): void {
  const conv = new Converter(src, diags);
  const root = conv.deref(src.doc.contents);
  const rootValue = isMap(root) ? undefined : conv.value(root);
  if (!isMap(root)) {
    diags.add({
      code: 'E_INV_SYNTAX',
      message: rootValue === null ? 'Parsed empty YAML file' : `YAML inventory has invalid structure, it should be a mapping of groups, got: ${typeName(rootValue)}`,
      pos: nodePos(src, root),
    });
    return;
  }
  const top = conv.entries(root);
  const plugin = top.find((e) => e.key === 'plugin');
  if (plugin && conv.value(plugin.valueNode)) {
    diags.add({ code: 'E_INV_SOURCE', message: 'inventory plugin configuration files are not supported by tsplay', pos: nodePos(src, plugin.keyNode) });
    return;
  }
  const reader = new YamlInventoryReader(src, inv, diags, conv);
  for (const e of top) reader.group(e.keyNode, e.valueNode);
}

/** Entry is one key of a mapping with its nodes. */
type Entry = { key: string; keyNode: unknown; valueNode: unknown };

/** YamlInventoryReader reads groups (recursively through `children`) and their hosts and vars. */
class YamlInventoryReader {
  private readonly src: DataFile;
  private readonly inv: InventoryData;
  private readonly diags: Diagnostics;
  private readonly conv: Converter;

  constructor(src: DataFile, inv: InventoryData, diags: Diagnostics, conv: Converter) {
    this.src = src;
    this.inv = inv;
    this.diags = diags;
    this.conv = conv;
  }

  /** group reads one group and what it holds; it returns the group's name, or undefined when the name is bad. */
  group(keyNode: unknown, dataNode: unknown): string | undefined {
    const { conv, diags, src } = this;
    const nameT = conv.typed(keyNode);
    const keyPos = nodePos(src, keyNode);
    const data = conv.deref(dataNode);
    if (typeof nameT.value !== 'string' || nameT.value === '') {
      diags.add({
        code: 'E_INV_GROUP',
        message: `Invalid group name supplied, expected a string but got ${typeName(nameT.value)} for ${String(nameT.value)}`,
        pos: keyPos,
        hint: 'quote the group name',
      });
      return undefined;
    }
    const group = nameT.value;
    const dataValue = isMap(data) ? undefined : conv.value(data);
    if (!isMap(data) && dataValue !== null) {
      diags.add({ code: 'E_INV_SYNTAX', message: `group "${group}" must be a mapping (with hosts, vars, children) or empty, not a ${typeName(dataValue)}`, pos: nodePos(src, data) });
      return undefined;
    }
    const g = this.inv.addGroup(group, keyPos);
    if (!isMap(data)) return group;
    for (const e of conv.entries(data)) {
      const entries = this.sectionEntries(group, e);
      if (!entries) continue;
      if (e.key === 'vars') this.groupVars(g, entries);
      else if (e.key === 'children') this.children(group, entries);
      else for (const he of entries) this.host(group, he.keyNode, he.valueNode);
    }
    return group;
  }

  /** sectionEntries checks one key of a group (vars, children or hosts) and returns its entries; undefined to skip it. */
  private sectionEntries(group: string, e: Entry): Entry[] | undefined {
    const { conv, diags, src } = this;
    const v = conv.deref(e.valueNode);
    if (!SECTIONS.includes(e.key)) {
      const near = closest(e.key);
      diags.add({
        code: 'E_INV_SYNTAX',
        message: `unexpected key "${e.key}" in group "${group}": only "vars", "children" and "hosts" are valid`,
        pos: nodePos(src, e.keyNode),
        hint: near ? `did you mean \`${near}\`?` : undefined,
      });
      return undefined;
    }
    // a bare string is allowed and means a mapping with that one key
    if (isScalar(v) && typeof conv.value(v) === 'string') return [{ key: String(conv.value(v)), keyNode: v, valueNode: null }];
    if (isMap(v)) return conv.entries(v);
    const val = conv.value(v);
    if (val === null) return undefined;
    diags.add({
      code: 'E_INV_SYNTAX',
      message: `Invalid "${e.key}" entry for "${group}" group, requires a dictionary, found "${typeName(val)}" instead.`,
      pos: nodePos(src, v),
      hint: e.key === 'vars' ? undefined : `write ${e.key} as a mapping: "name:" on its own line, one per entry`,
    });
    return undefined;
  }

  private groupVars(g: GroupNode, entries: Entry[]): void {
    for (const ve of entries) {
      const box: Record<string, unknown> = {};
      store(box, 'v', this.conv.typed(ve.valueNode));
      markPos(box, 'v', nodePos(this.src, ve.valueNode ?? ve.keyNode));
      try {
        this.inv.setGroupVar(g, ve.key, box, 'v');
      } catch (err) {
        if (!(err instanceof InventoryGraphError)) throw err;
        this.diags.add({ code: 'E_INV_SYNTAX', message: err.message, pos: nodePos(this.src, ve.valueNode) });
      }
    }
  }

  private children(group: string, entries: Entry[]): void {
    for (const ce of entries) {
      const sub = this.group(ce.keyNode, ce.valueNode);
      if (sub === undefined) continue;
      try {
        this.inv.addChild(group, sub);
      } catch (err) {
        if (!(err instanceof InventoryGraphError)) throw err;
        this.diags.add({ code: 'E_INV_GROUP', message: err.message, pos: nodePos(this.src, ce.keyNode) });
      }
    }
  }

  private host(group: string, keyNode: unknown, valueNode: unknown): void {
    const { conv, diags, src } = this;
    const pos = nodePos(src, keyNode);
    const patT = conv.typed(keyNode);
    if (typeof patT.value !== 'string') {
      diags.add({ code: 'E_INV_SYNTAX', message: `Host pattern ${String(patT.value)} must be a string. Enclose integers/floats in quotation marks.`, pos });
      return;
    }
    let hosts: string[];
    let port: number | undefined;
    try {
      ({ hosts, port } = expandHostPattern(patT.value));
    } catch (err) {
      if (!(err instanceof HostRangeError)) throw err;
      diags.add({ code: 'E_INV_RANGE', message: `${err.message} in '${patT.value}'`, pos, hint: 'ranges look like web[01:10], db-[a:f] or h[1:9:2]' });
      return;
    }
    const v = conv.deref(valueNode);
    let vars: Record<string, unknown> = {};
    if (isMap(v)) vars = conv.mapping(v);
    else {
      const val = conv.value(v);
      if (val !== null) {
        diags.add({ code: 'E_INV_SYNTAX', message: `host "${patT.value}" must have a mapping of variables or nothing, not a ${typeName(val)}`, pos: nodePos(src, v) });
        return;
      }
    }
    for (const h of hosts) {
      if (!h) {
        diags.add({ code: 'E_INV_SYNTAX', message: 'Invalid empty host name provided', pos });
        continue;
      }
      const host = this.inv.addHost(h, group, port, pos);
      for (const k of Object.keys(vars)) setVar(host.vars, k, vars, k);
    }
  }
}
