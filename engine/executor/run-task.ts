import { formatPos, TsplayError } from '../errors/index.ts';
import type { ErrorCode } from '../errors/index.ts';
import type { Connection } from '../connection/types.ts';
import type { Vars } from '../inventory/types.ts';
import type { Expr, Task } from '../loader/types.ts';
import type { Change, ModuleContext, ModuleDef, PlanContext } from '../modules/types.ts';
import { getModule } from '../modules/registry.ts';
import { evalCondition, renderText, renderValue, templateVars } from '../template/index.ts';
import type { TemplateSite } from '../template/index.ts';
import { gatherFacts } from '../facts/index.ts';
import type { HostStatus, TaskRef } from './events.ts';
import { hostLevelVars, taskVars } from './host-vars.ts';
import { censorResult } from './no-log.ts';
import type { HostState, PlayCtx, Scope } from './run-context.ts';
import { countResult } from './stats.ts';
import { taskLabel } from './task-ref.ts';
import { join } from 'node:path';

type Result = Record<string, unknown>;

/** TaskOutcome is how a task ended on one host, with the result `register` stores. */
export interface TaskOutcome {
  readonly status: HostStatus;
  readonly result: Result;
  readonly changed: boolean;
  /** a meta action the walker must carry out (flush_handlers, end_play, ...) */
  readonly meta?: string;
  /** the host failed or became unreachable (not ignored, not rescued): any_errors_fatal counts these */
  readonly hostLost: boolean;
}

interface Attempt {
  result: Result;
  changes: readonly Change[];
}

/** UNREACHABLE_CODES are the errors that mean "the host could not be talked to", not "the task failed". */
const UNREACHABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['E_UNREACHABLE', 'E_HOST_KEY', 'E_AUTH']);

/** controllerOnly is the connection handed to controller-side modules (debug, set_fact...): using it is a bug. */
const controllerOnly: Connection = new Proxy({} as Connection, {
  get(_t, prop): unknown {
    if (prop === 'host') return 'controller';
    if (prop === 'then') return undefined;
    return (): Promise<never> => Promise.reject(new TsplayError({ code: 'E_INTERNAL', message: `a controller-only module called connection.${String(prop)}` }));
  },
});

function isFailed(r: Result): boolean {
  return r['failed'] === true;
}

