import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { type Diagnostics, TsplayError } from '../errors/index.ts';
import type { Vars } from '../inventory/types.ts';
import { compileExpr, type Expr } from '../template/index.ts';
import { shortPath } from '../files/paths.ts';
import type { YamlFile } from '../files/yaml-file.ts';

/** Reader reads typed keyword values from YAML nodes, reporting E_KEYWORD_TYPE at the value. */
export class Reader {
  readonly f: YamlFile;
  readonly diags: Diagnostics;
  readonly warnings: string[];
  constructor(f: YamlFile, diags: Diagnostics, warnings: string[]) {
    this.f = f;
    this.diags = diags;
    this.warnings = warnings;
  }

  bad(node: Node | null | undefined, key: string, want: string, task?: string): undefined {
    this.diags.add({ code: 'E_KEYWORD_TYPE', message: `"${key}" must be ${want}`, pos: this.f.valuePos(node), task });
    return undefined;
  }

  js(node: Node | null | undefined): unknown {
    return node ? node.toJS(this.f.doc) : null;
  }

  str(node: Node | null | undefined, key: string, task?: string): string | undefined {
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) return String(node.value);
    return this.bad(node, key, 'a string', task);
  }

  bool(node: Node | null | undefined, key: string, task?: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    if (isScalar(node) && typeof node.value === 'string' && /^(true|false|yes|no|on|off)$/i.test(node.value.trim())) return /^(true|yes|on)$/i.test(node.value.trim());
    if (isScalar(node) && typeof node.value === 'string' && node.value.includes('{{')) {
      this.diags.add({
        code: 'E_KEYWORD_TYPE',
        message: `"${key}" must be a boolean; tsplay does not template this keyword`,
        pos: this.f.valuePos(node),
        task,
        hint: 'use `when:` to choose between two tasks instead',
      });
      return undefined;
    }
    return this.bad(node, key, 'a boolean (true/false)', task);
  }

  int(node: Node | null | undefined, key: string, task?: string): number | undefined {
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value)) return node.value;
    if (isScalar(node) && typeof node.value === 'string' && /^\s*\d+\s*$/.test(node.value)) return Number(node.value);
    return this.bad(node, key, 'an integer', task);
  }

  /** strList reads a string or a list of strings; with comma=true a string is split on commas (tags). */
  strList(node: Node | null | undefined, key: string, comma: boolean, task?: string): string[] {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
    if (isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number')) {
      const s = String(node.value);
      return comma
        ? s
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : [s];
    }
    if (isSeq(node)) {
      const out: string[] = [];
      for (const item of node.items as Node[]) {
        if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) out.push(String(item.value));
        else this.bad(item, key, 'a list of strings', task);
      }
      return out;
    }
    this.bad(node, key, 'a string or a list of strings', task);
    return [];
  }

  mapping(node: Node | null | undefined, key: string, task?: string): Vars | undefined {
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return {};
    if (isMap(node)) return node.toJS(this.f.doc) as Vars;
    return this.bad(node, key, 'a mapping', task);
  }

  /** exprs reads a conditional (bool, string, or list of them) and compiles each for syntax errors. */
  exprs(node: Node | null | undefined, key: string, task?: string): Expr[] {
    const items: Node[] = isSeq(node) ? (node.items as Node[]) : node ? [node] : [];
    const out: Expr[] = [];
    for (const item of items) {
      if (!isScalar(item) || item.value === null || typeof item.value === 'object') {
        this.bad(item, key, 'a condition (a string, a boolean, or a list of them)', task);
        continue;
      }
      const v = item.value;
      const source = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
      const pos = this.f.valuePos(item);
      try {
        const c = compileExpr(source, pos);
        if (c.warning) this.warnings.push(`${shortPath(pos.file)}:${pos.line}:${pos.col}: ${c.warning}`);
        out.push({ source, pos });
      } catch (e) {
        if (e instanceof TsplayError) this.diags.add({ code: e.code, message: `${key}: ${e.message}`, pos: e.pos, task, hint: e.hint });
        else throw e;
      }
    }
    return out;
  }
}
