// Executor behaviour that the Ansible comparison (semantics.test.ts) cannot show: concurrency
// bounded by --forks, one connection per host for the whole run, no_log secrets kept out of
// every event, and serial batch sizes (data: serial/cases.json).
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/index.ts';
import type { Connection } from '../../engine/connection/types.ts';
import { serialBatches } from '../../engine/executor/serial-batches.ts';
import { runPlaybook } from './helpers/run-playbook.ts';

const inv = (n: number): string => `${Array.from({ length: n }, (_, i) => `h${i + 1} ansible_connection=local`).join('\n')}\n`;

/** counting wraps a real LocalConnection to record how many commands run at once and how many connections open. */
function counting(): { open: (host: string) => Promise<Connection>; maxInFlight: () => number; opened: string[] } {
  let inFlight = 0;
  let max = 0;
  const opened: string[] = [];
  const wrap = <T>(p: () => Promise<T>): Promise<T> => {
    inFlight++;
    max = Math.max(max, inFlight);
    return p().finally(() => inFlight--);
  };
  return {
    opened,
    maxInFlight: () => max,
    open: async (host: string): Promise<Connection> => {
      opened.push(host);
      const c = new LocalConnection(host);
      return {
        host,
        run: (argv, o) => wrap(() => c.run(argv, o)),
        shell: (s, o) => wrap(() => c.shell(s, o)),
        batch: (cmds, o) => wrap(() => c.batch(cmds, o)),
        put: (p, content, o) => wrap(() => c.put(p, content, o)),
        get: (p, o) => wrap(() => c.get(p, o)),
        close: () => c.close(),
      };
    },
  };
}

const SLOW = `
- hosts: all
  gather_facts: false
  tasks:
    - command: sleep 0.1
- hosts: all
  gather_facts: false
  tasks:
    - command: echo second play
`;

test('--forks bounds how many hosts work at once; one connection per host across plays', async (t) => {
  const c = counting();
  const r = await runPlaybook({ 'site.yml': SLOW, 'inventory.ini': inv(6) }, { forks: 2 }, { open: c.open });
  t.is(r.code, 0, r.text);
  t.is(c.maxInFlight(), 2);
  t.deepEqual([...c.opened].sort(), ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'], 'opened once each, reused by the second play');
  const c2 = counting();
  await runPlaybook({ 'site.yml': SLOW, 'inventory.ini': inv(6) }, { forks: 50 }, { open: c2.open });
  t.is(c2.maxInFlight(), 6, 'with enough forks every host runs at once');
});

test('no_log keeps secrets out of every event, on success, failure and loops', async (t) => {
  const pb = `
- hosts: all
  gather_facts: false
  vars:
    secret: "s3cr3t-value"
  tasks:
    - name: ok with secret
      command: echo {{ secret }}
      no_log: true
    - name: failing with secret
      command: sh -c "echo {{ secret }}; exit 3"
      no_log: true
      ignore_errors: true
    - name: loop with secret items
      debug:
        msg: "{{ item }}"
      loop: ["{{ secret }}", other]
      no_log: true
    - name: secret in a file diff
      copy:
        dest: "@DIR@/secret.txt"
        content: "{{ secret }}"
      no_log: true
`;
  const r = await runPlaybook({ 'site.yml': pb, 'inventory.ini': inv(1) }, { diff: true, verbosity: 3 });
  t.is(r.stats['h1']?.ignored, 1);
  t.is(r.stats['h1']?.changed, 3);
  t.false(JSON.stringify(r.events).includes('s3cr3t'), 'no event holds the secret');
  t.false(r.text.includes('s3cr3t'), 'the plain output does not either');
  t.regex(r.text, /the output has been hidden due to the fact that 'no_log: true' was specified for this result/);
  t.is(readFileSync(join(r.dir, 'secret.txt'), 'utf8'), 's3cr3t-value', 'the task itself still ran with the real value');
});

test('serial batch sizes follow Ansible (count, percent, list with the last repeating)', (t) => {
  const cases = JSON.parse(readFileSync(join(import.meta.dirname, 'serial', 'cases.json'), 'utf8')) as { hosts: number; serial: (number | string)[] | null; batches: number[] }[];
  for (const c of cases) {
    const hosts = Array.from({ length: c.hosts }, (_, i) => `h${i}`);
    const got = serialBatches(hosts, c.serial ?? undefined);
    t.deepEqual(
      got.map((b) => b.length),
      c.batches,
      JSON.stringify(c),
    );
    t.deepEqual(got.flat(), hosts);
  }
});

test("an undefined variable fails that host with the value's file:line:col, and nothing else runs there", async (t) => {
  const pb = `- hosts: all
  gather_facts: false
  tasks:
    - name: uses nothing
      debug:
        msg: "{{ nothere }}"
    - name: not reached
      command: echo x
`;
  const r = await runPlaybook({ 'site.yml': pb, 'inventory.ini': inv(1) });
  t.is(r.code, 2);
  const fail = r.events.find((e) => e.type === 'host-result' && e.status === 'failed');
  t.regex(fail?.type === 'host-result' ? (fail.msg ?? '') : '', /site\.yml:6:15: undefined variable 'nothere'/);
  t.false(r.events.some((e) => e.type === 'task-start' && e.task.name === 'not reached'));
});

test('a per-host include_tasks file that does not load fails that host with its file:line:col; the others go on', async (t) => {
  const pb = `- hosts: all
  gather_facts: false
  tasks:
    - include_tasks: "inc-{{ inventory_hostname }}.yml"
    - name: after
      command: echo after
`;
  const good = '- name: fine\n  command: echo fine\n';
  const bad = '- name: broken\n  command: echo x\n  notfy: x\n';
  const r = await runPlaybook({ 'site.yml': pb, 'inventory.ini': inv(2), 'inc-h1.yml': good, 'inc-h2.yml': bad });
  t.is(r.code, 2);
  const fail = r.events.find((e) => e.type === 'host-result' && e.status === 'failed');
  t.is(fail?.type === 'host-result' ? fail.host : '', 'h2');
  t.regex(fail?.type === 'host-result' ? (fail.msg ?? '') : '', /inc-h2\.yml:3:3: error\[E_UNKNOWN_KEYWORD\]: "notfy"/);
  t.deepEqual(r.stats['h1'], { ...r.stats['h1']!, ok: 3, changed: 2, failed: 0 });
  t.is(r.stats['h2']?.failed, 1);
});

test('--diff shows content diffs, except for a task that says diff: false; --check writes nothing', async (t) => {
  const pb = `- hosts: all
  gather_facts: false
  tasks:
    - name: shown
      copy:
        dest: "@DIR@/a.txt"
        content: "alpha\\n"
    - name: hidden
      copy:
        dest: "@DIR@/b.txt"
        content: "beta\\n"
      diff: false
`;
  const check = await runPlaybook({ 'site.yml': pb, 'inventory.ini': inv(1) }, { diff: true, check: true });
  t.is(check.stats['h1']?.changed, 2);
  t.regex(check.text, /\+\+\+ after: .*a\.txt\n@@ -0,0 \+1 @@\n\+alpha/);
  t.false(check.text.includes('beta'));
  t.throws(() => readFileSync(join(check.dir, 'a.txt')), undefined, '--check wrote nothing');
});
