// JSON, JUnit and tty reporters, fed with a recorded event sequence (plain/run2.events.json,
// the replay of a real ansible-playbook run).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { createReporter } from '../../engine/output/index.ts';
import { TtyReporter } from '../../engine/output/tty-reporter.ts';
import { formatRecapLine } from '../../engine/output/recap.ts';
import { jsonStringify } from '../../engine/py/json.ts';

const events = JSON.parse(readFileSync(join(import.meta.dirname, 'plain', 'run2.events.json'), 'utf8')) as ExecEvent[];

test('--output json writes one parseable event per line, in order', async (t) => {
  const lines: string[] = [];
  const r = createReporter('json', { verbosity: 0, diff: false, write: (l) => lines.push(l) });
  for (const e of events) r.onEvent(e);
  await r.close();
  t.is(lines.length, events.length);
  const parsed = lines.map((l) => JSON.parse(l) as ExecEvent & { ts: string });
  t.deepEqual(
    parsed.map(({ ts: _ts, ...e }) => e),
    events,
  );
  // every event is stamped (ISO 8601 UTC), in non-decreasing order; results also carry their duration
  const stamps = parsed.map((e) => Date.parse(e.ts));
  t.true(parsed.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.ts)));
  t.true(stamps.every((s, i) => i === 0 || s >= (stamps[i - 1] as number)));
  t.true(parsed.filter((e) => e.type === 'host-result').every((e) => e.type === 'host-result' && typeof e.durationMs === 'number'));
});

test('--profile prints, after the recap, the slowest tasks, the per-host time and the total (profile_tasks + timer shapes)', async (t) => {
  const lines: string[] = [];
  const r = createReporter('plain', { verbosity: 0, diff: false, profile: true, write: (l) => lines.push(l) });
  for (const e of events) r.onEvent(e);
  await r.close();
  const text = lines.join('\n');
  const recapAt = lines.findIndex((l) => l.startsWith('PLAY RECAP'));
  const ruleAt = lines.indexOf(`${'='.repeat(79)} `);
  t.true(recapAt >= 0 && ruleAt > recapAt, text);
  t.regex(lines[ruleAt - 1] ?? '', /^\w+day \d\d \w+ \d{4} {2}\d\d:\d\d:\d\d [+-]\d{4} \(\d:\d\d:\d\d\.\d{3}\) {7}\d:\d\d:\d\d\.\d{3} \*+ $/);
  // one row per distinct task, 79 columns, `name ---- 0.00s`, slowest first
  const rows = lines.slice(ruleAt + 1, lines.indexOf('', ruleAt));
  const tasks = new Set(events.flatMap((e) => (e.type === 'task-start' ? [e.task.name || e.task.module] : [])));
  t.is(rows.length, Math.min(20, tasks.size));
  for (const row of rows) {
    t.regex(row, /^.+ -+ \d+\.\d\ds$/);
    t.is(row.length, 79);
  }
  const secs = rows.map((row) => Number(/ (\d+\.\d\d)s$/.exec(row)?.[1]));
  t.deepEqual(
    secs,
    [...secs].sort((a, b) => b - a),
  );
  // per host: the sum of its results' durations
  const h1 = events.reduce((a, e) => a + (e.type === 'host-result' && e.host === 'h1' ? e.durationMs : 0), 0);
  t.true(lines.includes(`h1 ${'-'.repeat(79 - 9 - 3)}${` ${(h1 / 1000).toFixed(2)}s`.padStart(9, '-')}`), text);
  t.regex(lines.at(-1) ?? '', /^Playbook run took 0 days, 0 hours, 0 minutes, \d+ seconds$/);
});

test('without --profile nothing follows the recap', async (t) => {
  const lines: string[] = [];
  const r = createReporter('plain', { verbosity: 0, diff: false, write: (l) => lines.push(l) });
  for (const e of events) r.onEvent(e);
  await r.close();
  t.false(lines.some((l) => l.startsWith('Playbook run took')));
});

test('--junit writes well-formed JUnit XML with one testcase per task and host', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-junit-'));
  try {
    const file = join(dir, 'report.xml');
    const r = createReporter('plain', { verbosity: 0, diff: false, junit: file, write: () => undefined });
    for (const e of events) r.onEvent(e);
    await r.close();
    execFileSync('xmllint', ['--noout', file]);
    // biome-ignore lint/suspicious/noExplicitAny: a parsed JUnit document, walked by the assertions below
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8')) as any;
    const suite = xml.testsuites.testsuite;
    const results = events.filter((e) => e.type === 'host-result');
    t.is(Number(suite.tests), results.length);
    t.is(Number(suite.skipped), results.filter((e) => e.type === 'host-result' && e.status === 'skipped').length);
    t.is(suite.name, 'second play');
    const names = (suite.testcase as { name: string }[]).map((c) => c.name);
    t.true(names.includes('[h1] loop with skip'));
    // per-test times: each testcase's time is its result's duration, in seconds
    const first = results[0];
    const tc = (suite.testcase as { name: string; time: string }[]).find((c) => first?.type === 'host-result' && c.name === `[${first.host}] ${first.task.name}`);
    t.is(tc?.time, first?.type === 'host-result' ? (first.durationMs / 1000).toFixed(3) : 'none');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the recap line matches ansible-playbook 2.14 byte for byte, wide numbers included', (t) => {
  // widths from Ansible's default callback: host %-26s, each counter %-4s
  t.is(
    formatRecapLine('h1', { ok: 8, changed: 6, unreachable: 0, failed: 0, skipped: 1, rescued: 0, ignored: 3 }),
    'h1                         : ok=8    changed=6    unreachable=0    failed=0    skipped=1    rescued=0    ignored=3   ',
  );
  t.is(
    formatRecapLine('a-very-long-host-name-over-26', { ok: 12345, changed: 10, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 }),
    'a-very-long-host-name-over-26 : ok=12345 changed=10   unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   ',
  );
});

test('the tty reporter draws every task and settles hosts that never reported when the run ends', async (t) => {
  const lines: string[] = [];
  const r = new TtyReporter({ verbosity: 0, diff: false, renderer: 'silent', write: (l) => lines.push(l) });
  for (const e of events) r.onEvent(e);
  const task = { name: 'interrupted task', module: 'command', pos: { file: 'x.yml', line: 1, col: 1 } };
  r.onEvent({ type: 'task-start', task, hosts: ['h1'] });
  r.onEvent({ type: 'interrupted' });
  r.onEvent({ type: 'recap', stats: {}, durationMs: 1 });
  // the deadline only turns a hang into a failure; close() normally takes milliseconds
  const done = await Promise.race([r.close().then(() => true), new Promise((res) => setTimeout(() => res(false), 30_000))]);
  t.true(done, 'close() returns although a host never reported');
  t.true(lines.some((l) => l.includes('PLAY [second play]')));
  t.true(lines.some((l) => l.includes('PLAY RECAP')));
});

test('jsonStringify: JSON.stringify where no bigint is held, exact digits for Python ints beyond 2^53', (t) => {
  for (const e of events) t.is(jsonStringify(e), JSON.stringify(e));
  t.is(jsonStringify({ a: [1, 'x', null], b: { c: true } }, 2), JSON.stringify({ a: [1, 'x', null], b: { c: true } }, null, 2));
  t.is(jsonStringify({ big: 2n ** 64n, list: [1, -(2n ** 70n)], n: 1.5 }), '{"big":18446744073709551616,"list":[1,-1180591620717411303424],"n":1.5}');
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  t.throws(() => jsonStringify(loop), { instanceOf: TypeError, message: /circular/i });
});
