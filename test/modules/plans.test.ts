// The one generic plan test: every case in test/modules/plans/<module>.yaml gives a module's
// arguments and a current state (what `read` would return) and states the expected plan.
// Besides each case's own expectations it checks two rules for every module:
//  - check mode is the plan without the apply: the plan is the same with check on and off;
//  - a plan without changes (and without failing) says why nothing has to change.
import test from 'ava';
import { getModule } from '../../engine/modules/registry.ts';
import type { PlanContext } from '../../engine/modules/types.ts';
import { caseEntries, caseList, readCaseFile } from '../helpers/cases.ts';

interface Expect {
  changes?: Record<string, unknown>[];
  reason?: string;
  unknowable?: boolean;
  failed?: boolean;
  skipped?: boolean;
  msg?: string;
  result?: Record<string, unknown>;
  payload?: unknown;
  argsError?: string;
}

interface PlanCase {
  name: string;
  args: Record<string, unknown>;
  current?: unknown;
  ctx?: Partial<PlanContext>;
  expect: Expect;
}

const dir = new URL('./plans/', import.meta.url);
for (const file of caseEntries(dir.pathname, { suffix: '.yaml' })) {
  const moduleName = file.replace(/\.yaml$/, '');
  const raw = readCaseFile<{ ctx?: Partial<PlanContext>; cases?: unknown }>(new URL(file, dir), { merge: true });
  const data = { ...raw, cases: caseList<PlanCase>(raw.cases, new URL(file, dir), ['name', 'args', 'expect']) };
  const mod = getModule(moduleName);
  test(`${moduleName}: module exists and has cases`, (t) => {
    t.truthy(mod);
    t.true(data.cases.length > 0);
  });
  if (!mod) continue;
  for (const c of data.cases) {
    test(`${moduleName}: ${c.name}`, (t) => {
      const parsed = mod.schema.safeParse(c.args);
      if (c.expect.argsError !== undefined) {
        t.false(parsed.success, 'the arguments should be rejected');
        const text = parsed.error?.issues.map((i) => `${i.message} ${JSON.stringify(i)}`).join('\n') ?? '';
        t.true(text.includes(c.expect.argsError), text);
        return;
      }
      if (!parsed.success) {
        t.fail(JSON.stringify(parsed.error.issues));
        return;
      }
      const ctx: PlanContext = { host: 'h1', vars: {}, check: false, diff: true, ...data.ctx, ...c.ctx };
      const plan = mod.plan(parsed.data, c.current ?? null, ctx);
      t.deepEqual(mod.plan(parsed.data, c.current ?? null, { ...ctx, check: true }), plan, 'check mode must not change the plan');
      const e = c.expect;
      const got = plan.changes.map((ch) => {
        const want = (e.changes ?? []).find((w) => w.property === ch.property);
        const { diff, ...rest } = ch;
        return want && 'diff' in want ? { ...rest, diff } : rest;
      });
      t.deepEqual(got, e.changes ?? [], 'changes');
      t.is(plan.failed ?? false, e.failed ?? false, `failed (msg: ${plan.msg})`);
      t.is(plan.unknowable ?? false, e.unknowable ?? false, 'unknowable');
      t.is(plan.skipped ?? false, e.skipped ?? false, 'skipped');
      if (e.reason !== undefined) t.is(plan.reason, e.reason);
      if (e.msg !== undefined) t.is(plan.msg, e.msg);
      if (plan.changes.length === 0 && !plan.failed) t.truthy(plan.reason, 'a converged plan says why');
      for (const [k, v] of Object.entries(e.result ?? {})) t.deepEqual(plan.result?.[k], v, `result.${k}`);
      if (e.payload !== undefined) t.deepEqual(plan.payload, e.payload, 'payload');
    });
  }
}
