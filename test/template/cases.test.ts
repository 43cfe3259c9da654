// The one generic test over cases.yaml: `templates:` (renderValue with strict Handlebars and the
// helpers) and `exprs:` (the when/changed_when/failed_when/until language).
import test, { type ExecutionContext } from 'ava';
import { TsplayError } from '../../engine/errors/index.ts';
import { compileExpr, evalExpr, renderValue } from '../../engine/template/index.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

interface Expectation {
  readonly vars: Record<string, unknown>;
  readonly expect?: unknown;
  readonly error?: string;
  readonly name?: string;
  readonly line?: number;
  readonly col?: number;
}

const file = new URL('./cases.yaml', import.meta.url);
const raw = readCaseFile<{ templates?: unknown; exprs?: unknown }>(file);
const data = {
  templates: caseList<Expectation & { readonly template: string }>(raw.templates, `${file.pathname} templates`, ['template', 'vars', 'expect|error']),
  exprs: caseList<Expectation & { readonly expr: string }>(raw.exprs, `${file.pathname} exprs`, ['expr', 'vars', 'expect|error']),
};
const pos = { file: 'case.yml', line: 1, col: 1 };

/** expectError checks that `run` throws the case's TsplayError code, naming what it should. */
function expectError(t: ExecutionContext, c: Expectation, code: string, run: () => unknown): TsplayError {
  const err = t.throws(run);
  t.true(err instanceof TsplayError, String(err));
  const e = err as TsplayError;
  t.is(e.code as string, code, e.message);
  if (c.name !== undefined) t.true(e.message.includes(c.name), e.message);
  return e;
}

data.templates.forEach((c, i) => {
  test(`template #${i + 1}: ${JSON.stringify(c.template)}`, (t) => {
    const run = (): unknown => renderValue(c.template, c.vars, { pos, task: 'T' });
    if (c.error === undefined) {
      t.deepEqual(run(), c.expect);
      return;
    }
    const e = expectError(t, c, c.error, run);
    if (c.error === 'E_UNDEFINED_VAR') t.is(e.task, 'T');
    if (c.line !== undefined) t.is(e.pos?.line, c.line);
    if (c.col !== undefined) t.is(e.pos?.col, c.col);
  });
});

data.exprs.forEach((c, i) => {
  test(`expr #${i + 1}: ${JSON.stringify(c.expr)}`, (t) => {
    const run = (): unknown => evalExpr(compileExpr(c.expr, pos), c.vars, { task: 'T' });
    if (c.error === undefined) {
      t.deepEqual(run(), c.expect);
      return;
    }
    const e = expectError(t, c, c.error, run);
    t.is(e.pos?.line, c.line ?? 1);
    if (c.col !== undefined) t.is(e.pos?.col, c.col, e.message);
  });
});
