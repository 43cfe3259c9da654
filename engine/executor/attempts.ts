import type { Vars } from '../inventory/types.ts';
import type { ModuleRoute } from '../modules/types.ts';
import { TsplayError } from '../errors/index.ts';
import type { IntKeyword } from '../loader/types.ts';
import { evalCondition, renderValue } from '../template/index.ts';
import type { HostState } from './run-context.ts';
import { callModule, taskModule } from './module-call.ts';
import type { TaskCtx } from './task-settings.ts';
import { errorMessage, errorResult, toAnsible, type TaskResult } from './task-result.ts';

/** registerVars are the vars with the task's `register` name bound to a result, for changed_when, failed_when and until. */
function registerVars(tc: TaskCtx, vars: Vars, r: TaskResult): Vars {
  const reg = tc.task.register;
  return reg ? { ...vars, [reg]: toAnsible(r) } : vars;
}

/** judged applies changed_when and then failed_when (which sees changed_when's verdict); a broken condition fails the task. */
function judged(tc: TaskCtx, vars: Vars, r: TaskResult): TaskResult {
  const { changedWhen, failedWhen } = tc.task;
  let out = r;
  try {
    if (changedWhen && changedWhen.length > 0) out = { ...out, changed: evalCondition(changedWhen, registerVars(tc, vars, out), tc.site) };
    if (failedWhen && failedWhen.length > 0) {
      const f = evalCondition(failedWhen, registerVars(tc, vars, out), tc.site);
      out = { ...out, failedWhenResult: f, failed: f };
    }
  } catch (e) {
    out = { ...out, failed: true, msg: errorMessage(e) };
  }
  return out;
}

/**
 * storeFacts keeps a result's `ansible_facts` where the module's route says: gathered facts,
 * the include_vars level (Ansible's vars cache, below set_fact), or the set_fact level (and the
 * facts too when cacheable).
 */
export function storeFacts(host: HostState, route: ModuleRoute | undefined, r: TaskResult): void {
  if (r.failed === true || !r.facts) return;
  if (route === 'facts' || r.cacheable === true) Object.assign(host.facts, r.facts);
  if (route === 'include_vars') Object.assign(host.includeVars, r.facts);
  else if (route !== 'facts') Object.assign(host.dynVars, r.facts);
}

/** once is one drive of the module, then changed_when / failed_when, then the facts it set. */
async function once(tc: TaskCtx, vars: Vars, attempt: number | undefined): Promise<TaskResult> {
  let r: TaskResult;
  let route: ModuleRoute | undefined;
  try {
    const mod = taskModule(tc);
    route = mod.route;
    r = await callModule(tc, mod, vars);
  } catch (e) {
    r = errorResult(e);
  }
  if (r.unreachable === true) return r;
  if (attempt !== undefined) r = { ...r, attempts: attempt };
  if (r.skipped !== true) r = judged(tc, vars, r);
  storeFacts(tc.host, route, r);
  // changed_when: false (or a module that found nothing to do) leaves no change to show; a
  // refused plan (failed, nothing applied) keeps its changes so -D shows what was refused
  return r.changed || r.failed === true ? r : { ...r, changes: [] };
}

/**
 * intKeyword gives retries/delay for this host and item: a literal as loaded, a template rendered
 * now and read as Python's int() reads it (an int, or a string of digits), as Ansible's
 * post_validate does after the task's `when` held.
 */
function intKeyword(tc: TaskCtx, key: string, v: IntKeyword | undefined, vars: Vars): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  const got = renderValue(v.template, vars, { ...tc.site, pos: v.pos });
  if (typeof got === 'number' && Number.isFinite(got)) return Math.trunc(got);
  if (typeof got === 'string' && /^\s*[-+]?\d+\s*$/.test(got)) return Number(got);
  const message = `the field '${key}' has an invalid value (${v.template}), and could not be converted to an int. The error was: invalid literal for int() with base 10: '${String(got)}'`;
  throw new TsplayError({ code: 'E_KEYWORD_TYPE', message, pos: v.pos, task: tc.site.task, host: tc.host.name });
}

/** attempts runs the module once, or until `until` holds (Ansible: retries+1 tries, default 3, delay 5 s). */
export async function attempts(tc: TaskCtx, vars: Vars): Promise<TaskResult> {
  const { until } = tc.task;
  if (!until || until.length === 0) return once(tc, vars, undefined);
  const run = tc.pc.run;
  const retries = intKeyword(tc, 'retries', tc.task.retries, vars);
  const delay = intKeyword(tc, 'delay', tc.task.delay, vars);
  const tries = retries === undefined ? 3 : retries <= 0 ? 1 : retries + 1;
  const delayMs = Math.max(0, (delay ?? 5) * 1000);
  for (let attempt = 1; ; attempt++) {
    const r = await once(tc, vars, attempt);
    if (r.unreachable === true) return r;
    try {
      if (evalCondition(until, registerVars(tc, vars, r), tc.site)) return r;
    } catch (e) {
      return { ...r, failed: true, msg: errorMessage(e) };
    }
    const exhausted = attempt >= tries;
    if (!exhausted) run.emit({ type: 'retry', task: tc.ref, host: tc.host.name, attempt, retriesLeft: tries - attempt });
    // Ansible's quirk, kept so registered results compare equal: attempts = retries - 1 when exhausted
    if (exhausted || run.signal?.aborted) return { ...r, failed: true, attempts: tries > 1 ? tries - 1 : 1 };
    await new Promise((res) => setTimeout(res, delayMs));
  }
}
