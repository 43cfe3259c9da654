// The file probe (READ_SCRIPT) runs in the persistent driver's own shell, without the per-request
// subshell (shell-driver.ts, DEFINE_FLAG 3), on a real sshd. The host user is not root, so a path
// can be unreadable. The probe forks no subshell, gives what `sh -c` and the subshell path give
// for every kind of path, and leaves the driver's variables, options, traps, cwd, umask, hashed
// programs and PID as they were.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedScript, inPlaceScript } from '../../engine/connection/fixed-script.ts';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { definableScript, isInPlace } from '../../engine/connection/shell-driver.ts';
import type { SshTransport } from '../../engine/connection/ssh-transport.ts';
import type { Connection, RunOptions, RunResult } from '../../engine/connection/types.ts';
import { parseReadOutput, READ_SCRIPT, READ_VARS, type ReadWant, readArgv } from '../../engine/modules/support/file-state.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { createTestUser, type TestUser } from '../helpers/test-user.ts';

let user: TestUser;
let hs: TestHosts;
let conn: Connection;
let home: string;
let paths: string[];

test.before(async () => {
  user = createTestUser();
  home = user.home;
  hs = await createTestHosts(1, { user: user.name });
  const h = hs.hosts[0]!;
  conn = await openConnection(h.name, h.vars, { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 }, new SshPool());
  paths = makePaths();
});

test.after.always(async () => {
  await conn?.close();
  await hs?.teardown();
  user?.remove();
});

const transportOf = (c: Connection): SshTransport => (c as unknown as { transport: SshTransport }).transport;
const driverPid = async (): Promise<number> => (await (await transportOf(conn).persistentShell()).info).pid;
const shape = (r: RunResult): [number, string, string] => [r.rc, r.stdout, r.stderr];

// The driver as it is, read by an in-place script of its own (so nothing forks in between):
// every shell variable, the options, the traps, umask, cwd and its PID.
// Written to a file, not stdout: `set` prints the request's marker M, which in the output would
// end the frame early. Left out: what each request sets anew (M, its text C, the last status R).
async function driverState(): Promise<string> {
  const out = join(home, 'state');
  // first (the next in-place call starts with `hash -r`): what a subshell request inherits hashed
  // from the driver, none since each in-place call ends with `hash -r`
  const hashed = await conn.run(fixedScript('hash', 'tsplay-test', []));
  const r = await conn.run(inPlaceScript('{ set; set -o; printf "%s\\n" "$-"; trap; umask; pwd; printf "%s\\n" "$$"; } >"$1"', 'tsplay-state', [out], []));
  if (r.rc !== 0 || r.stderr !== '' || r.stdout !== '') throw new Error(`state: ${r.rc} ${r.stdout} ${r.stderr}`);
  const state = readFileSync(out, 'utf8')
    .split('\n')
    .filter((l) => !/^(M|C|R)=/.test(l))
    .join('\n');
  return `${state}hashed in a subshell: ${hashed.stdout}`;
}

