// Replays recorded event sequences (plain/*.events.json) through the plain reporter and compares
// with the text ansible-playbook 2.14 printed for the same run (captured/, see its README).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { createReporter } from '../../engine/output/index.ts';
import { caseEntries, readCaseFile } from '../helpers/cases.ts';

const dir = join(import.meta.dirname, 'plain');

type Raw = ExecEvent[] | { options: { diff: boolean; verbosity: number }; events: ExecEvent[] };

for (const f of caseEntries(dir, { suffix: '.events.json', needs: ['.expected.txt'] })) {
  const name = f.replace(/\.events\.json$/, '');
  const raw = readCaseFile<Raw>(join(dir, f));
  test(`plain reporter prints ${name} as ansible-playbook did`, async (t) => {
    const { events, options } = Array.isArray(raw) ? { events: raw, options: { diff: false, verbosity: 0 } } : raw;
    const lines: string[] = [];
    const r = createReporter('plain', { ...options, write: (l) => lines.push(l) });
    for (const e of events) r.onEvent(e);
    await r.close();
    const expected = readFileSync(join(dir, `${name}.expected.txt`), 'utf8');
    t.is(`${lines.join('\n')}\n`, expected);
  });
}
