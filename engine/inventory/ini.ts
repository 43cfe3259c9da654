// The INI inventory format, following Ansible's ini plugin (lib/ansible/plugins/inventory/ini.py)
// line by line: a file starts as if under `[ungrouped]`; `[g]` holds hosts, `[g:vars]` variables,
// `[g:children]` groups that may be declared later in the file. Unlike Ansible, which stops at
// the first problem, every bad line is reported.
import type { Diagnostics, ErrorCode, SourcePos } from '../errors/index.ts';
import { expandHostPattern, HostRangeError } from './address.ts';
import { InventoryGraphError, type InventoryData } from './data.ts';
import { literalEval } from '../py/literal.ts';
import { ShlexError, type ShlexToken, shlexTokens } from '../py/shlex.ts';
import { markFloat } from '../py/marks.ts';
import { setVar } from './combine-vars.ts';
import { markPos } from './value-pos.ts';

const SECTION = /^\[([^:\]\s]+)(?::([\p{L}\p{N}_]+))?\]\s*(?:#.*)?$/u;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/u;
// Python's str.splitlines() boundaries
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** typedValue types an INI value as Ansible's _parse_value does, in a box that keeps a float mark. */
export function typedValue(text: string): { box: Record<string, unknown>; key: 'v' } {
  const t = literalEval(text);
  const box: Record<string, unknown> = { v: t.value };
  if (t.float) markFloat(box, 'v');
  return { box, key: 'v' };
}

interface Pending {
  readonly state: 'vars' | 'children';
  readonly pos: SourcePos;
  readonly name: string;
  readonly parents: string[];
}

/** parseIni adds the hosts, groups and variables of one INI inventory file to `inv`. */
export function parseIni(file: string, text: string, inv: InventoryData, diags: Diagnostics): void {
  const lines = text.split(LINE_BREAK);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const reader = new IniReader(file, inv, diags);
  for (const raw of lines) reader.line(raw);
  reader.reportPending();
}

/** IniReader walks an INI file line by line with Ansible's state: the current group and section kind. */
class IniReader {
  private readonly file: string;
  private readonly inv: InventoryData;
  private readonly diags: Diagnostics;
  /** groups named in [g:vars] or [p:children] before any [g] declared them */
  private readonly pending = new Map<string, Pending>();
  private groupname = 'ungrouped';
  private state = 'hosts';
  private lineno = 0;

  constructor(file: string, inv: InventoryData, diags: Diagnostics) {
    this.file = file;
    this.inv = inv;
    this.diags = diags;
  }

  private fail(code: ErrorCode, message: string, col: number, hint?: string): void {
    this.diags.add({ code, message, pos: { file: this.file, line: this.lineno, col }, hint });
  }

  /** line reads the next line of the file. */
  line(raw: string): void {
    this.lineno++;
    const line = raw.trim();
    const lead = raw.length - raw.trimStart().length;
    if (!line || line[0] === '#' || line[0] === ';') return;
    const m = SECTION.exec(line);
    if (m) return this.section(m[1] ?? '', m[2] ?? 'hosts', lead);
    if (line.startsWith('[') && line.endsWith(']')) {
      this.fail('E_INV_SYNTAX', `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`, lead + 1);
      this.state = 'skip';
      return;
    }
    if (this.state === 'hosts') this.hostLine(line, lead);
    else if (this.state === 'vars') this.groupVar(line, lead);
    else if (this.state === 'children') this.childLine(line, lead);
  }

  private section(groupname: string, kind: string, lead: number): void {
    this.groupname = groupname;
    if (kind !== 'hosts' && kind !== 'children' && kind !== 'vars') {
      this.fail('E_INV_SYNTAX', `Section [${groupname}:${kind}] has unknown type: ${kind}`, lead + groupname.length + 3, 'a section is [group], [group:vars] or [group:children]');
      this.state = 'skip';
      return;
    }
    this.state = kind;
    const pos = { file: this.file, line: this.lineno, col: lead + 2 };
    if (!this.inv.groups.has(groupname)) {
      // [g:vars] alone does not declare a group: remember it and check at the end
      if (kind === 'vars' && !this.pending.has(groupname)) this.pending.set(groupname, { state: 'vars', pos, name: groupname, parents: [] });
      this.inv.addGroup(groupname, pos);
    }
    const p = this.pending.get(groupname);
    if (p && kind !== 'vars') {
      if (p.state === 'children') this.addPendingChildren(groupname);
      else this.pending.delete(groupname);
    }
  }

  private addPendingChildren(group: string): void {
    const p = this.pending.get(group);
    if (!p) return;
    for (const parent of p.parents) {
      try {
        this.inv.addChild(parent, group);
      } catch (e) {
        if (!(e instanceof InventoryGraphError)) throw e;
        this.diags.add({ code: 'E_INV_GROUP', message: e.message, pos: p.pos });
      }
      if (this.pending.get(parent)?.state === 'children') this.addPendingChildren(parent);
    }
    this.pending.delete(group);
  }

  private groupVar(line: string, lead: number): void {
    const eq = line.indexOf('=');
    if (eq < 0) {
      this.fail('E_INV_SYNTAX', `Expected key=value, got: ${line}`, lead + 1, `[${this.groupname}:vars] holds one name=value per line`);
      return;
    }
    const k = line.slice(0, eq).trim();
    const { box, key } = typedValue(line.slice(eq + 1).trim());
    const rest = line.slice(eq + 1);
    markPos(box, key, { file: this.file, line: this.lineno, col: lead + eq + 2 + (rest.length - rest.trimStart().length) });
    const g = this.inv.groups.get(this.groupname);
    if (!g) return;
    try {
      this.inv.setGroupVar(g, k, box, key);
    } catch (e) {
      if (!(e instanceof InventoryGraphError)) throw e;
      this.fail('E_INV_SYNTAX', e.message, lead + eq + 2);
    }
  }

  private childLine(line: string, lead: number): void {
    const gm = GROUP_NAME.exec(line);
    if (!gm) {
      this.fail('E_INV_SYNTAX', `Expected group name, got: ${line}`, lead + 1, `[${this.groupname}:children] lists one group name per line`);
      return;
    }
    const child = gm[1] ?? '';
    if (!this.inv.groups.has(child)) {
      const p = this.pending.get(child);
      if (!p) this.pending.set(child, { state: 'children', pos: { file: this.file, line: this.lineno, col: lead + 1 }, name: child, parents: [this.groupname] });
      else p.parents.push(this.groupname);
      return;
    }
    try {
      this.inv.addChild(this.groupname, child);
    } catch (e) {
      if (!(e instanceof InventoryGraphError)) throw e;
      this.fail('E_INV_GROUP', e.message, lead + 1);
    }
  }

  private hostLine(line: string, lead: number): void {
    let tokens: ShlexToken[];
    try {
      tokens = shlexTokens(line, { comments: true });
    } catch (e) {
      if (!(e instanceof ShlexError)) throw e;
      this.fail('E_INV_SYNTAX', `Error parsing host definition '${line}': ${e.message}`, lead + e.offset + 1);
      return;
    }
    const first = tokens[0];
    if (!first) return;
    const hosts = this.hostPattern(first, lead);
    if (!hosts) return;
    const vars: { k: string; box: Record<string, unknown>; key: string; col: number }[] = [];
    for (const t of tokens.slice(1)) {
      const eq = t.text.indexOf('=');
      if (eq < 0) {
        this.fail('E_INV_SYNTAX', `Expected key=value host variable assignment, got: ${t.text}`, lead + t.offset + 1, 'quote values that contain spaces: name="a b"');
        return;
      }
      const { box, key } = typedValue(t.text.slice(eq + 1));
      // the value's column when the name is written unquoted (`guest='{...}'`), else the word's
      const valueAt = line.startsWith(`${t.text.slice(0, eq)}=`, t.offset) ? t.offset + eq + 1 : t.offset;
      vars.push({ k: t.text.slice(0, eq), box, key, col: lead + valueAt + 1 });
    }
    const pos = { file: this.file, line: this.lineno, col: lead + first.offset + 1 };
    for (const h of hosts.hosts) {
      if (!h) {
        this.fail('E_INV_SYNTAX', 'Invalid empty host name provided', lead + first.offset + 1);
        return;
      }
      const host = this.inv.addHost(h, this.groupname, hosts.port, pos);
      for (const v of vars) {
        setVar(host.vars, v.k, v.box, v.key);
        // marked on the host's own mapping, not the box: one position table per host line, not per value
        markPos(host.vars, v.k, { file: this.file, line: this.lineno, col: v.col });
      }
    }
  }

  /** hostPattern expands a host line's first word (`web[01:10]:2222`); undefined after reporting a bad one. */
  private hostPattern(first: { readonly text: string; readonly offset: number }, lead: number): { hosts: string[]; port: number | undefined } | undefined {
    let hosts: string[];
    let port: number | undefined;
    try {
      ({ hosts, port } = expandHostPattern(first.text));
    } catch (e) {
      if (!(e instanceof HostRangeError)) throw e;
      this.fail('E_INV_RANGE', `${e.message} in '${first.text}'`, lead + first.offset + 1, 'ranges look like web[01:10], db-[a:f] or h[1:9:2]');
      return undefined;
    }
    if (first.text.trim().endsWith(':') && port === undefined) {
      this.fail('E_INV_SYNTAX', `Invalid host pattern '${first.text}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`, lead + first.offset + 1);
      return undefined;
    }
    if (hosts.some((h) => h.trim() === '---')) {
      this.fail('E_INV_SYNTAX', `Invalid host pattern '${first.text}' supplied, '---' is normally a sign this is a YAML file.`, lead + first.offset + 1);
      return undefined;
    }
    return { hosts, port };
  }

  /** reportPending reports the groups that were named but never declared, once the file is read. */
  reportPending(): void {
    for (const p of this.pending.values()) {
      if (p.state === 'vars') {
        this.diags.add({
          code: 'E_INV_GROUP',
          message: `Section [${p.name}:vars] not valid for undefined group: ${p.name}`,
          pos: p.pos,
          hint: `declare the group with [${p.name}] or [${p.name}:children]`,
        });
      } else {
        const parent = p.parents[p.parents.length - 1] ?? '';
        this.diags.add({ code: 'E_INV_GROUP', message: `Section [${parent}:children] includes undefined group: ${p.name}`, pos: p.pos, hint: `declare the group with [${p.name}]` });
      }
    }
  }
}
