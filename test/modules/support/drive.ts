// Runs one module through the executor's own driveModule (read -> plan -> check -> apply) against
// a real Connection, so a module test sees the decision and the result `register:` would see.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '../../../engine/connection/types.ts';
import type { ModuleContext } from '../../../engine/modules/types.ts';
import { getModule } from '../../../engine/modules/registry.ts';
import { renderText } from '../../../engine/template/index.ts';
import { driveModule, type ModuleRun } from '../../../engine/executor/drive-module.ts';
import { baseStatus, toAnsible, type BaseStatus } from '../../../engine/executor/task-result.ts';

/** Outcome is what one module run ended with: the executor's run, its status and the registered dict. */
export interface Outcome extends ModuleRun {
  readonly status: BaseStatus;
  readonly registered: Record<string, unknown>;
}

/** runModule drives a module the way the executor does, with the given check/diff modes and search paths. */
export async function runModule(
  conn: Connection,
  name: string,
  rawArgs: Record<string, unknown>,
  opts: { check?: boolean; diff?: boolean; vars?: Record<string, unknown>; files?: string[]; templates?: string[]; env?: Record<string, string> } = {},
): Promise<Outcome> {
  const mod = getModule(name);
  if (!mod) throw new Error(`no module ${name}`);
  const args: unknown = mod.schema.parse(rawArgs);
  const vars = opts.vars ?? {};
  const ctx: ModuleContext = {
    host: conn.host,
    conn,
    become: false,
    env: opts.env ?? {},
    vars,
    searchPaths: { files: opts.files ?? [], templates: opts.templates ?? [] },
    render: (text, origin) => renderText(text, vars, { task: origin }),
    check: opts.check ?? false,
    diff: opts.diff ?? true,
  };
  const run = await driveModule(mod, ctx, args);
  return { ...run, status: baseStatus(run.result), registered: toAnsible(run.result) };
}

/** snapshot records every path under `dir` with type, mode, owner, mtime and content, to prove nothing changed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    const st = lstatSync(p);
    const head = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs}`;
    if (st.isSymbolicLink()) out[p] = `${head} -> ${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      out[p] = `${head} dir`;
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else out[p] = `${head} ${readFileSync(p, 'base64')}`;
  };
  walk(dir);
  return out;
}
