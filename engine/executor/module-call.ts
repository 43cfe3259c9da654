import { searchPaths } from '../files/search-paths.ts';
import { TsplayError } from '../errors/index.ts';
import type { Connection } from '../connection/types.ts';
import type { Vars } from '../inventory/types.ts';
import type { ModuleContext, ModuleDef } from '../modules/types.ts';
import { getModule } from '../modules/registry.ts';
import { renderText, renderValue, templateVars } from '../template/index.ts';
import { traceConnection } from './command-trace.ts';
import { driveModule } from './drive-module.ts';
import { hostLevelVars } from './host-vars.ts';
import { callKey, type EarlyRead, offerReadAhead, startReadAhead, takeReadAhead } from './read-ahead.ts';
import type { TaskCtx } from './task-settings.ts';
import type { TaskResult } from './task-result.ts';

/** controllerOnly is the connection handed to controller-side modules (debug, set_fact...): using it is a bug. */
const controllerOnly: Connection = new Proxy({} as Connection, {
  get(_t, prop): unknown {
    if (prop === 'host') return 'controller';
    if (prop === 'then') return undefined;
    return (): Promise<never> => Promise.reject(new TsplayError({ code: 'E_INTERNAL', message: `a controller-only module called connection.${String(prop)}` }));
  },
});

/** taskModule is the module a task calls; the loader checked the name, so a miss is a bug worth a clear error. */
export function taskModule(tc: Pick<TaskCtx, 'task' | 'settings'>): ModuleDef {
  const mod = getModule(tc.task.module) as ModuleDef | undefined;
  if (!mod) throw new TsplayError({ code: 'E_UNKNOWN_MODULE', message: `no module named ${tc.task.module}`, pos: tc.task.pos, task: tc.settings.label });
  return mod;
}

/** connVars are the variables a connection to `target` reads: the host's task vars, or a delegate's own host-level vars. */
export function connVars(tc: TaskCtx, target: string, vars: Vars): Vars {
  const play = tc.pc.play;
  if (target === tc.host.name) {
    // play `connection:` beats the inventory; play `remote_user:` only fills a missing ansible_user
    return {
      ...vars,
      ...(play.connection !== undefined ? { ansible_connection: play.connection } : {}),
      ...(play.remoteUser !== undefined && vars['ansible_user'] === undefined ? { ansible_user: play.remoteUser } : {}),
    };
  }
  // a delegate connects with its own host-level vars (inventory, playbook group_vars/host_vars,
  // its facts and set_facts); the implicit localhost comes with ansible_connection: local
  return { ...hostLevelVars(tc.pc.run, target), inventory_hostname: target };
}

function environment(tc: TaskCtx, vars: Vars): Record<string, string> {
  const raw = { ...tc.scope.environment, ...(tc.task.environment ?? {}) };
  const env: Record<string, string> = {};
  const rendered = renderValue(raw, vars, tc.site) as Record<string, unknown>;
  for (const [k, v] of Object.entries(rendered)) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return env;
}

function searchPathsOf(tc: TaskCtx): ModuleContext['searchPaths'] {
  const role = tc.settings.role;
  return { ...searchPaths(role?.path, tc.pc.playbookDir), ...(role ? { role: role.path } : {}) };
}

/** Prepared is a call ready to drive: checked arguments and the module's context, or the failed result of bad arguments. */
type Prepared = { readonly failed: TaskResult } | { readonly args: unknown; readonly ctx: ModuleContext };

/** prepareCall templates a task's arguments, checks them against the module's schema and builds the module's context. */
async function prepareCall(tc: TaskCtx, mod: ModuleDef, vars: Vars): Promise<Prepared> {
  const { task, settings, site } = tc;
  // each argument is rendered with its own position, so an error points at the value itself
  const args: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(task.args)) args[k] = renderValue(v, vars, { ...site, pos: task.argPos[k] ?? task.pos });
  const parsed = mod.schema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return { failed: { changed: false, failed: true, msg: `bad arguments for ${mod.name} after templating: ${where}${issue?.message ?? 'invalid'}`, values: {}, changes: [] } };
  }
  const run = tc.pc.run;
  const target = tc.delegate?.to ?? tc.host.name;
  // connection variables (ansible_host: "{{ ... }}") are templated when the connection reads them
  const open = (address?: string): Vars => templateVars({ ...connVars(tc, target, vars), ...(address !== undefined ? { ansible_host: address } : {}) }, site);
  // a traced run sees every call; a no_log task's calls stay out of the trace (they may carry its secrets)
  const traced = (c: Connection): Connection => (run.trace && !settings.noLog ? traceConnection(c, target, run.trace) : c);
  const conn = mod.local ? controllerOnly : traced(await run.pool.get(target, () => open()));
  const ctx: ModuleContext = {
    host: tc.host.name,
    conn,
    become: settings.become,
    ...(settings.becomeUser !== undefined ? { becomeUser: settings.becomeUser } : {}),
    env: environment(tc, vars),
    vars,
    searchPaths: searchPathsOf(tc),
    render: (text: string, origin: string) => renderText(text, vars, { pos: { file: origin, line: 1, col: 1 }, task: settings.label, host: tc.host.name }),
    check: settings.check,
    diff: settings.diff,
    verbosity: run.opts.verbosity,
    task: settings.label,
    pos: task.pos,
    ...(mod.local ? {} : { reconnect: async (address?: string) => traced(await run.pool.reopen(target, () => open(address))) }),
  };
  return { args: parsed.data, ctx };
}

/** callModule templates a task's arguments, checks them against the module's schema and drives the module once. */
export async function callModule(tc: TaskCtx, mod: ModuleDef, vars: Vars): Promise<TaskResult> {
  const p = await prepareCall(tc, mod, vars);
  if ('failed' in p) return p.failed;
  return (await driveModule(mod, p.ctx, p.args, takeReadAhead(vars, p.args, p.ctx))).result;
}

/**
 * readAhead sends, now, the read a later call of `mod` with `vars` will make and hands it to
 * `keep` (read-ahead.ts): by default kept for the call that gets this very `vars` object (a loop
 * item's). Nothing happens when the module's read is not known to be free of effects, or when the
 * call would not get as far as its read.
 */
export async function readAhead(tc: TaskCtx, mod: ModuleDef, vars: Vars, keep: (early: EarlyRead) => void = (e) => offerReadAhead(vars, e.key, e.ahead)): Promise<void> {
  if (mod.readAhead !== true || mod.local) return;
  try {
    const p = await prepareCall(tc, mod, vars);
    const key = 'failed' in p ? undefined : callKey(p.args, p.ctx);
    if ('failed' in p || key === undefined) return;
    keep({ key, ahead: startReadAhead(() => mod.read(p.ctx, p.args)) });
  } catch {
    // the call meets the same error in its turn and reports it there
  }
}
