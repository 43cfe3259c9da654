// A plain argv runs without the driver's subshell (shell-driver.ts, DEFINE_FLAG 2), on a real
// sshd: the shell's own builtins and functions can never be reached that way, results are those
// of the subshell path, and the driver is alive and unchanged after each request.
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { fixedScript } from '../../engine/connection/fixed-script.ts';
import { PersistentShell } from '../../engine/connection/persistent-shell.ts';
import { driverCommand, fixedFunctionName, isDirect, newMarker } from '../../engine/connection/shell-driver.ts';
import { directName, shellWords } from '../../engine/connection/shell-words.ts';
import type { SshTransport } from '../../engine/connection/ssh-transport.ts';
import type { Argv, Connection, RunOptions, RunResult } from '../../engine/connection/types.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
let conn: Connection;
// the driver's working directory (the sshd user's home in passwd)
let cwd0: string;

test.before(async () => {
  hs = await createTestHosts(1);
  const h = hs.hosts[0]!;
  conn = await openConnection(h.name, h.vars, { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 }, new SshPool());
  cwd0 = (await conn.run(['/bin/pwd'])).stdout.trim();
});

test.after.always(async () => {
  await conn?.close();
  await hs?.teardown();
});

const transportOf = (c: Connection): SshTransport => (c as unknown as { transport: SshTransport }).transport;
const driver = async (): Promise<{ pid: number; tempDir: string }> => (await transportOf(conn).persistentShell()).info;
const shape = (r: RunResult): [number, string, string] => [r.rc, r.stdout, r.stderr];

// The same request through the subshell path: a cwd (the driver's own) forces it.
const viaSubshell = (argv: Argv, opts?: RunOptions): Promise<RunResult> => conn.run(argv, { ...opts, cwd: cwd0 });

// What the next commands see of the driver: its PID, its temp dir, umask, cwd, a stdin + stderr + newline round trip.
async function driverState(): Promise<unknown> {
  const d = await driver();
  const r = await conn.run(['sh', '-c', 'umask; pwd; cat; printf "%s" "$1" >&2', 'x', 'a\nb'], { stdin: 'in\n' });
  return { ...d, dir: existsSync(d.tempDir), r: shape(r) };
}

