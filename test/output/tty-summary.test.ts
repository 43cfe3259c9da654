// The terminal view's pieces on their own: host ranges, a finished task's lines, the grouped
// recap, the header, and the reporter's handling of tasks that report no result (meta).
import test from 'ava';
import { stripVTControlCharacters } from 'node:util';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { hostRanges, wrapList } from '../../engine/output/host-ranges.ts';
import { clock, progressHeader } from '../../engine/output/progress-header.ts';
import { formatRecapGrouped, formatRecapLine } from '../../engine/output/recap.ts';
import { type HostResult, taskSummary } from '../../engine/output/task-summary.ts';
import { TtyReporter } from '../../engine/output/tty-reporter.ts';
import { waitFor } from '../helpers/wait-for.ts';

const pos = { file: 'site.yml', line: 1, col: 1 };
const task = { name: 'Write config', module: 'copy', pos, id: 't1' };

function result(host: string, status: HostResult['status'], more: Partial<HostResult> = {}): HostResult {
  return { type: 'host-result', task, host, status, changes: [], durationMs: 1, ...more };
}

test('hosts are named as Ansible inventory ranges: three or more in a row, padded numbers only with their width', (t) => {
  t.deepEqual(hostRanges(['h5', 'h1', 'h3', 'h2', 'db', 'web01', 'web02', 'web03', 'web9', 'web10']), ['h[1:3]', 'h5', 'web[01:03]', 'web9', 'web10', 'db']);
  t.deepEqual(hostRanges(['h9', 'h10', 'h11']), ['h[9:11]']);
  t.deepEqual(hostRanges(['a09', 'a10', 'a11']), ['a[09:11]']);
  t.deepEqual(hostRanges([]), []);
});

test('a host list wraps at the width, continuation lines indented under the first item', (t) => {
  t.deepEqual(wrapList('  skipping: ', ['h1', 'h3', 'h5', 'h7', 'h9'], 22), ['  skipping: h1, h3,', '            h5, h7, h9'], 'a line may fill the width exactly');
  t.deepEqual(wrapList('  skipping: ', ['h1', 'h3', 'h5', 'h7', 'h9'], 21), ['  skipping: h1, h3,', '            h5, h7,', '            h9']);
  t.deepEqual(wrapList('  x: ', ['a-very-long-name'], 8), ['  x: a-very-long-name']);
});

test('a finished task is one line with its counts; only changed, failed and skipped hosts follow, alike ones grouped', (t) => {
  const rs = [
    result('h1', 'ok'),
    result('h2', 'changed', { pendingRestart: true }),
    result('h3', 'changed', { pendingRestart: true }),
    result('h4', 'changed', { pendingRestart: true }),
    result('h5', 'failed', { msg: 'No space left on device\nand more' }),
    result('h6', 'unreachable', { msg: 'Connection refused' }),
    result('h7', 'unreachable', { msg: 'Connection refused' }),
    result('h8', 'ignored', { msg: 'rc=1' }),
    result('h9', 'skipped'),
    result('h10', 'changed', { delegatedTo: 'db' }),
  ];
  t.deepEqual(taskSummary('TASK [Write config]', rs, { diff: false, width: 80 }), [
    '✖ TASK [Write config]  1 ok, 4 changed, 1 failed, 2 unreachable, 1 skipped, 1 ignored',
    '  changed: h[2:4] (pending restart)',
    '  changed: h10 -> db',
    '  ✖ failed: h5 — No space left on device',
    '  ✖ unreachable: h6, h7 — Connection refused',
    '  failed (ignored): h8 — rc=1',
    '  skipping: h9',
  ]);
  t.deepEqual(taskSummary('TASK [Read load average]', [result('h1', 'ok'), result('h2', 'ok')], { diff: true, width: 80 }), ['✔ TASK [Read load average]  2 ok']);
  t.deepEqual(taskSummary('TASK [x]', [result('h1', 'skipped')], { diff: false, width: 80 }), ['↓ TASK [x]  1 skipped', '  skipping: h1']);
});

