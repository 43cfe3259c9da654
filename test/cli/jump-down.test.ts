// Issue 13 "Bad input and safety": an unreachable hypervisor mid-run. Guests are reached through
// their hypervisor as a jump host (tsplay_jump); when it goes down, its guests are reported
// unreachable, the other hosts converge, and the run exits 4. Real CLI, real sshds: hv1 is killed
// while every host runs a task, and, in the second run, hv1 is down from the start.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliWorkDir, createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { waitFor } from '../helpers/wait-for.ts';

let hs: TestHosts;
let work: string;
const bin = join(import.meta.dirname, '../../bin/tsplay.js');
const GUESTS = ['g1', 'g2'];

test.before(async () => {
  hs = await createTestHosts(4, { names: ['hv1', 'g1', 'g2', 'other'] });
  work = cliWorkDir(hs, 'tsplay-jump-down-');
  const line = (name: string, extra = ''): string => {
    const h = hs.byName.get(name)!;
    return `${name} ${Object.entries({ ...h.vars, dest_root: h.root })
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}${extra}`;
  };
  writeFileSync(join(work, 'inventory.ini'), `[hypervisors]\n${line('hv1')}\n\n[guests]\n${GUESTS.map((g) => line(g, ' tsplay_jump=hv1')).join('\n')}\n\n[others]\n${line('other')}\n`);
  // the middle task waits for a `go` file, so the test can take hv1 down while every host is inside a task
  // the wait also ends once the host's root is gone: a guest cut off from its jump host keeps its
  // command running, and a CI run found two such loops still polling after the suite had ended
  writeFileSync(
    join(work, 'site.yml'),
    `- hosts: all
  gather_facts: false
  tasks:
    - command: touch {{ dest_root }}/one
    - command: sh -c 'while [ ! -e {{ dest_root }}/go ] && [ -d {{ dest_root }} ]; do sleep 0.1; done'
    - command: touch {{ dest_root }}/two
`,
  );
});
test.after.always(async () => {
  await hs?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

function cli(): { done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [bin, 'site.yml', '-i', 'inventory.ini', '-f', '4'], { cwd: work, env: { ...process.env, HOME: join(work, 'home') } });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, out }))) };
}

const marker = (name: string, file: string): boolean => existsSync(join(hs.byName.get(name)!.root, file));
const recap = (out: string, name: string): string => new RegExp(`^${name}\\s+:.*$`, 'm').exec(out)?.[0] ?? '';

function clearMarkers(): void {
  for (const h of hs.hosts) for (const f of ['one', 'two', 'go']) rmSync(join(h.root, f), { force: true });
}

test.serial('hv1 killed mid-run: hv1 and its guests unreachable, the other host converges, exit 4', async (t) => {
  clearMarkers();
  const run = cli();
  await waitFor(() => hs.hosts.every((h) => marker(h.name, 'one')), 'every host ran the first task');
  hs.kill('hv1');
  for (const h of hs.hosts) writeFileSync(join(h.root, 'go'), '');
  const r = await run.done;
  t.is(r.code, 4, r.out);
  t.true(marker('other', 'two'), r.out);
  t.regex(recap(r.out, 'other'), /ok=3\s+changed=3\s+unreachable=0\s+failed=0/, r.out);
  for (const name of ['hv1', ...GUESTS]) {
    t.false(marker(name, 'two'), `${name} did not go on`);
    t.regex(recap(r.out, name), /unreachable=1\s+failed=0/, r.out);
  }
  for (const g of GUESTS) t.regex(r.out, new RegExp(`fatal: \\[${g}\\]: UNREACHABLE! .*"${g} \\(127\\.0\\.0\\.1:\\d+\\) unreachable: jump host hv1 lost: `), r.out);
});

test.serial('hv1 down from the start: its guests are unreachable through it, the other host converges, exit 4', async (t) => {
  clearMarkers();
  writeFileSync(join(hs.byName.get('other')!.root, 'go'), '');
  const r = await cli().done;
  t.is(r.code, 4, r.out);
  t.true(marker('other', 'two'), r.out);
  for (const name of ['hv1', ...GUESTS]) {
    t.false(marker(name, 'one'), `nothing ran on ${name}`);
    t.regex(recap(r.out, name), /ok=0\s+changed=0\s+unreachable=1\s+failed=0/, r.out);
  }
  // each guest's message names the guest and the jump host it could not get through
  for (const g of GUESTS) t.regex(r.out, new RegExp(`fatal: \\[${g}\\]: UNREACHABLE! .*"${g} \\(127\\.0\\.0\\.1:\\d+\\) unreachable: jump host hv1 failed: hv1 `), r.out);
});
