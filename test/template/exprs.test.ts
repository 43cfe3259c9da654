// One generic test over cases.yaml `exprs:` (the when/changed_when/failed_when/until language).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TsplayError } from '../../engine/errors/index.ts';
import { compileExpr, evalExpr } from '../../engine/template/index.ts';

interface Case {
  readonly expr: string;
  readonly vars: Record<string, unknown>;
  readonly expect?: unknown;
  readonly error?: string;
  readonly name?: string;
  readonly line?: number;
  readonly col?: number;
}

const cases = (parse(readFileSync(new URL('./cases.yaml', import.meta.url), 'utf8')) as { exprs: Case[] }).exprs;

cases.forEach((c, i) => {
  test(`expr #${i + 1}: ${JSON.stringify(c.expr)}`, (t) => {
    const pos = { file: 'case.yml', line: 1, col: 1 };
    const run = (): unknown => evalExpr(compileExpr(c.expr, pos), c.vars, { task: 'T' });
    if (c.error === undefined) {
      t.deepEqual(run(), c.expect);
      return;
    }
    const err = t.throws(run);
    t.true(err instanceof TsplayError, String(err));
    const e = err as TsplayError;
    t.is(e.code as string, c.error, e.message);
    if (c.name !== undefined) t.true(e.message.includes(c.name), e.message);
    t.is(e.pos?.line, c.line ?? 1);
    if (c.col !== undefined) t.is(e.pos?.col, c.col, e.message);
  });
});
