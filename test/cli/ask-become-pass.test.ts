// -K/--ask-become-pass through the real CLI against a real sshd host and real sudo: the login
// user's sudo asks for its password (which holds shell metacharacters), given once on stdin
// (a pipe) or typed at a terminal (a pty made by util-linux `script`). The password must reach
// sudo and never appear in anything tsplay prints, even at -vvvv.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shJoin } from '../../engine/connection/quote.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { createTestUser, type TestUser } from '../helpers/test-user.ts';

let hs: TestHosts;
let user: TestUser;
let work: string;
const bin = join(import.meta.dirname, '../../bin/tsplay.js');

test.before(async () => {
  user = createTestUser();
  hs = await createTestHosts(1);
  work = mkdtempSync(join(tmpdir(), 'tsplay-askpass-'));
  mkdirSync(join(work, 'home', '.ssh'), { recursive: true });
  writeFileSync(join(work, 'home', '.ssh', 'known_hosts'), readFileSync(hs.knownHostsFile));
  writeFileSync(join(work, 'inventory.ini'), hs.inventoryIni('test', `ansible_user=${user.name}`));
  writeFileSync(
    join(work, 'site.yml'),
    '- hosts: all\n  gather_facts: false\n  become: true\n  tasks:\n    - command: id -un\n      register: who\n    - assert:\n        that: who.stdout == "root"\n',
  );
});
test.after.always(async () => {
  await hs?.teardown();
  user?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** run starts a command in the work dir and answers the password once `when` has been seen on its output. */
function run(argv: string[], answer: string, when?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: work, env: { ...process.env, HOME: join(work, 'home') } });
    let out = '';
    let sent = false;
    const send = (): void => {
      sent = true;
      child.stdin.write(answer);
    };
    if (!when) send();
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (!sent && when?.test(out)) send();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('-K reads one line from stdin when it is not a terminal', async (t) => {
  const r = await run([process.execPath, bin, 'site.yml', '-i', 'inventory.ini', '-K', '-vvvv'], `${user.password}\nnot the password\n`);
  t.is(r.code, 0, r.out);
  t.regex(r.out, /ok=2 +changed=1 +unreachable=0 +failed=0/);
  t.false(r.out.includes(user.password), 'the password is never printed');
});

test('-K prompts on a terminal with echo off', async (t) => {
  const cmd = shJoin([process.execPath, bin, 'site.yml', '-i', 'inventory.ini', '-K', '--output', 'plain']);
  const r = await run(['script', '-qefc', cmd, '/dev/null'], `${user.password}\r`, /BECOME password: /);
  t.is(r.code, 0, r.out);
  t.regex(r.out, /BECOME password: /);
  t.regex(r.out, /ok=2 +changed=1 +unreachable=0 +failed=0/);
  t.false(r.out.includes(user.password), 'the typed password is not echoed');
});
