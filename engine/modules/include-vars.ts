import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join } from 'node:path';
import type { z } from 'zod';
import type { Vars } from '../inventory/types.ts';
import { formatPos, TsplayErrors } from '../errors/index.ts';
import { loadYamlValue } from '../files/yaml-file.ts';
import type { ModuleContext, ModuleDef } from './types.ts';
import { abool, aint, alist, astr, moduleArgs } from './support/args.ts';
import { applyNothing } from './support/controller-only.ts';
import { findLocal } from './support/local-files.ts';

const schema = moduleArgs(
  {
    // `include_vars: file.yml`, Ansible's _raw_params: a file, never a directory
    free_form: astr,
    file: astr,
    dir: astr,
    name: astr,
    depth: aint,
    files_matching: astr,
    ignore_files: alist(astr),
    extensions: alist(astr),
    ignore_unknown_extensions: abool,
  },
  {
    oneOf: [['free_form', 'file', 'dir']],
    exclusive: [['free_form', 'file', 'dir']],
    custom: (a) =>
      a['dir'] === undefined && ['depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'].some((k) => a[k] !== undefined)
        ? [{ code: 'E_ARG_CONFLICT', message: 'depth, files_matching, ignore_files, extensions and ignore_unknown_extensions go with dir only' }]
        : [],
  },
);
type Args = z.output<typeof schema>;

/** IncludeVarsRead is what `read` found on the controller: the files loaded in order, or the first problem. */
interface IncludeVarsRead {
  readonly files: readonly { readonly path: string; readonly data: Vars }[];
  readonly error?: string;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function loadVarsFile(path: string): Vars | string {
  let data: unknown;
  try {
    data = loadYamlValue(path);
  } catch (e) {
    const first = e instanceof TsplayErrors ? e.errors[0] : undefined;
    if (first) return `${first.pos ? formatPos(first.pos) : path}: ${first.message}`;
    return `${path}: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`;
  }
  if (data === null || data === undefined || data === false || data === '') return {};
  if (typeof data !== 'object' || Array.isArray(data)) return `${path} must be stored as a dictionary/hash`;
  return data as Vars;
}

/** dirBase resolves a relative `dir:` as Ansible does: inside the role's vars/, else beside the task's file. */
function dirBase(source: string, ctx: ModuleContext): string {
  if (isAbsolute(source)) return source;
  const role = ctx.searchPaths.role;
  if (role !== undefined) {
    if (source.split('/')[0] !== 'vars') return join(role, 'vars', source);
    return existsSync(join(role, source)) ? join(role, source) : source;
  }
  return join(ctx.pos ? dirname(ctx.pos.file) : process.cwd(), source);
}

/**
 * readDir loads a directory's vars files in Ansible's order: directories sorted by path (each
 * one counted against `depth`, 0 = all), files sorted within each; a file with another
 * extension is an error unless ignore_unknown_extensions; a role's vars/main.yml is skipped.
 */
function readDir(root: string, args: Args, role: string | undefined): IncludeVarsRead {
  if (!existsSync(root)) return { files: [], error: `${root} directory does not exist` };
  if (!isDir(root)) return { files: [], error: `${root} is not a directory` };
  const exts = args.extensions ?? ['yaml', 'yml', 'json'];
  const match = args.files_matching !== undefined ? new RegExp(args.files_matching) : undefined;
  const ignore = (args.ignore_files ?? []).map((p) => new RegExp(`${p}$`));
  const dirs: string[] = [];
  const walk = (d: string): void => {
    dirs.push(d);
    for (const n of readdirSync(d)) if (isDir(join(d, n))) walk(join(d, n));
  };
  walk(root);
  dirs.sort();
  const depth = args.depth ?? 0;
  const files: { path: string; data: Vars }[] = [];
  for (const [i, d] of dirs.entries()) {
    if (depth !== 0 && i + 1 > depth) break;
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (isDir(p)) continue;
      if (role !== undefined && p === join(role, 'vars', 'main.yml')) continue;
      if (match && !match.test(n)) continue;
      if (ignore.some((r) => r.test(n))) continue;
      const okExt = exts.includes(extname(n).slice(1));
      if (!okExt && args.ignore_unknown_extensions === true) continue;
      if (!okExt) return { files, error: `${p} does not have a valid extension: ${exts.join(', ')}` };
      const data = loadVarsFile(p);
      if (typeof data === 'string') return { files, error: data };
      files.push({ path: p, data });
    }
  }
  return { files };
}

/**
 * includeVarsModule loads variables from YAML/JSON files on the controller (`file`, or every
 * file of `dir`); the plan returns them as `result.ansible_facts`, which the executor keeps at
 * Ansible's include_vars precedence (above task vars, below set_fact) for the rest of the run.
 */
export const includeVarsModule: ModuleDef<Args, IncludeVarsRead> = {
  name: 'include_vars',
  route: 'include_vars',
  doc: "Load variables from a YAML/JSON file (searched in the role's vars/, then the playbook dir) or a directory of them.",
  example: '- name: Per-site values\n  include_vars: site.yml\n',
  schema,
  freeForm: 'free_form',
  local: true,
  async read(ctx: ModuleContext, args: Args): Promise<IncludeVarsRead> {
    if (args.dir !== undefined) return readDir(dirBase(args.dir, ctx), args, ctx.searchPaths.role);
    const source = args.file ?? args.free_form!;
    const dirs = ctx.searchPaths.vars ?? ctx.searchPaths.files;
    const path = findLocal(source, dirs);
    if (path === undefined || isDir(path)) return { files: [], error: `Could not find or access '${source}' (searched: ${dirs.join(', ')})` };
    const data = loadVarsFile(path);
    return typeof data === 'string' ? { files: [], error: data } : { files: [{ path, data }] };
  },
  plan(args, current) {
    const merged: Vars = {};
    for (const f of current.files) Object.assign(merged, f.data);
    const result: Vars = {
      ansible_facts: args.name !== undefined ? { [args.name]: merged } : merged,
      ansible_included_var_files: current.files.map((f) => f.path),
    };
    // Ansible reports the problem as `message`; tsplay's reporters show `msg`, so both carry it
    if (current.error !== undefined) return { changes: [], failed: true, msg: current.error, result: { ...result, message: current.error } };
    return { changes: [], reason: 'include_vars changes no host', result };
  },
  apply: applyNothing,
};
