// Ctrl-C and SIGTERM through the real CLI while only controller-side tasks run (debug, set_fact,
// include expansion): the walker must notice the signal before the next task starts on any host,
// however long the stretch of tasks that never touch the network. Real sshd hosts stand behind
// the one task that would change them, so "it never ran" is read off their filesystems.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hosts: TestHosts;
let work: string;

// how long a run may take to end after the signal: generous for 2 busy shared cores, yet far
// below the seconds the rest of these playbooks would need
const BOUND_MS = 25_000;
// a child still running this long after the signal ignored it; it is then killed (by PID)
const GIVE_UP_MS = 60_000;
const MANY = 5_000;

test.before(async () => {
  hosts = await createTestHosts(2);
  work = mkdtempSync(join(tmpdir(), 'tsplay-intr-'));
  writeFileSync(
    join(work, 'inventory.ini'),
    `[test]\n${hosts.hosts
      .map(
        (h) =>
          `${h.name} ${Object.entries(h.vars)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')} root=${h.root}`,
      )
      .join('\n')}\n`,
  );
  const home = join(work, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'known_hosts'), readFileSync(hosts.knownHostsFile));
});

test.after.always(async () => {
  await hosts?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

const MARKER_TASK = `
    - name: change the hosts
      copy:
        dest: "{{ root }}/marker"
        content: "ran\\n"
`;

/** controllerTasks is a task list of n debug/set_fact tasks, none of which reaches a host. */
function controllerTasks(n: number, indent: string): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(i % 2 === 0 ? `${indent}- name: say ${i}\n${indent}  debug: msg="step ${i}"` : `${indent}- name: note ${i}\n${indent}  set_fact: { step: ${i} }`);
  }
  return out.join('\n');
}

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: ExecEvent[];
  stderr: string;
  /** ms from the (last) signal sent to the child's exit */
  afterSignalMs: number;
  killed: boolean;
}

/**
 * interrupt runs the CLI on `playbook`, sends `signals` one after the other — the first on the
 * first event `first` accepts (by default the first task's result), each next one once the CLI said on stderr that it saw the
 * previous — and measures how long the run takes to end after the last.
 */
function interrupt(playbook: string, signals: NodeJS.Signals[], first: (e: ExecEvent) => boolean = (e) => e.type === 'host-result'): Promise<Interrupted> {
  const bin = join(import.meta.dirname, '../../bin/tsplay.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, playbook, '-i', 'inventory.ini', '--output', 'json'], { cwd: work, env: { ...process.env, HOME: join(work, 'home') } });
    const events: ExecEvent[] = [];
    let carry = '';
    let stderr = '';
    let next = 0;
    let sentAt = 0;
    let killed = false;
    const send = (): void => {
      const sig = signals[next++];
      if (!sig) return;
      sentAt = performance.now();
      child.kill(sig);
    };
    const giveUp = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, GIVE_UP_MS);
    child.stdout.on('data', (b: Buffer) => {
      carry += b.toString();
      const parts = carry.split('\n');
      carry = parts.pop() ?? '';
      for (const l of parts) {
        const e = JSON.parse(l) as ExecEvent;
        events.push(e);
        if (next === 0 && first(e)) send();
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      // the CLI acknowledges a signal on stderr: the cue for the next one
      if (next > 0 && next < signals.length && (stderr.match(/interrupt/gi)?.length ?? 0) >= next) send();
    });
    child.on('close', (code, signal) => {
      clearTimeout(giveUp);
      resolve({ code, signal, events, stderr, afterSignalMs: Math.round(performance.now() - sentAt), killed });
    });
  });
}

function markers(): string[] {
  return hosts.hosts.filter((h) => existsSync(join(h.root, 'marker'))).map((h) => h.name);
}

function clearMarkers(): void {
  for (const h of hosts.hosts) rmSync(join(h.root, 'marker'), { force: true });
}

const LONG_RUN = `
- hosts: test
  gather_facts: false
  tasks:
${controllerTasks(MANY, '    ')}
${MARKER_TASK}`;

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test.serial(`${sig} during ${MANY} debug/set_fact tasks stops the run before the next task: exit 99, no host changed`, async (t) => {
    writeFileSync(join(work, 'long.yml'), LONG_RUN);
    clearMarkers();
    const r = await interrupt('long.yml', [sig]);
    t.log(`${sig}: exit ${r.code} ${r.afterSignalMs} ms after the signal, ${r.events.filter((e) => e.type === 'host-result').length} results`);
    t.false(r.killed, 'the run ended by itself');
    t.is(r.code, 99, r.stderr);
    t.deepEqual(markers(), [], 'the task after the signal changed no host');
    t.false(r.events.some((e) => e.type === 'task-start' && e.task.name === 'change the hosts'));
    t.true(r.afterSignalMs < BOUND_MS, `ended ${r.afterSignalMs} ms after the signal`);
    t.true(r.events.some((e) => e.type === 'interrupted'));
    t.true(
      r.events.some((e) => e.type === 'recap'),
      'the recap is still reported',
    );
  });
}

test.serial(`SIGINT during a long include_tasks expansion (${MANY} items) stops it: exit 99, no host changed`, async (t) => {
  writeFileSync(join(work, 'step.yml'), `${controllerTasks(2, '')}\n`);
  writeFileSync(
    join(work, 'incl.yml'),
    `
- hosts: test
  gather_facts: false
  tasks:
    - name: expand
      include_tasks: step.yml
      loop: [${Array.from({ length: MANY }, (_, i) => i).join(', ')}]
${MARKER_TASK}`,
  );
  clearMarkers();
  const r = await interrupt('incl.yml', ['SIGINT']);
  t.log(`include: exit ${r.code} ${r.afterSignalMs} ms after the signal`);
  t.false(r.killed, 'the run ended by itself');
  t.is(r.code, 99, r.stderr);
  t.deepEqual(markers(), []);
  t.true(r.afterSignalMs < BOUND_MS, `ended ${r.afterSignalMs} ms after the signal`);
});

test.serial('SIGTERM during a self-including task file (no end condition) ends the run: exit 99, no host changed', async (t) => {
  writeFileSync(join(work, 'again.yml'), `- name: again\n  debug: msg=again\n- name: recurse\n  include_tasks: again.yml\n`);
  writeFileSync(
    join(work, 'rec.yml'),
    `
- hosts: test
  gather_facts: false
  tasks:
    - name: in
      include_tasks: again.yml
${MARKER_TASK}`,
  );
  clearMarkers();
  const r = await interrupt('rec.yml', ['SIGTERM']);
  t.log(`recursion: exit ${r.code} ${r.afterSignalMs} ms after the signal`);
  t.false(r.killed, 'the run ended by itself');
  t.deepEqual(markers(), []);
  t.true(r.afterSignalMs < BOUND_MS, `ended ${r.afterSignalMs} ms after the signal`);
});

test.serial('a second Ctrl-C ends the run at once, without waiting for the running command (exit 99)', async (t) => {
  writeFileSync(
    join(work, 'slow.yml'),
    `
- hosts: test
  gather_facts: false
  tasks:
    - name: quick
      debug: msg=go
    - name: slow
      command: sleep 30
${MARKER_TASK}`,
  );
  clearMarkers();
  const r = await interrupt('slow.yml', ['SIGINT', 'SIGINT'], (e) => e.type === 'task-start' && e.task.name === 'slow');
  t.log(`second Ctrl-C: exit ${r.code} ${r.afterSignalMs} ms after it; stderr: ${r.stderr.trim()}`);
  t.false(r.killed);
  t.is(r.code, 99, r.stderr);
  t.true(r.afterSignalMs < BOUND_MS, `ended ${r.afterSignalMs} ms after the second signal, not after sleep 30`);
  t.deepEqual(markers(), []);
});
