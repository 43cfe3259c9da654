// One generic test over cases.yaml `templates:` (renderValue with strict Handlebars and the helpers).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TsplayError } from '../../engine/errors/index.ts';
import { renderValue } from '../../engine/template/index.ts';

interface Case {
  readonly template: string;
  readonly vars: Record<string, unknown>;
  readonly expect?: unknown;
  readonly error?: string;
  readonly name?: string;
  readonly line?: number;
  readonly col?: number;
}

const cases = (parse(readFileSync(new URL('./cases.yaml', import.meta.url), 'utf8')) as { templates: Case[] }).templates;
const pos = { file: 'case.yml', line: 1, col: 1 };

cases.forEach((c, i) => {
  test(`template #${i + 1}: ${JSON.stringify(c.template)}`, (t) => {
    if (c.error === undefined) {
      t.deepEqual(renderValue(c.template, c.vars, { pos, task: 'T' }), c.expect);
      return;
    }
    const err = t.throws(() => renderValue(c.template, c.vars, { pos, task: 'T' }));
    t.true(err instanceof TsplayError, String(err));
    const e = err as TsplayError;
    t.is(e.code as string, c.error, e.message);
    if (c.name !== undefined) t.true(e.message.includes(c.name), e.message);
    if (c.error === 'E_UNDEFINED_VAR') t.is(e.task, 'T');
    if (c.line !== undefined) t.is(e.pos?.line, c.line);
    if (c.col !== undefined) t.is(e.pos?.col, c.col);
  });
});
