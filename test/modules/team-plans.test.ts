// The one generic test of nm_team's and teamd_state's plans: each test/modules/team-plans/*.yaml
// case gives the arguments, the host vars and the guest's layers as the tools printed them, and
// the expected changes (with their class), the reason nothing changes, the failure, or the
// argument error with its path. A current value `{ capture: FILE, replace: [[from, to], ...] }`
// is the stdout of test/probes/cases/FILE (real NetworkManager 1.42.4 / libteam 1.31 / iproute2
// 6.1 output from the lab guest), so cases start from what the tools really print.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { getModule } from '../../engine/modules/registry.ts';
import type { PlanContext } from '../../engine/modules/types.ts';
import { caseEntries, caseList, readCaseFile } from '../helpers/cases.ts';
import { resolveCaptures } from '../helpers/captures.ts';

interface Expect {
  changes?: Record<string, unknown>[];
  reason?: string;
  failed?: boolean;
  msgIncludes?: string[];
  argsError?: { path: string; includes: string };
  steps?: string[][];
  guard?: boolean;
}

interface TeamCase {
  name: string;
  args: Record<string, unknown>;
  vars?: Record<string, unknown>;
  current?: unknown;
  expect: Expect;
}

const resolve = resolveCaptures;

const dir = fileURLToPath(new URL('./team-plans/', import.meta.url));
for (const file of caseEntries(dir, { suffix: '.yaml' })) {
  const data = readCaseFile<{ module: string; cases: unknown }>(`${dir}${file}`, { merge: true });
  const mod = getModule(data.module);
  if (!mod) throw new Error(`${file}: no module ${data.module}`);
  for (const c of caseList<TeamCase>(data.cases, `${dir}${file}`, ['name', 'args', 'expect'])) {
    test(`${data.module}: ${c.name}`, (t) => {
      const e = c.expect;
      const parsed = mod.schema.safeParse(c.args);
      if (e.argsError !== undefined) {
        t.false(parsed.success, 'the arguments should be rejected');
        const issues = parsed.error?.issues ?? [];
        const hit = issues.find((i) => i.path.join('.') === e.argsError!.path);
        t.truthy(hit, `an issue at ${e.argsError.path}; got ${JSON.stringify(issues.map((i) => [i.path.join('.'), i.message]))}`);
        t.true(JSON.stringify(hit ?? {}).includes(e.argsError.includes), JSON.stringify(hit));
        return;
      }
      if (!parsed.success) return t.fail(JSON.stringify(parsed.error.issues));
      const ctx: PlanContext = { host: 'vm1', vars: c.vars ?? {}, check: false, diff: true };
      const current = resolve(c.current ?? null);
      const plan = mod.plan(parsed.data, current, ctx);
      t.deepEqual(mod.plan(parsed.data, current, { ...ctx, check: true }), plan, 'check mode must not change the plan');
      t.deepEqual(plan.changes, e.changes ?? [], 'changes');
      for (const ch of plan.changes) t.truthy(ch.class, `change ${ch.property} has a class`);
      t.is(plan.failed ?? false, e.failed ?? false, `failed (msg: ${plan.msg})`);
      for (const m of e.msgIncludes ?? []) t.true((plan.msg ?? '').includes(m), `msg ${JSON.stringify(plan.msg)} includes ${JSON.stringify(m)}`);
      if (e.reason !== undefined) t.is(plan.reason, e.reason);
      if (plan.changes.length === 0 && !plan.failed) t.truthy(plan.reason, 'a converged plan says why');
      const payload = plan.payload as { steps?: { run: string[] }[]; guard?: unknown } | undefined;
      if (e.steps !== undefined)
        t.deepEqual(
          payload?.steps?.map((s) => s.run),
          e.steps,
          'steps (argv words)',
        );
      if (e.guard !== undefined) t.is(payload?.guard !== null && payload?.guard !== undefined, e.guard, 'checkpoint guard');
    });
  }
}
