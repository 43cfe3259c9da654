// Integration tests on REAL hosts: one OpenSSH sshd per host (test/helpers/ssh-hosts.ts), reached
// over ssh with host keys checked. Each host's files live under its own `root` directory.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { recapLines } from './helpers/normalize.ts';
import { runPlaybook } from './helpers/run-playbook.ts';

let hosts: TestHosts;
let work: string;

// the playbook and what ansible-playbook 2.14 reported for it (converge/capture.sh, local hosts)
const CONVERGE = join(import.meta.dirname, 'converge');
const PLAYBOOK = readFileSync(join(CONVERGE, 'site.yml'), 'utf8');
const MOTD = readFileSync(join(CONVERGE, 'templates', 'motd.hbs'), 'utf8');
const ansibleRecap = (step: string): string[] => recapLines(readFileSync(join(CONVERGE, 'expected', `${step}.txt`), 'utf8'));

function inventory(): string {
  return `[test]\n${hosts.hosts
    .map(
      (h) =>
        `${h.name} ${Object.entries(h.vars)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')} root=${h.root}`,
    )
    .join('\n')}\n`;
}

function files(): Record<string, string> {
  return { 'site.yml': PLAYBOOK, 'inventory.ini': inventory(), 'templates/motd.hbs': MOTD };
}

/** snapshot maps every file under the hosts' roots to its mode, size and content. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const s = statSync(p);
      const key = relative(hosts.dir, p);
      if (s.isDirectory()) {
        out[key] = `dir ${(s.mode & 0o7777).toString(8)}`;
        walk(p);
      } else out[key] = `file ${(s.mode & 0o7777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  for (const h of hosts.hosts) walk(h.root);
  return out;
}

let lastConnections = -1;
const run = (over: Parameters<typeof runPlaybook>[1] = {}, onEvent?: (e: ExecEvent) => void, pb?: string) =>
  runPlaybook(pb ? { ...files(), 'site.yml': pb } : files(), over, {
    dir: work,
    connect: { knownHostsFile: hosts.knownHostsFile },
    onDone: (i) => (lastConnections = i.connections),
    ...(onEvent ? { onEvent } : {}),
  });

test.before(async () => {
  hosts = await createTestHosts(3);
  work = mkdtempSync(join(tmpdir(), 'tsplay-real-'));
});

test.after.always(async () => {
  await hosts?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

test.serial('check on unconverged hosts writes nothing; first run changes; second run and check change nothing', async (t) => {
  const before = snapshot();
  const check = await run({ check: true, diff: true });
  t.is(check.code, 0, check.text);
  t.deepEqual(snapshot(), before, '--check wrote nothing');
  for (const h of ['h1', 'h2', 'h3']) t.true((check.stats[h]?.changed ?? 0) > 0, `check plans changes on ${h}`);
  t.regex(check.text, /\+\+\+ after: .*app\.conf/, '--diff shows the content diff');
  t.deepEqual(recapLines(check.text), ansibleRecap('check-unconverged'), 'same recap as ansible-playbook --check');

  const first = await run();
  t.is(first.code, 0, first.text);
  t.deepEqual(recapLines(first.text), ansibleRecap('first'), 'same recap as ansible-playbook');
  for (const h of hosts.hosts) {
    t.true((first.stats[h.name]?.changed ?? 0) >= 7, `first run changes ${h.name}`);
    t.is(readFileSync(join(h.root, 'etc/app/app.conf'), 'utf8'), `name=${h.name}\nport=8080\n`);
    t.is(readFileSync(join(h.root, 'etc/app/tuning.conf'), 'utf8'), 'timeout=30\n');
    t.regex(readFileSync(join(h.root, 'etc/motd'), 'utf8'), new RegExp(`^Welcome to ${h.name} \\(Debian \\d+\\)`));
    t.is(readFileSync(join(h.root, 'reloaded'), 'utf8'), `name=${h.name}\nport=8080\n`, 'handler ran once, after the tasks');
    t.true(existsSync(join(h.root, 'var/c')));
  }
  t.is(first.events.filter((e) => e.type === 'host-result' && e.task.handler).length, 3, 'the handler ran once per host though notified twice');

  t.is(lastConnections, 3, "one connection per host for both plays, the delegation reusing h1's");
  t.true(first.events.some((e) => e.type === 'host-result' && e.task.name === "read through another host's connection" && e.host === 'h3' && e.delegatedTo === 'h1'));

  const converged = snapshot();
  const second = await run();
  t.is(second.code, 0, second.text);
  t.deepEqual(recapLines(second.text), ansibleRecap('second'));
  for (const h of ['h1', 'h2', 'h3']) t.is(second.stats[h]?.changed, 0, `second run changes nothing on ${h}`);
  t.deepEqual(snapshot(), converged);

  const check2 = await run({ check: true, diff: true });
  t.is(check2.code, 0);
  t.deepEqual(recapLines(check2.text), ansibleRecap('check-converged'));
  for (const h of ['h1', 'h2', 'h3']) t.is(check2.stats[h]?.changed, 0, `--check on converged ${h} plans nothing`);
  t.false(
    check2.events.some((e) => e.type === 'host-result' && e.changes.length > 0),
    'no planned change anywhere',
  );
  t.deepEqual(snapshot(), converged);
});

/** cli runs bin/tsplay.js with HOME pointing at a known_hosts for the test hosts. */
function cli(args: string[], onLine?: (l: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const home = join(work, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(hosts.knownHostsFile));
  const bin = join(import.meta.dirname, '../../bin/tsplay.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, HOME: home } });
    const lines: string[] = [];
    let carry = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      carry += b.toString();
      const parts = carry.split('\n');
      carry = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        onLine?.(l, child);
      }
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, lines, stderr }));
  });
}

