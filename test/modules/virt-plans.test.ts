// The one generic test of the virt modules' plans: each test/modules/virt-plans/<module>.yaml case
// gives the arguments and the host's layers as the tools printed them, and the expected changes
// (with their class) or the reason nothing changes. A current value `{ capture: FILE }` is the
// stdout of test/probes/cases/FILE (real libvirt 9.0.0 / iproute2 6.1 output), optionally with
// `replace: [[from, to], ...]` applied, so cases start from what the tools really print (in
// `args` too, e.g. a full domain XML).
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { getModule } from '../../engine/modules/registry.ts';
import type { PlanContext } from '../../engine/modules/types.ts';
import { resolveCaptures } from '../helpers/captures.ts';
import { pendingRestart } from '../../engine/executor/task-result.ts';

interface Expect {
  changes?: Record<string, unknown>[];
  reason?: string;
  failed?: boolean;
  msgIncludes?: string[];
  argsError?: string;
  steps?: unknown[];
  /** strings the steps (as JSON: argv words and stdin XML) must contain, or must not */
  stepsInclude?: string[];
  stepsExclude?: string[];
  /** values the plan's result must hold */
  result?: Record<string, unknown>;
  /** whether the task is reported pending restart: only a running object that keeps its old config is */
  pendingRestart?: boolean;
}

interface VirtCase {
  name: string;
  args: Record<string, unknown>;
  current?: unknown;
  expect?: Expect;
}

const resolve = resolveCaptures;

const dir = new URL('./virt-plans/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
test('virt-plans holds cases', (t) => {
  t.true(files.length > 0, 'test/modules/virt-plans/ is empty');
});
for (const file of files) {
  const data = parse(readFileSync(new URL(file, dir), 'utf8'), { merge: true, maxAliasCount: 1000 }) as { module: string; cases: VirtCase[] };
  const mod = getModule(data.module);
  test(`${file}: module ${data.module} exists and has cases`, (t) => {
    t.truthy(mod);
    t.true(data.cases.length > 0);
  });
  if (!mod) continue;
  for (const c of data.cases) {
    test(`${data.module}: ${c.name}`, (t) => {
      const e = c.expect;
      if (!e || (e.changes === undefined && e.reason === undefined && e.argsError === undefined && e.failed === undefined)) {
        t.fail('a case states its expected changes, reason, failure or argument error');
        return;
      }
      const parsed = mod.schema.safeParse(resolve(c.args));
      if (e.argsError !== undefined) {
        t.false(parsed.success, 'the arguments should be rejected');
        const text = parsed.error?.issues.map((i) => `${i.message} ${JSON.stringify(i)}`).join('\n') ?? '';
        t.true(text.includes(e.argsError), text);
        return;
      }
      if (!parsed.success) return t.fail(JSON.stringify(parsed.error.issues));
      const ctx: PlanContext = { host: 'hv1', vars: {}, check: false, diff: true };
      const current = resolve(c.current);
      const plan = mod.plan(parsed.data, current, ctx);
      t.deepEqual(mod.plan(parsed.data, current, { ...ctx, check: true }), plan, 'check mode must not change the plan');
      t.deepEqual(plan.changes, resolve(e.changes ?? []), 'changes');
      for (const ch of plan.changes) t.truthy(ch.class, `change ${ch.property} has a class`);
      if (e.pendingRestart !== undefined) t.is(pendingRestart(plan.changes), e.pendingRestart, 'pending restart');
      t.is(plan.failed ?? false, e.failed ?? false, `failed (msg: ${plan.msg})`);
      for (const m of e.msgIncludes ?? []) t.true((plan.msg ?? '').includes(m), `msg ${JSON.stringify(plan.msg)} includes ${JSON.stringify(m)}`);
      if (e.reason !== undefined) t.is(plan.reason, e.reason);
      if (plan.changes.length === 0 && !plan.failed) t.truthy(plan.reason, 'a converged plan says why');
      const steps = (plan.payload as { steps?: unknown[] } | undefined)?.steps;
      if (e.steps !== undefined) t.deepEqual(steps, e.steps, 'steps');
      // each step on its own lines: a command's words joined by spaces, then its stdin; a file put, then its content; others as JSON
      const text = (steps ?? [])
        .map((s) => {
          const r = s as { run?: string[]; stdin?: string; put?: string; content?: string };
          if (r.put !== undefined) return `put ${r.put}\n${r.content}`;
          return r.run ? [r.run.join(' '), ...(r.stdin === undefined ? [] : [r.stdin])].join('\n') : JSON.stringify(s);
        })
        .join('\n');
      for (const s of e.stepsInclude ?? []) t.true(text.includes(s), `steps include ${JSON.stringify(s)}:\n${text}`);
      for (const s of e.stepsExclude ?? []) t.false(text.includes(s), `steps do not include ${JSON.stringify(s)}`);
      for (const [k, v] of Object.entries(e.result ?? {})) t.deepEqual(plan.result?.[k], v, `result.${k}`);
    });
  }
}
