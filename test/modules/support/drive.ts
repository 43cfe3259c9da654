// A test driver that runs one module the way the executor contract in engine/modules/types.ts
// says (read -> plan -> apply unless converged or checking), against a real Connection.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '../../../engine/connection/types.ts';
import type { ApplyResult, ModuleContext, Plan } from '../../../engine/modules/types.ts';
import { getModule } from '../../../engine/modules/registry.ts';
import { renderText } from '../../../engine/template/index.ts';

/** Outcome is what one module run ended with. */
export interface Outcome {
  readonly plan: Plan;
  readonly applied?: ApplyResult;
  readonly status: 'ok' | 'changed' | 'failed' | 'skipped';
}

/** runModule drives a module through read, plan and (unless check or converged) apply. */
export async function runModule(
  conn: Connection,
  name: string,
  rawArgs: Record<string, unknown>,
  opts: { check?: boolean; diff?: boolean; vars?: Record<string, unknown>; files?: string[]; templates?: string[]; env?: Record<string, string> } = {},
): Promise<Outcome> {
  const mod = getModule(name);
  if (!mod) throw new Error(`no module ${name}`);
  const args = mod.schema.parse(rawArgs);
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
  const current = await mod.read(ctx, args);
  const plan = mod.plan(args, current, ctx);
  if (plan.failed) return { plan, status: 'failed' };
  if (plan.skipped) return { plan, status: 'skipped' };
  if (plan.changes.length === 0 && !plan.unknowable) return { plan, status: 'ok' };
  if (ctx.check) return { plan, status: plan.unknowable ? 'skipped' : 'changed' };
  const applied = await mod.apply(ctx, args, plan);
  return { plan, applied, status: applied.failed ? 'failed' : applied.changed ? 'changed' : 'ok' };
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