test.serial('the CLI with --output json reports a converged run as NDJSON events', async (t) => {
  for (const [p, text] of Object.entries(files())) {
    mkdirSync(join(work, p, '..'), { recursive: true });
    writeFileSync(join(work, p), text);
  }
  const r = await cli(['site.yml', '-i', 'inventory.ini', '--output', 'json']);
  // on a failure, the events that say which host and task failed, and why (stderr is empty here)
  t.is(r.code, 0, `${r.stderr}${r.lines.filter((l) => /"status":"(failed|unreachable)"/.test(l)).join('\n')}`);
  const events = r.lines.map((l) => JSON.parse(l) as ExecEvent);
  const recap = events.find((e) => e.type === 'recap');
  t.truthy(recap);
  if (recap?.type === 'recap') for (const h of ['h1', 'h2', 'h3']) t.is(recap.stats[h]?.changed, 0);
  t.true(events.some((e) => e.type === 'host-result' && e.task.name === 'stat it' && e.status === 'ok'));
});

test.serial('Ctrl-C (SIGINT) stops starting tasks, lets the running one finish, prints the recap, exits 99', async (t) => {
  writeFileSync(
    join(work, 'slow.yml'),
    `
- hosts: test
  gather_facts: false
  tasks:
    - name: slow
      command: sleep 1
    - name: never started
      copy:
        dest: "{{ root }}/never"
        content: "x\\n"
`,
  );
  let sent = false;
  const r = await cli(['slow.yml', '-i', 'inventory.ini', '--output', 'json'], (l, child) => {
    if (!sent && l.includes('"task-start"')) {
      sent = true;
      setTimeout(() => child.kill('SIGINT'), 200);
    }
  });
  t.is(r.code, 99, r.stderr);
  const events = r.lines.map((l) => JSON.parse(l) as ExecEvent);
  t.true(events.some((e) => e.type === 'interrupted'));
  t.true(events.some((e) => e.type === 'recap'));
  t.is(events.filter((e) => e.type === 'host-result' && e.task.name === 'slow').length, 3, 'the running task finished on every host');
  t.false(events.some((e) => e.type === 'task-start' && e.task.name === 'never started'));
  for (const h of hosts.hosts) t.false(existsSync(join(h.root, 'never')));
});

