// Change classes in the output: recorded event sequences (classed/*.events.json) whose changes
// carry a class, printed by the plain reporter and compared with classed/*.expected.txt (tsplay's
// own design: a headline per classed change, `(pending restart)`, the pending_restart recap
// column); the JSON and tty reporters are checked on the same events.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { createReporter } from '../../engine/output/index.ts';
import { changeLine } from '../../engine/output/change-line.ts';
import { formatRecapLine } from '../../engine/output/recap.ts';
import { TtyReporter } from '../../engine/output/tty-reporter.ts';
import { caseEntries, readCaseFile } from '../helpers/cases.ts';

const dir = join(import.meta.dirname, 'classed');
type Raw = { options: { diff: boolean; verbosity: number }; events: ExecEvent[] };

for (const f of caseEntries(dir, { suffix: '.events.json', needs: ['.expected.txt'] })) {
  const name = f.replace(/\.events\.json$/, '');
  const raw = readCaseFile<Raw>(join(dir, f));
  test(`plain reporter prints ${name} with change classes`, async (t) => {
    const lines: string[] = [];
    const r = createReporter('plain', { ...raw.options, write: (l) => lines.push(l) });
    for (const e of raw.events) r.onEvent(e);
    await r.close();
    t.is(`${lines.join('\n')}\n`, readFileSync(join(dir, `${name}.expected.txt`), 'utf8'));
  });
}

const classes = readCaseFile<Raw>(join(dir, 'classes.events.json'));

test('--output json writes every change as {property, before, after, class} and marks pending restarts', async (t) => {
  const lines: string[] = [];
  const r = createReporter('json', { verbosity: 0, diff: false, write: (l) => lines.push(l) });
  for (const e of classes.events) r.onEvent(e);
  await r.close();
  // biome-ignore lint/suspicious/noExplicitAny: NDJSON events, read as loosely as they were written
  const out = lines.map((l) => JSON.parse(l) as Record<string, any>);
  const results = out.filter((e) => e['type'] === 'host-result' || e['type'] === 'item-result');
  for (const e of results)
    for (const c of e['changes'])
      t.deepEqual(
        Object.keys(c)
          .filter((k) => k !== 'diff')
          .sort(),
        ['after', 'before', 'class', 'property'],
      );
  const net = results.find((e) => e['task'].name === 'lab network' && e['host'] === 'hv1')!;
  t.deepEqual(net['changes'][0], { property: 'bridge@name', before: 'labbr0', after: 'labbr1', class: 'net-restart' });
  t.deepEqual(net['changes'][2].after, null, 'a removed entry has after: null, not a missing key');
  const motd = results.find((e) => e['task'].name === 'motd')!;
  t.is(motd['changes'][0].class, null, 'an unclassed change says class: null');
  t.is(motd['changes'][0].diff.after, 'hi\n');
  const sysctl = results.find((e) => e['task'].name === 'forwarding' && e['host'] === 'hv1')!;
  t.true(sysctl['pendingRestart']);
  t.true(sysctl['result'].pending_restart);
  const recap = out.find((e) => e['type'] === 'recap')!;
  t.is(recap['stats'].hv1.pendingRestart, 2);
  t.false('pendingRestart' in recap['stats'].hv2);
});

test('the tty reporter marks a pending restart and shows the classed headlines under --diff', async (t) => {
  const lines: string[] = [];
  const r = new TtyReporter({ verbosity: 0, diff: true, renderer: 'silent', write: (l) => lines.push(l) });
  for (const e of classes.events) r.onEvent(e);
  await r.close();
  const text = lines.join('\n');
  t.regex(text, /changed: hv1 \(pending restart\)/);
  t.regex(text, /~ bridge@name: labbr0 → labbr1 {2}\[net-restart\]/);
  t.regex(text, /pending_restart=2/);
});

test('the recap gets a pending_restart column only when something is pending', (t) => {
  const s = { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
  t.is(formatRecapLine('hv1', s), 'hv1                        : ok=3    changed=2    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ');
  t.is(formatRecapLine('hv1', { ...s, pendingRestart: 0 }), formatRecapLine('hv1', s), 'zero prints nothing extra');
  t.is(formatRecapLine('hv1', { ...s, pendingRestart: 1 }), `${formatRecapLine('hv1', s)} pending_restart=1   `);
});

test('a headline names what changes and how: added, removed, changed; none for unclassed changes', (t) => {
  t.is(changeLine({ property: 'state', before: 'absent', after: 'active', class: 'live' }), '~ state: absent → active  [live]');
  t.is(changeLine({ property: 'definition', before: null, after: 'lab', class: 'config' }), '+ definition: lab  [config]');
  t.is(changeLine({ property: 'dns-host 10.0.0.1', before: { ip: '10.0.0.1' }, after: undefined, class: 'live' }), '- dns-host 10.0.0.1: {"ip":"10.0.0.1"}  [live]');
  t.is(changeLine({ property: 'note', before: 'a b', after: 'c', class: 'restart' }), '~ note: "a b" → c  [restart]', 'a value with spaces is quoted');
  t.is(changeLine({ property: 'mode', before: '0600', after: '0644' }), undefined);
  const long = changeLine({ property: 'x', before: null, after: `${'y'.repeat(100)} z`, class: 'live' })!;
  t.true(long.length < 90 && long.includes('…'), 'a long value is cut: the before/after block shows it whole');
});
