// Change classes end to end: a playbook whose sysctl task plans classed changes, run through the
// real loader, executor and reporters. On the real test sshd hosts the task only persists the key
// (reload no: the running value is just read), which is a `config` change: pending restart in the
// task line, the registered dict, the recap and the JSON events. In a network namespace made here
// the running value is set too (class live). A converged `--check --diff` prints no diff at all.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.ts';
import { createReporter } from '../../engine/output/index.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { runPlaybook } from '../executor/helpers/run-playbook.ts';

const FORWARD = '/proc/sys/net/ipv4/ip_forward';
let hosts: TestHosts;
let work: string;
// the opposite of what this machine runs, so persisting it leaves the kernel behind: a config change
const want = readFileSync(FORWARD, 'utf8').trim() === '1' ? '0' : '1';

const PLAYBOOK = `- hosts: all
  gather_facts: no
  tasks:
    - name: forwarding persisted
      sysctl: { name: net.ipv4.ip_forward, value: "${want}", reload: no, sysctl_file: "{{ root }}/sysctl.conf" }
      register: fwd
    - name: show it
      debug: { var: fwd.pending_restart }
`;

test.before(async () => {
  hosts = await createTestHosts(2);
  work = mkdtempSync(join(tmpdir(), 'tsplay-pending-'));
});

test.after.always(async () => {
  await hosts?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

const inventory = (): string =>
  `[hv]\n${hosts.hosts
    .map(
      (h) =>
        `${h.name} ${Object.entries(h.vars)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')} root=${h.root}`,
    )
    .join('\n')}\n`;
const run = (over: Parameters<typeof runPlaybook>[1] = {}) =>
  runPlaybook({ 'site.yml': PLAYBOOK, 'inventory.ini': inventory() }, over, { dir: work, connect: { knownHostsFile: hosts.knownHostsFile } });

test.serial('a persisted-only sysctl is pending restart: task line, register, recap, JSON; the converged run is plain Ansible', async (t) => {
  const first = await run({ diff: true });
  t.is(first.code, 0, first.text);
  for (const h of hosts.hosts) {
    t.true(first.text.includes(`changed: [${h.name}] (pending restart)`), first.text);
    t.true(first.text.includes(`+ persisted (${h.root}/sysctl.conf): ${want}  [config]`), first.text);
    t.is(readFileSync(join(h.root, 'sysctl.conf'), 'utf8'), `net.ipv4.ip_forward=${want}\n`);
    t.is(first.stats[h.name]?.pendingRestart, 1);
    t.regex(first.text, new RegExp(`${h.name} +: ok=2 +changed=1 +unreachable=0 +failed=0 +skipped=0 +rescued=0 +ignored=0 +pending_restart=1 {3}\\n`));
  }
  t.regex(first.text, /"fwd\.pending_restart": true/, 'the registered dict carries pending_restart');

  // the same events as --output json
  // biome-ignore lint/suspicious/noExplicitAny: NDJSON events, read as loosely as they were written
  const json: Record<string, any>[] = [];
  const rep = createReporter('json', { verbosity: 0, diff: true, write: (l) => json.push(JSON.parse(l)) });
  for (const e of first.events) rep.onEvent(e);
  await rep.close();
  const result = json.find((e) => e['type'] === 'host-result' && e['task'].name === 'forwarding persisted')!;
  t.is(result['pendingRestart'], true);
  t.like(result['changes'][0], { property: 'persisted', before: null, after: want, class: 'config' });

  const second = await run({ diff: true });
  t.is(second.code, 0, second.text);
  for (const h of hosts.hosts) {
    t.true(second.text.includes(`ok: [${h.name}]`));
    t.regex(second.text, new RegExp(`${h.name} +: ok=2 +changed=0 +unreachable=0 +failed=0 +skipped=0 +rescued=0 +ignored=0 {3}\\n`), 'no pending_restart column when nothing is pending');
  }
  t.false(second.text.includes('(pending restart)') || second.text.includes('pending_restart='));
  t.regex(second.text, /"fwd\.pending_restart": "VARIABLE IS NOT DEFINED!"/, 'an unchanged result has no pending_restart key, as Ansible dicts have none');

  const check = await run({ check: true, diff: true });
  t.is(check.code, 0, check.text);
  t.false(/^(---|\+\+\+|[~+-] )/m.test(check.text), `--check --diff on converged hosts prints no diff:\n${check.text}`);
});

test.serial('in a network namespace made here the running value is set too: live, nothing pending', async (t) => {
  const ns = `tsplay-pending-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const pb = `- hosts: ns1
  gather_facts: no
  tasks:
    - name: forwarding
      sysctl: { name: net.ipv4.ip_forward, value: "1", sysctl_set: yes, sysctl_file: "@DIR@/ns-sysctl.conf" }
`;
    const open = async (host: string): Promise<LocalConnection> => new LocalConnection(host, {}, { prefix: ['ip', 'netns', 'exec', ns] });
    const files = { 'site.yml': pb, 'inventory.ini': 'ns1 ansible_connection=local\n' };
    const first = await runPlaybook(files, { diff: true }, { dir: mkdtempSync(join(work, 'ns-')), open });
    t.is(first.code, 0, first.text);
    t.true(first.text.includes('~ running: 0 → 1  [live]\n'), first.text);
    t.true(first.text.includes('changed: [ns1]\n'), first.text);
    t.false(first.text.includes('(pending restart)') || first.text.includes('pending_restart='));
    t.is(execFileSync('ip', ['netns', 'exec', ns, 'cat', FORWARD], { encoding: 'utf8' }).trim(), '1');
    const check = await runPlaybook(files, { check: true, diff: true }, { dir: first.dir, open });
    t.is(check.stats['ns1']?.changed, 0, check.text);
    t.false(/^(---|\+\+\+|[~+-] )/m.test(check.text), check.text);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