test.serial('a host whose sshd dies mid-run is unreachable (ignore_unreachable keeps it for a task); the others finish (exit 4)', async (t) => {
  const pb = `
- hosts: test
  gather_facts: false
  tasks:
    - name: marker
      command: echo start
    - name: slow step
      command: sleep 0.3
      ignore_unreachable: true
    - name: after the kill
      command: echo {{ inventory_hostname }}
      register: out
      ignore_unreachable: true
    - name: last
      copy:
        dest: "{{ root }}/last"
        content: "done\\n"
`;
  let killed = false;
  const r = await run(
    {},
    (e) => {
      if (!killed && e.type === 'host-result' && e.task.name === 'marker' && e.host === 'h2') {
        killed = true;
        hosts.kill('h2');
      }
    },
    pb,
  );
  t.true(killed);
  t.is(r.code, 4, r.text);
  // ignore_unreachable: two tasks count as skipped and the host stays; the last one drops it
  t.deepEqual(r.stats['h2'], { ok: 1, changed: 1, unreachable: 1, failed: 0, skipped: 2, rescued: 0, ignored: 0 });
  t.is(r.text.match(/fatal: \[h2\]: UNREACHABLE!/g)?.length, 3, r.text);
  for (const h of ['h1', 'h3']) {
    t.is(r.stats[h]?.failed, 0);
    t.is(r.stats[h]?.unreachable, 0);
    t.is(readFileSync(join(hosts.byName.get(h)!.root, 'last'), 'utf8'), 'done\n');
  }
  t.false(existsSync(join(hosts.byName.get('h2')!.root, 'last')));
});

test.serial('shell metacharacters in variables, file names and contents run nothing', async (t) => {
  const h1 = hosts.byName.get('h1')!;
  const canary = join(work, 'pwned');
  const evil = `x$(touch ${canary})\`touch ${canary}\`;touch ${canary} '"\n`;
  // no slash in a file name: its injected command can only name a file relative to the session's cwd
  const evilName = `d;touch PWNED $(touch PWNED)\`touch PWNED\` '"`;
  const pb = `
- hosts: h1
  gather_facts: false
  vars:
    evil: ${JSON.stringify(evil)}
    evil_name: ${JSON.stringify(evilName)}
  tasks:
    - name: evil argument
      command:
        argv: [echo, "{{ evil }}"]
      register: echoed
    - name: the argument arrived as one word
      assert:
        that:
          - echoed.stdout == (evil | trim)
    - name: evil content
      copy:
        dest: "{{ root }}/evil.txt"
        content: "{{ evil }}"
    - name: evil file name
      file:
        path: "{{ root }}/{{ evil_name }}"
        state: directory
    - name: evil line
      lineinfile:
        path: "{{ root }}/evil-lines.txt"
        line: "{{ evil }}"
        create: true
`;
  const r = await run({}, undefined, pb);
  t.is(r.code, 0, r.text);
  t.false(existsSync(canary), 'no injected command ran');
  for (const d of [h1.home, h1.root, work]) t.false(existsSync(join(d, 'PWNED')), `nothing ran in ${d}`);
  t.true(statSync(join(h1.root, evilName)).isDirectory(), 'the directory got the literal name');
  t.is(readFileSync(join(h1.root, 'evil.txt'), 'utf8'), evil);
  t.true(readFileSync(join(h1.root, 'evil-lines.txt'), 'utf8').includes(evil.split('\n')[0]!));
});

test.serial('a changed host key is refused: that host is unreachable, the others run (exit 4)', async (t) => {
  await hosts.swapHostKey('h3');
  const pb = `
- hosts: test
  gather_facts: false
  tasks:
    - command: echo hi
`;
  const r = await run({ limit: 'h1,h3' }, undefined, pb);
  t.is(r.code, 4, r.text);
  t.is(r.stats['h3']?.unreachable, 1);
  t.regex(r.text, /fatal: \[h3\]: UNREACHABLE! => .*host key/i);
  t.is(r.stats['h1']?.changed, 1);
});