test('under -D hosts with the same diff share it; a host with its own diff gets its own', (t) => {
  const diff = (body: string): HostResult['changes'] => [{ property: 'content', before: '', after: body, diff: { path: '/etc/motd', before: '', after: body } }];
  const rs = [result('h1', 'changed', { changes: diff('hi\n') }), result('h2', 'changed', { changes: diff('hi\n') }), result('h3', 'changed', { changes: diff('ho\n') })];
  const lines = taskSummary('TASK [motd]', rs, { diff: true, width: 80 });
  t.deepEqual(lines, [
    '✔ TASK [motd]  3 changed',
    '  changed: h1, h2',
    '    --- before',
    '    +++ after: /etc/motd',
    '    @@ -0,0 +1 @@',
    '    +hi',
    '',
    '  changed: h3',
    '    --- before',
    '    +++ after: /etc/motd',
    '    @@ -0,0 +1 @@',
    '    +ho',
    '',
  ]);
  t.deepEqual(taskSummary('TASK [motd]', rs, { diff: false, width: 80 }), ['✔ TASK [motd]  3 changed', '  changed: h[1:3]'], 'without -D they are one line');
});

test("with colour, Ansible's colours are added and the text is otherwise the same", (t) => {
  const diff: HostResult['changes'] = [{ property: 'content', before: 'a\n', after: 'b\n', diff: { path: '/etc/motd', before: 'a\n', after: 'b\n' } }];
  const rs = [result('h1', 'ok'), result('h2', 'changed', { changes: diff }), result('h3', 'failed', { msg: 'boom' })];
  const plainLines = taskSummary('TASK [x]', rs, { diff: true, width: 80 });
  const colouredLines = taskSummary('TASK [x]', rs, { diff: true, width: 80, colour: true });
  t.deepEqual(colouredLines.map(stripVTControlCharacters), plainLines);
  t.is(colouredLines[0], '\u001b[31m✖\u001b[39m TASK [x]  \u001b[32m1 ok\u001b[39m, \u001b[33m1 changed\u001b[39m, \u001b[31m1 failed\u001b[39m');
  t.true(colouredLines.includes('    \u001b[32m+b\u001b[39m'), 'an added diff line is green');
});

test("the terminal's recap groups hosts with the same counters and keeps the recap line's columns", (t) => {
  const same = { ok: 3, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
  const stats = { h1: same, h2: { ...same, changed: 1 }, h3: same, h4: same, h5: same };
  t.deepEqual(formatRecapGrouped(stats), [formatRecapLine('h1, h[3:5]', same), formatRecapLine('h2', { ...same, changed: 1 })]);
});

test('the header names the play, the task n/m, the hosts done and the time', (t) => {
  t.is(clock(65_000), '1:05');
  t.is(clock(3_725_000), '1:02:05');
  t.is(progressHeader({ play: 'site', task: 7, tasks: 31, hostsDone: 9, hosts: 10, elapsedMs: 42_000 }), 'PLAY [site] · task 7/31 · 9/10 hosts done · 0:42');
  t.is(progressHeader({ play: 'site', task: 33, tasks: 31, hostsDone: 0, hosts: 1, elapsedMs: 0 }), 'PLAY [site] · task 33/33 · 0/1 hosts done · 0:00', 'tasks added by an include raise the total');
});

test('a meta task announced once per host is one line, and the view moves on without its (absent) results', async (t) => {
  const lines: string[] = [];
  const r = new TtyReporter({ verbosity: 0, diff: false, renderer: 'silent', write: (l) => lines.push(l), columns: 80 });
  const meta = { name: '', module: 'meta', pos, id: 'm1' };
  const next = { name: 'next', module: 'command', pos, id: 't2' };
  const events: ExecEvent[] = [
    { type: 'play-start', name: 'p', hosts: ['h1', 'h2'], tasks: 2 },
    { type: 'task-start', task: meta, hosts: ['h1'] },
    { type: 'task-start', task: meta, hosts: ['h2'] },
    { type: 'task-start', task: next, hosts: ['h1', 'h2'] },
    { ...result('h1', 'ok'), task: next },
    { ...result('h2', 'ok'), task: next },
  ];
  for (const e of events) r.onEvent(e);
  // before the run ends (no recap, no close): a meta task's hosts never report, yet the view goes on
  await waitFor(() => lines.includes('✔ TASK [next]  2 ok'), 'the task after the meta task to be drawn', 10_000);
  t.deepEqual(
    lines.filter((l) => l.includes('TASK [')),
    ['✔ TASK [meta]', '✔ TASK [next]  2 ok'],
  );
  await r.close();
});
