// The real CLI on the multirole fixture against what ansible-playbook 2.14 printed for the same
// files (test/fixtures/multirole/ansible-*.txt), plus --syntax-check on good and bad input.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../fixtures/multirole/', import.meta.url));
const bin = fileURLToPath(new URL('../../bin/tsplay.js', import.meta.url));

function tsplay(args: string[], cwd = fixture): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** hostSets sorts the host lines under each `hosts (N):` (Ansible prints a Python set there). */
function hostSets(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]!);
    if (/^ {4}hosts \(\d+\):$/.test(lines[i]!)) {
      const hosts: string[] = [];
      while (i + 1 < lines.length && /^ {6}\S/.test(lines[i + 1]!) && !/\tTAGS:/.test(lines[i + 1]!)) hosts.push(lines[++i]!);
      out.push(...hosts.sort());
    }
  }
  return out.join('\n');
}

const cases: [string, string[]][] = [
  ['ansible-list-tasks.txt', ['--list-tasks']],
  ['ansible-list-hosts.txt', ['--list-hosts']],
  ['ansible-list-tags.txt', ['--list-tags']],
  ['ansible-list-tasks-tags-web-db-skip-config.txt', ['--list-tasks', '--tags', 'web,db', '--skip-tags', 'config']],
  ['ansible-list-tasks-tags-never-untagged.txt', ['--list-tasks', '--tags', 'never,untagged']],
  ['ansible-list-tasks-hosts-limit-web1.txt', ['--list-tasks', '--list-hosts', '--limit', 'web1']],
  ['ansible-syntax-check.txt', ['--syntax-check']],
];

for (const [file, flags] of cases) {
  test(`${flags.join(' ')} prints what ansible-playbook printed`, (t) => {
    const r = tsplay(['-i', 'inventory.ini', 'site.yml', ...flags]);
    t.is(r.code, 0, r.stderr);
    t.is(hostSets(r.stdout), hostSets(readFileSync(`${fixture}${file}`, 'utf8')));
  });
}

test('--syntax-check on a broken playbook exits 4 with file:line:col, source line, caret and hint', (t) => {
  const dir = fileURLToPath(new URL('./bad/many-errors/', import.meta.url));
  const r = tsplay(['site.yml', '--syntax-check'], dir);
  t.is(r.code, 4);
  t.is(r.stdout, '');
  t.regex(r.stderr, /site\.yml:7:7: error\[E_UNKNOWN_KEYWORD\]: "notfy" is not a valid keyword for a task \(task "first"\)\n\s*\|\n7 \| {7}notfy: x\n\s*\| {7}\^\n {2}= hint: did you mean `notify`\?/);
  t.regex(r.stderr, /site\.yml:9:7: error\[E_UNKNOWN_MODULE\]/);
  t.regex(r.stderr, /4 error\(s\), nothing was run/);
});

test('--start-at-task naming no task is E_START_AT_TASK', (t) => {
  const r = tsplay(['-i', 'inventory.ini', 'site.yml', '--start-at-task', 'No such task', '--list-tasks']);
  t.is(r.code, 4);
  t.regex(r.stderr, /error\[E_START_AT_TASK\]/);
});

test('--start-at-task accepts a role task as "role : name"', (t) => {
  const r = tsplay(['-i', 'inventory.ini', 'site.yml', '--start-at-task', 'web : Configure port', '--syntax-check']);
  t.is(r.code, 0, r.stderr);
});

test('--start-at-task takes an fnmatch pattern, as ansible-playbook does', (t) => {
  t.is(tsplay(['-i', 'inventory.ini', 'site.yml', '--start-at-task', 'web : Conf*', '--syntax-check']).code, 0);
  t.is(tsplay(['-i', 'inventory.ini', 'site.yml', '--start-at-task', 'Check [uk]*', '--syntax-check']).code, 0);
  t.is(tsplay(['-i', 'inventory.ini', 'site.yml', '--start-at-task', 'Check [!uk]*', '--syntax-check']).code, 4);
});