// forks and vforks of the driver process while fn runs (strace on its PID)
async function forks(fn: () => Promise<unknown>): Promise<{ fork: number; vfork: number }> {
  const { pid } = await driver();
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-direct-'));
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

test.serial('which requests may run without a subshell', (t) => {
  t.true(isDirect({ argv: ['stat', '-c', '%s', '/etc/hostname'] }));
  t.true(isDirect({ argv: ['/bin/sh', '-c', 'exit 3'], opts: { env: { A: '1' }, stdin: 'x' } }));
  t.true(isDirect({ script: 'ls' }) === false, 'a script is /bin/sh -c, built later');
  for (const argv of [
    ['cd', '/'],
    ['exit', '3'],
    ['read', 'x'],
    ['umask', '0'],
    ['set', '-e'],
    ['trap', '', 'EXIT'],
    ['eval', 'exit'],
    ['exec', 'true'],
  ]) {
    t.false(isDirect({ argv }), argv.join(' '));
  }
  for (const name of ['.', ':', '[', 'Z', fixedFunctionName('x'), 'echo', 'printf', 'test', 'true', 'pwd', 'kill', '-x/y', '', 'a b', 'if', '{']) t.false(directName(name), name);
  t.false(isDirect({ argv: ['ls'], opts: { cwd: '/' } }));
  t.false(isDirect({ argv: ['ls'], opts: { timeoutMs: 1000 } }));
  t.false(isDirect({ argv: ['ls'], become: { user: 'root' } }));
  t.false(isDirect({ argv: ['ls'], opts: { env: { OPTIND: 'x' } } }));
});

test.serial("no builtin, keyword or function of the host's sh is run in place", (t) => {
  // every word in the sh binary, the closed list and bash's builtins, asked of the host's own sh
  const bin = readFileSync(realpathSync('/bin/sh')).toString('latin1');
  const words = new Set([...bin.matchAll(/[a-z_][a-z_0-9]{0,15}/g)].map((m) => m[0]));
  for (const w of [...shellWords(), 'Z', fixedFunctionName('x')]) words.add(w);
  const names = [...words].filter((w) => /^[A-Za-z0-9_.:[{}!-]+$/.test(w));
  const types = execFileSync('/bin/sh', ['-c', 'Z() { :; }; for w in "$@"; do type "$w" >/dev/null 2>&1 && case $(type "$w") in */*) ;; *) printf "%s\\n" "$w";; esac; done; exit 0', 'sh', ...names], {
    encoding: 'utf8',
  });
  const reserved = types.split('\n').filter((w) => w !== '');
  t.true(reserved.includes('cd') && reserved.includes('umask') && reserved.includes('Z'), `type found: ${reserved.join(' ')}`);
  t.deepEqual(
    reserved.filter((w) => directName(w)),
    [],
  );
});

test.serial('a plain argv is vforked by the driver; builtin names, cwd and fixed scripts keep their subshell', async (t) => {
  const direct = await forks(() => conn.run(['uname']));
  t.deepEqual(direct, { fork: 0, vfork: 1 });
  const sub = await forks(async () => {
    await conn.run(['echo', 'x']);
    await conn.run(['uname'], { cwd: '/' });
  });
  t.deepEqual(sub, { fork: 2, vfork: 0 });
});

test.serial('builtin names behave exactly as before and leave the driver as it was', async (t) => {
  const before = await driverState();
  const cases: Argv[] = [
    ['cd', '/'],
    ['exit', '3'],
    ['read', 'x'],
    ['umask', '0'],
    ['set', '-e'],
    ['trap', 'echo gone', 'EXIT'],
    ['eval', 'exit 4'],
    ['exec', 'true'],
    ['.', '/dev/null'],
    ['Z', '/'],
    [fixedFunctionName('x')],
    ['unset', 'T'],
    ['hash', '-r'],
    ['shift'],
    ['echo', 'a\\nb'],
    ['pwd', '-P'],
  ];
  for (const argv of cases) {
    const now = await conn.run(argv, { stdin: 'line\n' });
    const old = await viaSubshell(argv, { stdin: 'line\n' });
    t.deepEqual(shape(now), shape(old), argv.join(' '));
    t.deepEqual(await driverState(), before, `after ${argv.join(' ')}`);
  }
});

test.serial('a plain argv gives the rc, stdout, stderr, stdin and environment of the subshell path', async (t) => {
  const before = await driverState();
  const bin = join(hs.hosts[0]!.root, 'bin');
  mkdirSync(bin, { recursive: true });
  const env = { T: 't', C: 'c', V: 'v', M: 'm', NL: 'n', IFS: ':', A: "it's\nmulti $(x) `y`", W: '', I: '/nonexistent' };
  const cases: [Argv, RunOptions?][] = [
    [['sh', '-c', 'cat; printf err >&2; exit 7'], { stdin: 'in' }],
    [['env'], { env }],
    [['/usr/bin/printf', '%s|', 'a b', "c'd", '', 'x\ny', '$HOME']],
    [['tsplay-no-such-program', 'x']],
    [['/etc/hostname']],
    [['cat']],
    [['ls', '-l', '/proc/self/fd/']],
  ];
  for (const [argv, opts] of cases) {
    t.true(isDirect({ argv, ...(opts ? { opts } : {}) }), argv.join(' '));
    const now = await conn.run(argv, opts);
    const old = await viaSubshell(argv, opts);
    if (argv[0] === 'env') {
      // PWD is the one difference: the subshell path's `cd` sets it
      const vars = (r: RunResult): string[] => r.stdout.split('\n').filter((l) => !l.startsWith('PWD=') && !l.startsWith('OLDPWD='));
      t.deepEqual(vars(now).sort(), vars(old).sort());
      for (const [k, v] of Object.entries(env)) t.true(now.stdout.includes(`${k}=${v}\n`), k);
    } else if (argv[0] === 'ls') {
      // the same open descriptors: 0, 1, 2 and ls's own directory
      const fds = (r: RunResult): string[] => r.stdout.split('\n').flatMap((l) => /(\d+) -> /.exec(l)?.[1] ?? []);
      t.deepEqual(fds(now), fds(old));
    } else if (now.rc === 127 || now.rc === 126) {
      // the shell's message names `eval` where it named `exec`; rc and the rest are the same
      t.is(now.rc, old.rc);
      t.is(now.stderr.replace(': eval: ', ': exec: '), old.stderr);
    } else t.deepEqual(shape(now), shape(old), argv.join(' '));
    t.deepEqual(await driverState(), before, `after ${argv.join(' ')}`);
  }
  // OPTIND=x would end dash as a prefix assignment: it keeps the subshell, and fails there as before
  const optind = await conn.run(['env'], { env: { OPTIND: 'x y' } });
  t.deepEqual(shape(optind), shape(await viaSubshell(['env'], { env: { OPTIND: 'x y' } })));
  t.deepEqual(await driverState(), before);
});

test.serial('a program found once is looked up afresh next time, as exec does (no stale hash in the driver)', async (t) => {
  const root = hs.hosts[0]!.root;
  const [a, b] = [join(root, 'pa'), join(root, 'pb')];
  mkdirSync(a, { recursive: true });
  mkdirSync(b, { recursive: true });
  const prog = (dir: string, out: string): void => {
    writeFileSync(join(dir, 'tsplay-prog'), `#!/bin/sh\necho ${out}\n`);
    chmodSync(join(dir, 'tsplay-prog'), 0o755);
  };
  // a driver whose own PATH has both dirs (a PATH given as the request's env would not be hashed)
  const tr = transportOf(conn);
  const ready = newMarker('TSPLAYREADY');
  const sh = new PersistentShell(await tr.exec(`PATH=${a}:${b}:/usr/bin:/bin ${driverCommand(ready)}`), 'h1', ready, () => tr.dead);
  const run = async (argv: Argv): Promise<string> => ((await sh.send([{ argv }])[0]) as RunResult).stdout;
  prog(b, 'b');
  t.is(await run(['tsplay-prog']), 'b\n');
  prog(a, 'a');
  t.is(await run(['tsplay-prog']), 'a\n');
  // and what a fixed script's subshell inherits from the driver is not stale either
  rmSync(join(a, 'tsplay-prog'));
  t.is(await run(fixedScript('tsplay-prog', 'tsplay-test', [])), 'b\n');
  sh.end();
});

test.serial("a command killed by a signal: same rc, the driver lives; dash's report of the signal ends its stderr", async (t) => {
  const before = await driverState();
  const now = await conn.run(['sh', '-c', 'printf x >&2; kill -KILL $$']);
  const old = await viaSubshell(['sh', '-c', 'printf x >&2; kill -KILL $$']);
  t.is(now.rc, 137);
  t.is(old.rc, 137);
  t.is(old.stderr, 'x');
  // the shell reports a signalled foreground command on its stderr, which here is the command's
  t.is(now.stderr, 'xKilled\n');
  t.deepEqual(await driverState(), before);
});
