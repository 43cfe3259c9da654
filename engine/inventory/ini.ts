// The INI inventory format, following Ansible's ini plugin (lib/ansible/plugins/inventory/ini.py)
// line by line: a file starts as if under `[ungrouped]`; `[g]` holds hosts, `[g:vars]` variables,
// `[g:children]` groups that may be declared later in the file. Unlike Ansible, which stops at
// the first problem, every bad line is reported.
import type { Diagnostics, ErrorCode, SourcePos } from '../errors/index.ts';
import { expandHostPattern, HostRangeError } from './address.ts';
import { InventoryGraphError, type InventoryData } from './data.ts';
import { literalEval } from '../py/literal.ts';
import { ShlexError, shlexTokens } from '../py/shlex.ts';
import { markFloat } from '../py/marks.ts';
import { setVar } from './combine-vars.ts';

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
  const pending = new Map<string, Pending>();
  let groupname = 'ungrouped';
  let state = 'hosts';
  let lineno = 0;
  const fail = (code: ErrorCode, message: string, col: number, hint?: string): void => {
    diags.add({ code, message, pos: { file, line: lineno, col }, hint });
  };

  const addPendingChildren = (group: string): void => {
    const p = pending.get(group);
    if (!p) return;
    for (const parent of p.parents) {
      try {
        inv.addChild(parent, group);
      } catch (e) {
        if (!(e instanceof InventoryGraphError)) throw e;
        diags.add({ code: 'E_INV_GROUP', message: e.message, pos: p.pos });
      }
      if (pending.get(parent)?.state === 'children') addPendingChildren(parent);
    }
    pending.delete(group);
  };

  for (const raw of lines) {
    lineno++;
    const line = raw.trim();
    const lead = raw.length - raw.trimStart().length;
    if (!line || line[0] === '#' || line[0] === ';') continue;

    const m = SECTION.exec(line);
    if (m) {
      groupname = m[1] ?? '';
      const kind = m[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'children' && kind !== 'vars') {
        fail('E_INV_SYNTAX', `Section [${groupname}:${kind}] has unknown type: ${kind}`, lead + groupname.length + 3, 'a section is [group], [group:vars] or [group:children]');
        state = 'skip';
        continue;
      }
      state = kind;
      const pos = { file, line: lineno, col: lead + 2 };
      if (!inv.groups.has(groupname)) {
        // [g:vars] alone does not declare a group: remember it and check at the end
        if (state === 'vars' && !pending.has(groupname)) pending.set(groupname, { state: 'vars', pos, name: groupname, parents: [] });
        inv.addGroup(groupname, pos);
      }
      const p = pending.get(groupname);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(groupname);
        else pending.delete(groupname);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(
        'E_INV_SYNTAX',
        `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
        lead + 1,
      );
      state = 'skip';
      continue;
    }

    if (state === 'skip') continue;
    if (state === 'hosts') parseHostLine(line, lead);
    else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) {
        fail('E_INV_SYNTAX', `Expected key=value, got: ${line}`, lead + 1, `[${groupname}:vars] holds one name=value per line`);
        continue;
      }
      const k = line.slice(0, eq).trim();
      const { box, key } = typedValue(line.slice(eq + 1).trim());
      const g = inv.groups.get(groupname);
      if (!g) continue;
      try {
        inv.setGroupVar(g, k, box, key);
      } catch (e) {
        if (!(e instanceof InventoryGraphError)) throw e;
        fail('E_INV_SYNTAX', e.message, lead + eq + 2);
      }
    } else if (state === 'children') {
      const gm = GROUP_NAME.exec(line);
      if (!gm) {
        fail('E_INV_SYNTAX', `Expected group name, got: ${line}`, lead + 1, `[${groupname}:children] lists one group name per line`);
        continue;
      }
      const child = gm[1] ?? '';
      if (!inv.groups.has(child)) {
        const p = pending.get(child);
        if (!p) pending.set(child, { state: 'children', pos: { file, line: lineno, col: lead + 1 }, name: child, parents: [groupname] });
        else p.parents.push(groupname);
      } else {
        try {
          inv.addChild(groupname, child);
        } catch (e) {
          if (!(e instanceof InventoryGraphError)) throw e;
          fail('E_INV_GROUP', e.message, lead + 1);
        }
      }
    }
  }

  for (const p of pending.values()) {
    if (p.state === 'vars') {
      diags.add({ code: 'E_INV_GROUP', message: `Section [${p.name}:vars] not valid for undefined group: ${p.name}`, pos: p.pos, hint: `declare the group with [${p.name}] or [${p.name}:children]` });
    } else {
      const parent = p.parents[p.parents.length - 1] ?? '';
      diags.add({ code: 'E_INV_GROUP', message: `Section [${parent}:children] includes undefined group: ${p.name}`, pos: p.pos, hint: `declare the group with [${p.name}]` });
    }
  }

  function parseHostLine(line: string, lead: number): void {
    let tokens;
    try {
      tokens = shlexTokens(line, { comments: true });
    } catch (e) {
      if (!(e instanceof ShlexError)) throw e;
      fail('E_INV_SYNTAX', `Error parsing host definition '${line}': ${e.message}`, lead + e.offset + 1);
      return;
    }
    const first = tokens[0];
    if (!first) return;
    let hosts: string[];
    let port: number | undefined;
    try {
      ({ hosts, port } = expandHostPattern(first.text));
    } catch (e) {
      if (!(e instanceof HostRangeError)) throw e;
      fail('E_INV_RANGE', `${e.message} in '${first.text}'`, lead + first.offset + 1, 'ranges look like web[01:10], db-[a:f] or h[1:9:2]');
      return;
    }
    if (first.text.trim().endsWith(':') && port === undefined) {
      fail('E_INV_SYNTAX', `Invalid host pattern '${first.text}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`, lead + first.offset + 1);
      return;
    }
    if (hosts.some((h) => h.trim() === '---')) {
      fail('E_INV_SYNTAX', `Invalid host pattern '${first.text}' supplied, '---' is normally a sign this is a YAML file.`, lead + first.offset + 1);
      return;
    }
    const vars: { k: string; box: Record<string, unknown>; key: string }[] = [];
    for (const t of tokens.slice(1)) {
      const eq = t.text.indexOf('=');
      if (eq < 0) {
        fail('E_INV_SYNTAX', `Expected key=value host variable assignment, got: ${t.text}`, lead + t.offset + 1, 'quote values that contain spaces: name="a b"');
        return;
      }
      const { box, key } = typedValue(t.text.slice(eq + 1));
      vars.push({ k: t.text.slice(0, eq), box, key });
    }
    const pos = { file, line: lineno, col: lead + first.offset + 1 };
    for (const h of hosts) {
      if (!h) {
        fail('E_INV_SYNTAX', 'Invalid empty host name provided', lead + first.offset + 1);
        return;
      }
      const host = inv.addHost(h, groupname, port, pos);
      for (const v of vars) setVar(host.vars, v.k, v.box, v.key);
    }
  }
}
