// Issue 10 item 8: a catastrophic user regex (`^(a+)+$` against a 35-byte line) must fail only
// that host's task, within a bounded time and with a clear message, while another host's task in
// the same run completes; the controller keeps reacting to SIGTERM. Real CLI, real sshd hosts.
import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderText } from '../../engine/template/index.ts';
import { compileExpr, evalExpr } from '../../engine/template/expr/index.ts';
import { editLines, warmLineEdit } from '../../engine/modules/support/line-edit.ts';
import { warmBounded } from '../../engine/py/bounded.ts';
import { cliWorkDir, createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
let work: string;
const bin = join(import.meta.dirname, '../../bin/tsplay.js');
const EVIL = `${'a'.repeat(34)}!\n`; // 35 bytes: (a+)+$ tries every split of the a's before failing

test.before(async () => {
  hs = await createTestHosts(2);
  work = cliWorkDir(hs, 'tsplay-regex-');
  const task = '    - lineinfile:\n        path: "{{ dest_root }}/conf"\n        regexp: \'^(a+)+$\'\n        line: replaced\n';
  writeFileSync(join(work, 'one.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n${task}`);
  writeFileSync(
    join(work, 'many.yml'),
    `- hosts: h1\n  gather_facts: false\n  tasks:\n${task.replace('    - lineinfile:', `    - loop: [${Array.from({ length: 30 }, (_, i) => i).join(', ')}]\n      lineinfile:`)}`,
  );
});
test.after.always(async () => {
  await hs?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

function cli(playbook: string, termAfterMs?: number): Promise<{ code: number | null; signal: string | null; out: string; ms: number; termToExitMs?: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [bin, playbook, '-i', 'inventory.ini'], { cwd: work, env: { ...process.env, HOME: join(work, 'home') } });
    let out = '';
    let termAt: number | undefined;
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    // the old code never ends on its own: give up on it by SIGKILL, so the test fails instead of hanging
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    if (termAfterMs !== undefined) {
      setTimeout(() => {
        termAt = Date.now();
        child.kill('SIGTERM');
      }, termAfterMs);
    }
    child.on('close', (code, signal) => {
      clearTimeout(kill);
      resolve({ code, signal, out, ms: Date.now() - t0, ...(termAt !== undefined ? { termToExitMs: Date.now() - termAt } : {}) });
    });
  });
}

test.serial('lineinfile ^(a+)+$ fails only the host whose line backtracks; the other host completes', async (t) => {
  const [h1, h2] = hs.hosts as [(typeof hs.hosts)[0], (typeof hs.hosts)[0]];
  writeFileSync(join(h1.root, 'conf'), EVIL);
  writeFileSync(join(h2.root, 'conf'), 'a\nb\n');
  const r = await cli('one.yml');
  t.is(r.signal, null, 'ended on its own');
  t.true(r.ms < 30_000, `bounded: ${r.ms} ms`);
  t.regex(r.out, /lineinfile regular expression \\"\^\(a\+\)\+\$\\" did not finish within 1000 ms/);
  t.regex(r.out, /h1\s+:\s+ok=0\s+changed=0\s+unreachable=0\s+failed=1/);
  t.regex(r.out, /h2\s+:\s+ok=1\s+changed=1\s+unreachable=0\s+failed=0/);
  t.is(readFileSync(join(h1.root, 'conf'), 'utf8'), EVIL, 'the failed host is untouched');
  t.is(readFileSync(join(h2.root, 'conf'), 'utf8'), 'replaced\nb\n');
});

test.serial('the controller still reacts to SIGTERM while a catastrophic regex is being tried', async (t) => {
  writeFileSync(join(hs.hosts[0]!.root, 'conf'), EVIL);
  const r = await cli('many.yml', 4000);
  t.not(r.signal, 'SIGKILL', 'not left to the kill timer');
  t.true((r.termToExitMs ?? Infinity) < 10_000, `exit ${r.termToExitMs} ms after SIGTERM`);
});

test('template filters, tests and a plain lineinfile regexp keep Python semantics through the worker', (t) => {
  const expr = (s: string, vars: Record<string, unknown> = {}): unknown => evalExpr(compileExpr(s, { file: 't', line: 1, col: 1 }), vars);
  t.is(expr("s | regex_replace('(?P<d>\\d+)', '<\\g<d>>')", { s: 'a1b22' }), 'a<1>b<22>');
  t.is(expr("s | regex_search('\\d+')", { s: 'x=42' }), '42');
  t.is(expr("s is match('a')", { s: 'ab' }), true);
  t.is(renderText('{{regex_replace s "^eth(\\d+)$" "team\\1"}}', { s: 'eth0' }), 'team0');
  const r = editLines('port 22\nfoo\n', { regexp: '^port (\\d+)$', line: 'port \\1\\1', backrefs: true });
  t.is(r.content, 'port 2222\nfoo\n');
  t.throws(() => expr("s is search('^(a+)+$')", { s: EVIL }), { message: /did not finish within 1000 ms/ });
  t.throws(() => renderText('{{regex_replace s "^(a+)+$" "x"}}', { s: EVIL }), { message: /did not finish within 1000 ms/ });
});

test.serial('warming the worker ahead (as a run does for lineinfile with a pattern) changes no answer, and a bad warm-up breaks no call', (t) => {
  warmBounded('file:///no/such/tsplay-module.ts');
  warmLineEdit({ path: '/x', regexp: '^a', line: 'a' });
  t.is(editLines('b\n', { regexp: '^a', line: 'a' }).content, 'b\na\n');
  t.is(editLines('ab\n', { regexp: '^a', line: 'A' }).content, 'A\n');
  t.throws(() => editLines(EVIL, { regexp: '^(a+)+$', line: 'x' }), { message: /did not finish within 1000 ms/ });
  // after the stopped call a new worker starts; warming it again is as harmless
  warmLineEdit({ path: '/x', insertafter: '^b' });
  t.is(editLines('b\nc\n', { insertafter: '^b', line: 'new' }).content, 'b\nnew\nc\n');
});