function errorMessage(e: unknown): string {
  // a template or expression mistake names its file:line:col, so the user can jump to it
  if (e instanceof TsplayError) return e.pos ? `${formatPos(e.pos)}: ${e.message}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

function errorResult(e: unknown): Result {
  if (e instanceof TsplayError && UNREACHABLE_CODES.has(e.code)) return { changed: false, unreachable: true, msg: e.message };
  return { changed: false, failed: true, msg: errorMessage(e) };
}

/** effective merges a task keyword with what its block/role/play passed down. */
function eff<K extends keyof Task & keyof Scope>(task: Task, scope: Scope, key: K): Task[K] | Scope[K] {
  const v = task[key];
  return v !== undefined ? v : scope[key];
}

/** TaskRunner runs one task on one host: loop, when, until, the module's read → plan → apply, and the bookkeeping. */
export class TaskRunner {
  private readonly pc: PlayCtx;
  private readonly task: Task;
  private readonly scope: Scope;
  private readonly ref: TaskRef;
  private readonly host: HostState;
  private readonly label: string;
  private readonly noLog: boolean;
  private readonly check: boolean;
  private readonly diff: boolean;
  private delegatedTo: string | undefined;
  private delegatedHost: string | undefined;

  constructor(pc: PlayCtx, task: Task, scope: Scope, ref: TaskRef, host: HostState) {
    this.pc = pc;
    this.task = task;
    this.scope = scope;
    this.ref = ref;
    this.host = host;
    this.label = taskLabel(task);
    this.noLog = eff(task, scope, 'noLog') === true;
    this.check = (eff(task, scope, 'checkMode') as boolean | undefined) ?? pc.run.opts.check;
    this.diff = (eff(task, scope, 'diff') as boolean | undefined) ?? pc.run.opts.diff;
  }

  private site(): TemplateSite {
    return { pos: this.task.pos, task: this.label, host: this.host.name };
  }

  private conditions(): Expr[] {
    return [...this.scope.when, ...this.task.when];
  }

  /** run executes the task on the host, emits its events and updates the host's state. */
  async run(): Promise<TaskOutcome> {
    const t0 = performance.now();
    let vars: Vars;
    let outcome: { result: Result; changes: readonly Change[]; looped: boolean };
    let delegatedTo: string | undefined;
    try {
      // a role's task carries its role even where no block passed one down (roles: expanded inline)
      const role = this.task.role ?? this.scope.role;
      vars = taskVars(this.pc, this.host, { ...this.scope, role, checkMode: this.check, diff: this.diff }, this.task);
      const d = eff(this.task, this.scope, 'delegateTo') as string | undefined;
      if (d !== undefined) delegatedTo = String(renderValue(d, vars, this.site()));
      this.delegatedTo = delegatedTo;
      if (delegatedTo !== undefined) {
        const dv = this.connVars(delegatedTo, vars);
        this.delegatedHost = String(renderValue(dv['ansible_host'] ?? delegatedTo, vars, this.site()));
      }
      outcome = this.task.loop ? await this.runLoop(vars, delegatedTo) : await this.runSingle(vars, delegatedTo);
    } catch (e) {
      vars = {};
      outcome = { result: errorResult(e), changes: [], looped: false };
    }
    const { result } = outcome;
    const status = this.statusOf(result);
    const changed = result['changed'] === true;
    this.bookkeep(status, result, changed, vars);
    const ignoredUnreachable = status === 'unreachable' && eff(this.task, this.scope, 'ignoreUnreachable') === true;
    const shown = this.noLog ? censorResult(result) : result;
    this.pc.run.emit({
      type: 'host-result',
      task: this.ref,
      host: this.host.name,
      status,
      changes: this.noLog || status === 'skipped' ? [] : outcome.changes,
      ...(typeof shown['msg'] === 'string' ? { msg: shown['msg'] } : {}),
      result: shown,
      durationMs: Math.round(performance.now() - t0),
      ...(delegatedTo !== undefined ? { delegatedTo, delegatedHost: this.delegatedHost ?? delegatedTo } : {}),
      showDiff: this.diff,
      ...(outcome.looped ? { looped: true } : {}),
      ...(ignoredUnreachable ? { ignored: true } : {}),
    });
    const meta = typeof result['meta_action'] === 'string' && status !== 'skipped' ? (result['meta_action'] as string) : undefined;
    const hostLost = status === 'failed' || (status === 'unreachable' && !ignoredUnreachable);
    return { status, result, changed, hostLost, ...(meta ? { meta } : {}) };
  }

  private statusOf(r: Result): HostStatus {
    if (r['unreachable'] === true) return 'unreachable';
    if (isFailed(r)) {
      if (eff(this.task, this.scope, 'ignoreErrors') === true) return 'ignored';
      return this.scope.rescuable ? 'rescued' : 'failed';
    }
    if (r['skipped'] === true) return 'skipped';
    return r['changed'] === true ? 'changed' : 'ok';
  }

  private bookkeep(status: HostStatus, result: Result, changed: boolean, vars: Vars): void {
    const h = this.host;
    const ignoredUnreachable = status === 'unreachable' && eff(this.task, this.scope, 'ignoreUnreachable') === true;
    countResult(h.stats, status, changed, ignoredUnreachable);
    if (this.task.register) h.dynVars[this.task.register] = result;
    if (status === 'failed' || status === 'rescued') {
      h.failed = true;
      h.lastFailure = { task: this.ref, result };
    }
    if (status === 'unreachable' && !ignoredUnreachable) h.unreachable = true;
    // ignore_unreachable: the host stays in the play, so its next task must try a fresh connection
    if (ignoredUnreachable) void this.pc.run.pool.drop(this.delegatedTo ?? h.name);
    if (changed && status !== 'failed' && status !== 'rescued' && this.task.notify.length > 0) {
      const names = this.task.notify.map((n) => String(renderValue(n, vars, this.site())));
      for (const u of this.pc.handlers.notify(h.name, names)) {
        this.pc.run.emit({ type: 'warning', host: h.name, message: `notify names "${u}", which matches no handler or listen topic in this play` });
      }
    }
  }

  private async runLoop(vars: Vars, delegatedTo: string | undefined): Promise<{ result: Result; changes: readonly Change[]; looped: boolean }> {
    const loop = this.task.loop!;
    const raw = renderValue(loop.items, vars, { ...this.site(), pos: loop.pos });
    if (!Array.isArray(raw)) {
      throw new TsplayError({ code: 'E_LOOP', message: `loop must be a list, got ${raw === null ? 'null' : typeof raw}`, pos: loop.pos, task: this.label, host: this.host.name });
    }
    const results: Result[] = [];
    const changes: Change[] = [];
    for (let i = 0; i < raw.length; i++) {
      const item = raw[i];
      const itemVars: Vars = {
        ...vars,
        [loop.loopVar]: item,
        ansible_loop_var: loop.loopVar,
        ansible_loop: { index: i + 1, index0: i, first: i === 0, last: i === raw.length - 1, length: raw.length, revindex: raw.length - i, revindex0: raw.length - i - 1 },
        ...(loop.indexVar ? { [loop.indexVar]: i, ansible_index_var: loop.indexVar } : {}),
      };
      let r: Result;
      let ch: readonly Change[] = [];
      let label: unknown = item;
      try {
        if (loop.label !== undefined) label = renderValue(loop.label, itemVars, this.site());
        if (!evalCondition(this.conditions(), itemVars, this.site())) {
          r = { changed: false, skipped: true, skip_reason: 'Conditional result was False' };
        } else {
          const a = await this.attempts(itemVars, delegatedTo);
          r = a.result;
          ch = a.changes;
        }
      } catch (e) {
        r = errorResult(e);
      }
      r = { ...r, [loop.loopVar]: item, ansible_loop_var: loop.loopVar, ...(loop.indexVar ? { [loop.indexVar]: i, ansible_index_var: loop.indexVar } : {}) };
      if (loop.label !== undefined) r['_ansible_item_label'] = label;
      results.push(r);
      if (r['changed'] === true) changes.push(...ch);
      const st = this.statusOf(r);
      this.pc.run.emit({
        type: 'item-result',
        task: this.ref,
        host: this.host.name,
        status: st,
        item: this.noLog ? null : label,
        changes: this.noLog || st === 'skipped' ? [] : ch,
        ...(!this.noLog && typeof r['msg'] === 'string' ? { msg: r['msg'] } : {}),
        result: this.noLog ? censorResult(r) : r,
        ...(delegatedTo !== undefined ? { delegatedTo, delegatedHost: this.delegatedHost ?? delegatedTo } : {}),
        showDiff: this.diff,
      });
      // an unreachable host cannot do the remaining items
      if (r['unreachable'] === true) break;
      if (this.pc.run.signal?.aborted) break;
    }
    const anyFailed = results.some(isFailed);
    const unreachable = results.some((r) => r['unreachable'] === true);
    const allSkipped = results.every((r) => r['skipped'] === true);
    const result: Result = {
      changed: results.some((r) => r['changed'] === true),
      msg: raw.length === 0 ? 'No items in the list' : anyFailed ? 'One or more items failed' : allSkipped ? 'All items skipped' : 'All items completed',
      results,
    };
    if (anyFailed) result['failed'] = true;
    if (unreachable) result['unreachable'] = true;
    if (allSkipped) {
      result['skipped'] = true;
      if (raw.length === 0) result['skip_reason'] = 'No items in the list';
    }
    return { result, changes, looped: raw.length > 0 };
  }

  private async runSingle(vars: Vars, delegatedTo: string | undefined): Promise<{ result: Result; changes: readonly Change[]; looped: boolean }> {
    const conds = this.conditions();
    if (conds.length > 0 && !evalCondition(conds, vars, this.site())) {
      const last = conds.find((c) => {
        try {
          return !evalCondition([c], vars, this.site());
        } catch {
          return true;
        }
      });
      return { result: { changed: false, skipped: true, skip_reason: 'Conditional result was False', ...(last ? { false_condition: last.source } : {}) }, changes: [], looped: false };
    }
    const a = await this.attempts(vars, delegatedTo);
    return { ...a, looped: false };
  }

  /** attempts runs the module once, or until `until` holds (Ansible: retries+1 tries, default 3, delay 5 s). */
  private async attempts(vars: Vars, delegatedTo: string | undefined): Promise<Attempt> {
    const until = this.task.until;
    if (!until || until.length === 0) return this.once(vars, delegatedTo, undefined);
    const tries = this.task.retries === undefined ? 3 : this.task.retries <= 0 ? 1 : this.task.retries + 1;
    const delayMs = Math.max(0, (this.task.delay ?? 5) * 1000);
    let last: Attempt = { result: {}, changes: [] };
    for (let attempt = 1; attempt <= tries; attempt++) {
      last = await this.once(vars, delegatedTo, attempt);
      if (last.result['unreachable'] === true) return last;
      const regVars = this.task.register ? { ...vars, [this.task.register]: last.result } : vars;
      let ok: boolean;
      try {
        ok = evalCondition(until, regVars, this.site());
      } catch (e) {
        return { result: { ...last.result, failed: true, msg: errorMessage(e) }, changes: last.changes };
      }
      if (ok) return last;
      if (attempt < tries) {
        this.pc.run.emit({ type: 'retry', task: this.ref, host: this.host.name, attempt, retriesLeft: tries - attempt });
        if (this.pc.run.signal?.aborted) break;
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
    // Ansible's quirk, kept so registered results compare equal: attempts = retries - 1 when exhausted
    return { result: { ...last.result, failed: true, attempts: tries > 1 ? tries - 1 : 1 }, changes: last.changes };
  }

  private connVars(target: string, vars: Vars): Vars {
    const run = this.pc.run;
    const play = this.pc.play;
    if (target === this.host.name) {
      // play `connection:` beats the inventory; play `remote_user:` only fills a missing ansible_user
      return {
        ...vars,
        ...(play.connection !== undefined ? { ansible_connection: play.connection } : {}),
        ...(play.remoteUser !== undefined && vars['ansible_user'] === undefined ? { ansible_user: play.remoteUser } : {}),
      };
    }
    // a delegate connects with its own host-level vars (inventory, playbook group_vars/host_vars,
    // its facts and set_facts); the implicit localhost comes with ansible_connection: local
    return { ...hostLevelVars(run, target), inventory_hostname: target };
  }

  /** once is one read → plan → (apply) of the module, then changed_when / failed_when. */
  private async once(vars: Vars, delegatedTo: string | undefined, attempt: number | undefined): Promise<Attempt> {
    let a: Attempt;
    try {
      a = await this.moduleCall(vars, delegatedTo);
    } catch (e) {
      a = { result: errorResult(e), changes: [] };
    }
    const r = a.result;
    if (r['unreachable'] === true) return a;
    if (r['failed'] === undefined) r['failed'] = typeof r['rc'] === 'number' && r['rc'] !== 0;
    if (r['changed'] === undefined) r['changed'] = false;
    if (attempt !== undefined) r['attempts'] = attempt;
    if (r['skipped'] !== true) {
      const regVars = this.task.register ? { ...vars, [this.task.register]: r } : vars;
      try {
        if (this.task.changedWhen && this.task.changedWhen.length > 0) r['changed'] = evalCondition(this.task.changedWhen, regVars, this.site());
        if (this.task.failedWhen && this.task.failedWhen.length > 0) {
          const f = evalCondition(this.task.failedWhen, regVars, this.site());
          r['failed_when_result'] = f;
          r['failed'] = f;
        }
      } catch (e) {
        r['failed'] = true;
        r['msg'] = errorMessage(e);
      }
    }
    if (!isFailed(r) && r['ansible_facts'] && typeof r['ansible_facts'] === 'object') {
      const facts = r['ansible_facts'] as Vars;
      if (this.task.module === 'gather_facts' || r['_ansible_facts_cacheable'] === true) Object.assign(this.host.facts, facts);
      // include_vars has its own precedence level, below set_fact (Ansible's vars cache)
      if (this.task.module === 'include_vars') Object.assign(this.host.includeVars, facts);
      else if (this.task.module !== 'gather_facts') Object.assign(this.host.dynVars, facts);
    }
    delete r['_ansible_facts_cacheable'];
    // changed_when: false (or a module that found nothing to do) leaves no change to show
    if (r['changed'] !== true) return { result: r, changes: [] };
    return a;
  }

  private environment(vars: Vars): Record<string, string> {
    const raw = { ...this.scope.environment, ...(this.task.environment ?? {}) };
    const env: Record<string, string> = {};
    const rendered = renderValue(raw, vars, this.site()) as Record<string, unknown>;
    for (const [k, v] of Object.entries(rendered)) env[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return env;
  }

  private searchPaths(): ModuleContext['searchPaths'] {
    const dir = this.pc.playbookDir;
    const role = this.task.role ?? this.scope.role;
    return {
      files: [...(role ? [join(role.path, 'files'), role.path] : []), join(dir, 'files'), dir],
      templates: [...(role ? [join(role.path, 'templates'), role.path] : []), join(dir, 'templates'), dir],
      vars: [...(role ? [join(role.path, 'vars'), join(role.path, 'tasks')] : []), join(dir, 'vars'), dir],
      ...(role ? { role: role.path } : {}),
    };
  }

  private async moduleCall(vars: Vars, delegatedTo: string | undefined): Promise<Attempt> {
    const site = this.site();
    // each argument is rendered with its own position, so an error points at the value itself
    const args: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.task.args)) args[k] = renderValue(v, vars, { ...site, pos: this.task.argPos[k] ?? this.task.pos });
    const target = delegatedTo ?? this.host.name;
    const run = this.pc.run;
    // connection variables (ansible_host: "{{ ... }}") are templated when the connection reads them
    const getConn = (): Promise<Connection> => run.pool.get(target, () => templateVars(this.connVars(target, vars), site));
    if (this.task.module === 'gather_facts' || this.task.module === 'setup') {
      const facts = await gatherFacts(await getConn());
      return { result: { changed: false, ansible_facts: facts }, changes: [] };
    }
    const mod = getModule(this.task.module) as ModuleDef | undefined;
    if (!mod) throw new TsplayError({ code: 'E_UNKNOWN_MODULE', message: `no module named ${this.task.module}`, pos: this.task.pos, task: this.label });
    const parsed = mod.schema.safeParse(args);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      return { result: { changed: false, failed: true, msg: `bad arguments for ${mod.name} after templating: ${where}${issue?.message ?? 'invalid'}` }, changes: [] };
    }
    const become = (eff(this.task, this.scope, 'become') as boolean | undefined) ?? run.opts.become;
    const becomeUser = (eff(this.task, this.scope, 'becomeUser') as string | undefined) ?? run.opts.becomeUser;
    const conn = mod.local ? controllerOnly : await getConn();
    const ctx: ModuleContext = {
      host: this.host.name,
      conn,
      become,
      ...(becomeUser !== undefined ? { becomeUser } : {}),
      env: this.environment(vars),
      vars,
      searchPaths: this.searchPaths(),
      render: (text: string, origin: string) => renderText(text, vars, { pos: { file: origin, line: 1, col: 1 }, task: this.label, host: this.host.name }),
      check: this.check,
      diff: this.diff,
      verbosity: run.opts.verbosity,
      task: this.label,
      pos: this.task.pos,
    };
    const planCtx: PlanContext = { host: ctx.host, vars, check: ctx.check, diff: ctx.diff, verbosity: run.opts.verbosity, task: this.label, pos: this.task.pos };
    const current: unknown = await mod.read(ctx, parsed.data);
    const plan = mod.plan(parsed.data, current, planCtx);
    const base: Result = { ...(plan.result ?? {}) };
    if (plan.skipped) return { result: { ...base, changed: false, skipped: true, ...(plan.reason ? { skip_reason: plan.reason } : {}) }, changes: [] };
    if (plan.failed) return { result: { ...base, changed: false, failed: true, msg: plan.msg ?? 'failed' }, changes: [] };
    if (plan.changes.length === 0 && !plan.unknowable) {
      return { result: { ...base, changed: false, ...(plan.msg !== undefined ? { msg: plan.msg } : {}) }, changes: [] };
    }
    if (this.check) {
      if (plan.unknowable) return { result: { ...base, changed: false, skipped: true, msg: 'Command would have run if not in check mode' }, changes: [] };
      return { result: { ...base, changed: true, ...(plan.msg !== undefined ? { msg: plan.msg } : {}) }, changes: plan.changes };
    }
    const ar = await mod.apply(ctx, parsed.data, plan);
    const result: Result = { ...base, ...(ar.result ?? {}), changed: ar.changed };
    if (ar.failed) result['failed'] = true;
    const msg = ar.msg ?? plan.msg;
    if (msg !== undefined) result['msg'] = msg;
    return { result, changes: ar.changed ? plan.changes : [] };
  }
}
