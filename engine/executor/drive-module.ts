import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TsplayError } from '../errors/index.ts';
import { randomHex } from '../connection/random-hex.ts';
import type { Vars } from '../inventory/types.ts';
import type { ApplyResult, ModuleContext, ModuleDef, Plan, PlanContext } from '../modules/types.ts';
import { withPaths } from './path-queue.ts';
import { noteApply, type ReadAhead, usableRead } from './read-ahead.ts';
import type { TaskResult } from './task-result.ts';

/** ModuleRun is one drive of a module: its plan, what apply reported (if it ran), and the task result. */
export interface ModuleRun {
  readonly plan: Plan;
  readonly applied?: ApplyResult;
  readonly result: TaskResult;
}

/**
 * driveModule runs a module the one way its contract (engine/modules/types.ts) allows:
 * read → plan → (skipped | failed | converged | check mode) → apply. The executor calls it for
 * every task and the module tests call it too, so both see the same decision and the same result.
 * A module that declares `writeKeys` is driven one at a time per (connection, path), and driven
 * again (at most WRITE_ATTEMPTS times) when its write finds the file changed since it was read.
 */
export async function driveModule<A>(mod: ModuleDef<A>, ctx: ModuleContext, args: A, ahead?: ReadAhead): Promise<ModuleRun> {
  const paths = ctx.check ? [] : (mod.writeKeys?.(args) ?? []);
  if (paths.length === 0) return driveOnce(mod, ctx, args, ahead);
  const id = randomHex(8);
  return withPaths(
    ctx.conn,
    paths.map((p) => posix.normalize(p)),
    async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await driveOnce(mod, { ...ctx, writer: { id, lastTry: attempt === WRITE_ATTEMPTS } }, args, attempt === 1 ? ahead : undefined);
        } catch (e) {
          // another writer (a concurrent run, an editor) replaced the file between read and write:
          // read it again and plan against what it holds now
          if (!(e instanceof TsplayError && e.code === 'E_WRITE_CONFLICT')) throw e;
          if (attempt >= WRITE_ATTEMPTS) {
            throw new TsplayError({
              code: 'E_WRITE_CONFLICT',
              host: ctx.host,
              message: `${ctx.host}: ${paths.join(', ')} on ${ctx.conn.host} kept changing between read and write; gave up after ${attempt} attempts`,
            });
          }
          // a random, growing pause: two writers retrying in step would collide again and again; a
          // writer that stepped aside for another's turn waits here too, so the pause must outlast
          // the other's round on a loaded host (seen in CI: 5 rounds up to 0.8 s were not enough)
          await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
        }
      }
    },
  );
}

/** WRITE_ATTEMPTS bounds read → plan → apply rounds of a write that keeps finding its file changed (about 10 s of pauses at most). */
const WRITE_ATTEMPTS = 8;

async function driveOnce<A>(mod: ModuleDef<A>, ctx: ModuleContext, args: A, ahead?: ReadAhead): Promise<ModuleRun> {
  const planCtx: PlanContext = { host: ctx.host, vars: ctx.vars, check: ctx.check, diff: ctx.diff, ...pick(ctx) };
  // a loop item's read sent early (read-ahead.ts) stands only if nothing was applied since
  const early = ahead ? await usableRead(ahead) : undefined;
  const current: unknown = early ? early.value : await mod.read(ctx, args);
  const plan = mod.plan(args, current, planCtx);
  const values: Vars = { ...(plan.result ?? {}) };
  if (plan.skipped) return { plan, result: moduleResult(values, { changed: false, skipped: true, ...(plan.reason ? { skipReason: plan.reason } : {}) }) };
  // a refused plan keeps what it would change: `-D` shows the refused change with its class
  if (plan.failed) return { plan, result: moduleResult(values, { changed: false, failed: true, msg: plan.msg ?? 'failed', changes: plan.changes }) };
  if (plan.changes.length === 0 && !plan.unknowable) return { plan, result: moduleResult(values, { changed: false, ...msgOf(plan.msg) }) };
  if (ctx.check) {
    if (plan.unknowable) return { plan, result: moduleResult(values, { changed: false, skipped: true, msg: 'Command would have run if not in check mode' }) };
    return { plan, result: moduleResult(values, { changed: true, ...msgOf(plan.msg), changes: plan.changes }) };
  }
  noteApply();
  let applied: ApplyResult;
  try {
    applied = await mod.apply(ctx, args, plan);
  } finally {
    noteApply();
  }
  const result = moduleResult(
    { ...values, ...(applied.result ?? {}) },
    { changed: applied.changed, ...(applied.failed ? { failed: true } : {}), ...msgOf(applied.msg ?? plan.msg), changes: applied.changed ? plan.changes : [] },
  );
  return { plan, applied, result };
}

function pick(ctx: ModuleContext): Partial<PlanContext> {
  return { ...(ctx.verbosity !== undefined ? { verbosity: ctx.verbosity } : {}), ...(ctx.task !== undefined ? { task: ctx.task } : {}), ...(ctx.pos !== undefined ? { pos: ctx.pos } : {}) };
}

function msgOf(msg: string | undefined): { msg?: string } {
  return msg !== undefined ? { msg } : {};
}

/**
 * moduleResult completes a module's result as Ansible's modules do: `failed` is always there
 * (a non-zero `rc` fails), and `ansible_facts` with set_fact's cacheable flag are lifted out of
 * the module's keys.
 */
function moduleResult(values: Vars, r: Omit<TaskResult, 'values' | 'changes'> & { changes?: TaskResult['changes'] }): TaskResult {
  const { _ansible_facts_cacheable: cacheable, ...rest } = values;
  const facts = rest['ansible_facts'];
  const isFacts = typeof facts === 'object' && facts !== null;
  if (isFacts) delete rest['ansible_facts'];
  const failed = r.failed ?? (typeof rest['rc'] === 'number' && rest['rc'] !== 0);
  return {
    ...r,
    failed,
    values: rest,
    changes: r.changes ?? [],
    ...(isFacts ? { facts: facts as Vars } : {}),
    ...(cacheable === true ? { cacheable: true } : {}),
  };
}