// forks and vforks of the driver process while fn runs (strace on its PID only, not its children)
async function forks(fn: () => Promise<unknown>): Promise<{ fork: number; vfork: number }> {
  const pid = await driverPid();
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-in-place-'));
  const s = spawn('strace', ['-qq', '-e', 'trace=clone,clone3,fork,vfork', '-e', 'signal=none', '-o', join(dir, 't'), '-p', String(pid)]);
  const closed = new Promise<void>((r) => s.on('close', () => r()));
  try {
    await new Promise((r) => setTimeout(r, 500));
    await fn();
    s.kill('SIGINT');
    await closed;
    const text = readFileSync(join(dir, 't'), 'utf8');
    return { fork: (text.match(/^(clone3?|fork)\(/gm) ?? []).length, vfork: (text.match(/^vfork\(/gm) ?? []).length };
  } finally {
    if (s.exitCode === null) {
      s.kill('SIGINT');
      await closed;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// every kind of path a probe meets; made as root in the user's home
function makePaths(): string[] {
  const p = (n: string): string => join(home, n);
  writeFileSync(p('plain.conf'), 'port = 8080\n'.repeat(20));
  writeFileSync(p('secret'), 'root only\n', { mode: 0o600 }); // root's, 0600: the user cannot read it
  mkdirSync(p('closed'), { mode: 0o700, recursive: true }); // root's: the user cannot even stat inside
  writeFileSync(p('closed/inner'), 'x');
  const nasty = `we ird 'q' "dq" $(touch PWNED) \`id\` ;\nline2 * $HOME`;
  writeFileSync(p(nasty), 'nasty\n');
  writeFileSync(p('-n'), 'dash\n');
  writeFileSync(p('bin.dat'), Buffer.from([0xff, 0xfe, 0, 1]));
  symlinkSync('plain.conf', p('link'));
  symlinkSync('nowhere', p('broken'));
  return [p('plain.conf'), p('missing'), p('secret'), p('closed/inner'), p(nasty), '-n', p('link'), p('broken'), home, '~', '~/plain.conf', p('bin.dat'), ''];
}

test.serial('which requests run in place: an inPlaceScript call without become, cwd, environment or timeout', (t) => {
  const argv = readArgv(['/etc/hostname'], { checksum: true });
  const fn = definableScript({ argv })?.name;
  t.true(isInPlace({ argv }, fn));
  t.false(isInPlace({ argv }, undefined), 'not defined in this driver yet: no function to call');
  for (const opts of [{ cwd: '/' }, { env: { A: '1' } }, { timeoutMs: 1000 }] as RunOptions[]) t.false(isInPlace({ argv, opts }, fn), JSON.stringify(opts));
  t.false(isInPlace({ argv, become: { user: 'root' } }, fn));
  t.false(isInPlace({ argv: ['sh', '-c', READ_SCRIPT, 'x', 'f', '1', '0'] }, fn), 'only a marked argv');
  // READ_SCRIPT assigns only READ_VARS and uses none of the words that change or end a shell
  const assigned = new Set([...READ_SCRIPT.matchAll(/(?:^|[\s;])([A-Za-z_][A-Za-z0-9_]*)=/g), ...READ_SCRIPT.matchAll(/\bfor ([A-Za-z_]\w*) in/g)].map((m) => m[1]));
  t.deepEqual([...assigned].sort(), [...READ_VARS].sort());
  t.notRegex(READ_SCRIPT, /(^|[\s;|&(])(cd|exit|exec|return|break|set|trap|umask|read|eval|export|readonly|local|hash|unset|\.)(\s|;|$)/m);
});

test.serial('a file probe forks no subshell in the driver: its programs are vforked, the subshell path forks', async (t) => {
  const file = paths[0]!;
  const argv = readArgv([file], { checksum: true });
  await conn.run(argv); // the definition goes out with the first call
  // stat and sha1sum, vforked by the driver itself, and nothing else
  t.deepEqual(
    await forks(async () => {
      for (let i = 0; i < 5; i++) t.is((await conn.run(argv)).rc, 0);
    }),
    { fork: 0, vfork: 10 },
  );
  // the same call in the request's subshell (a cwd forces it): one fork per probe
  const sub = await forks(async () => {
    for (let i = 0; i < 5; i++) await conn.run(argv, { cwd: home });
  });
  t.is(sub.fork, 5);
});

test.serial('a file probe in place gives what sh -c and the subshell path give, and leaves the driver as it was', async (t) => {
  const before = await driverState();
  t.regex(before, /^T=/m, 'the state lists the driver variables');
  t.regex(before, /^trap -- .* EXIT$/m, 'and its traps');
  t.notRegex(before, /^tsplay_/m);
  const wants: ReadWant[] = [{ checksum: true }, { checksum: true, content: true }, { content: 'diff' }, {}];
  for (const want of wants) {
    for (const list of [paths, ...paths.map((p) => [p])]) {
      const argv = readArgv(list, want);
      const now = await conn.run(argv);
      const plain = await conn.run(['sh', '-c', ...argv.slice(2)]);
      const sub = await conn.run(argv, { cwd: home });
      const label = `${JSON.stringify(want)} ${JSON.stringify(list)}`;
      t.deepEqual(shape(now), shape(plain), label);
      t.deepEqual(shape(now), shape(sub), label);
      t.is(await driverState(), before, `after ${label}`);
    }
  }
  const states = parseReadOutput(paths, (await conn.run(readArgv(paths, { checksum: true }))).stdout);
  const byName = (i: number): (typeof states)[number] => states[i]!;
  t.truthy(byName(0).checksum);
  t.false(byName(1).exists);
  t.true(byName(2).exists && byName(2).checksum === undefined, 'unreadable: its stat, no checksum');
  t.false(byName(3).exists, 'inside a dir the user cannot search');
  t.truthy(byName(4).checksum, 'the path with quotes, a newline and $(...)');
  t.is(byName(6).linkTarget, 'plain.conf');
  t.is(byName(9).path, hs.hosts[0]!.home, '`~` is $HOME (the sshd sets it)');
  t.false(existsSync(join(home, 'PWNED')));
});

test.serial('the in-place function returns the script status and cleans up after a status other than 0', async (t) => {
  const before = await driverState();
  const script = inPlaceScript('tsplay_t=$1; [ "$tsplay_t" = ok ]', 'tsplay-test', ['no'], ['tsplay_t']);
  const r = await conn.run(script);
  t.deepEqual(shape(r), [1, '', '']);
  t.is((await conn.run(inPlaceScript('tsplay_t=$1; [ "$tsplay_t" = ok ]', 'tsplay-test', ['ok'], ['tsplay_t']))).rc, 0);
  t.is(await driverState(), before);
});
