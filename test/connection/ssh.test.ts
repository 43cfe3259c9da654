// Real sshd hosts (test/helpers/ssh-hosts.ts): round trips, framing, injection, timeouts, files.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedScript } from '../../engine/connection/fixed-script.ts';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { PersistentShell } from '../../engine/connection/persistent-shell.ts';
import { driverCommand, fixedFunctionName, newMarker } from '../../engine/connection/shell-driver.ts';
import type { SshConnection } from '../../engine/connection/ssh.ts';
import { resolveTarget } from '../../engine/connection/ssh-target.ts';
import { MAX_SESSION_CHANNELS, type SshTransport } from '../../engine/connection/ssh-transport.ts';
import type { ConnectOptions, Connection } from '../../engine/connection/types.ts';
import { childrenOf, createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { gone, waitFor } from '../helpers/wait-for.ts';

let hs: TestHosts;
let pool: SshPool;
let conn: Connection;
let opts: ConnectOptions;

test.before(async () => {
  hs = await createTestHosts(1);
  pool = new SshPool();
  opts = { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 };
  const h = hs.hosts[0]!;
  conn = await openConnection(h.name, h.vars, opts, pool);
});

test.after.always(async () => {
  await conn?.close();
  await hs?.teardown();
});

const root = (): string => hs.hosts[0]!.root;
const transportOf = (c: Connection): SshTransport => (c as unknown as { transport: SshTransport }).transport;

test.serial('run keeps exit code, stdout and stderr apart', async (t) => {
  const r = await conn.run(['sh', '-c', 'printf out; printf err >&2; exit 7']);
  t.is(r.rc, 7);
  t.is(r.stdout, 'out');
  t.is(r.stderr, 'err');
});

test.serial('shell runs a script text with its own syntax', async (t) => {
  const r = await conn.shell('for i in 1 2 3; do printf "%s," "$i"; done\necho "$0" >&2\nexit 2');
  t.is(r.rc, 2);
  t.is(r.stdout, '1,2,3,');
  t.is(r.stderr.trim(), '/bin/sh');
});

test.serial("a fixed script runs in the driver's own subshell: no extra sh, words intact, no driver variables, same rc/stdin/stderr", async (t) => {
  const { pid } = await (await transportOf(conn).persistentShell()).info;
  const nasty = `it's "q" $(touch ${root()}/pwned) \`id\` ;\nline2 *`;
  const script = 'printf "%s|%s|%s\\n" "$$" "$#" "$M$N$PW$C$B"; printf "%s" "$1"; cat; printf err >&2; exit 5';
  for (const opts of [undefined, { stdin: 'IN', timeoutMs: 30_000 }]) {
    const r = await conn.run(fixedScript(script, 'tsplay-test', [nasty, 'b']), opts);
    const [head, ...rest] = r.stdout.split('\n');
    // the timeout path runs the text under a new `sh -c` (setsid), so only the plain path shares the driver's PID
    if (opts === undefined) t.is(head, `${pid}|2|`);
    else t.regex(head ?? '', /^\d+\|2\|$/);
    t.is(rest.join('\n'), `${nasty}${opts?.stdin ?? ''}`);
    t.is(r.stderr, 'err');
    t.is(r.rc, 5);
  }
  const plain = await conn.run(['sh', '-c', 'echo $$']);
  t.not(plain.stdout.trim(), String(pid));
  t.false(existsSync(join(root(), 'pwned')));
});

test.serial('a fixed script is sent to a driver once, as a function, then called by name; a new driver gets it again', async (t) => {
  const script = 'printf "%s:%s" "$1" "$#"';
  const probe = fixedScript('if command -v "$1" >/dev/null; then echo defined; else echo missing; fi', 'tsplay-test', [fixedFunctionName(script)]);
  t.is((await conn.run(probe)).stdout, 'missing\n');
  const [a, b] = await conn.batch([fixedScript(script, 'tsplay-test', ['x y', '']), fixedScript(script, 'tsplay-test', ["it's"])]);
  t.is(a?.stdout, 'x y:2');
  t.is(b?.stdout, "it's:1");
  t.is((await conn.run(probe)).stdout, 'defined\n');
  // a shell that dies takes its functions along; the next one is sent the script again
  await t.throwsAsync(conn.run(['sh', '-c', 'kill -9 $PPID; sleep 1']));
  t.is((await conn.run(fixedScript(script, 'tsplay-test', ['again']))).stdout, 'again:1');
});

test.serial('a missing command is rc 127 with the shell message, not a protocol error', async (t) => {
  const r = await conn.run(['/no/such/tsplay-cmd', 'x']);
  t.is(r.rc, 127);
  t.regex(r.stderr, /not found|No such file/);
});

test.serial('batch returns one result per command, in order, without opening channels', async (t) => {
  const before = transportOf(conn).channels;
  const rs = await conn.batch([['echo', 'a'], ['false'], ['sh', '-c', 'echo b >&2; exit 3'], ['printf', '%s', 'c']]);
  t.deepEqual(
    rs.map((r) => [r.rc, r.stdout, r.stderr]),
    [
      [0, 'a\n', ''],
      [1, '', ''],
      [3, '', 'b\n'],
      [0, 'c', ''],
    ],
  );
  t.is(transportOf(conn).channels, before);
});

test.serial('binary output comes back byte for byte', async (t) => {
  const bytes = Buffer.alloc(256 * 40);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
  const f = join(root(), 'binary.bin');
  writeFileSync(f, bytes);
  const r = await conn.run(['cat', f]);
  t.true(r.stdoutBytes?.equals(bytes));
  const back = await conn.get(f);
  t.true(back.equals(bytes));
});

test.serial("output that prints other requests' markers and fake frames cannot break framing", async (t) => {
  const tr = transportOf(conn);
  const marks = [newMarker(), newMarker(), newMarker(), newMarker()];
  let i = 0;
  const ready = newMarker('TSPLAYREADY');
  const ch = await tr.exec(driverCommand(ready));
  const sh = new PersistentShell(
    ch,
    'h1',
    ready,
    () => tr.dead,
    () => marks[i++] as string,
  );
  const [m0, , m2] = marks as [string, string, string];
  // request 1 prints request 0's and request 2's full frames, a bare prefix, and no newline at the end
  const evil = `${ready}\n${m0}S\nX${m0}E0 0\n${m2}S\n${m2}E5 1\nTSPLAY\nTSPLAY${'0'.repeat(32)}E0 0\n${m2}E`;
  const [r0, r1, r2] = await Promise.all(sh.send([{ argv: ['printf', '%s', 'zero'] }, { argv: ['printf', '%s', evil] }, { argv: ['sh', '-c', `printf '%s' "${m0}E1 1" >&2; echo two`] }]));
  t.is(r0?.stdout, 'zero');
  t.is(r1?.stdout, evil);
  t.is(r1?.rc, 0);
  t.is(r2?.stdout, 'two\n');
  t.is(r2?.stderr, `${m0}E1 1`);
  t.is(r2?.rc, 0);
  // the marker of a request is not visible to its command: not in its env, nor its parent's argv/env
  const spy = await (sh.send([{ script: 'env; cat /proc/$PPID/cmdline /proc/$PPID/environ 2>&1; ps -ef 2>/dev/null' }])[0] as Promise<{ stdout: string }>);
  t.false(spy.stdout.includes(marks[3] as string) || /TSPLAY[0-9a-f]{32}/.test(spy.stdout));
  sh.end();
});

test.serial('10 MB of output streams through the frame reader intact', async (t) => {
  const size = 10 * 1024 * 1024;
  const start = performance.now();
  const r = await conn.run(['sh', '-c', `yes 'TSPLAY0123456789abcdef E0 0' | head -c ${size}`]);
  const ms = performance.now() - start;
  t.is(r.rc, 0);
  t.is(r.stdoutBytes?.length, size);
  t.is(r.stdout.slice(0, 28), 'TSPLAY0123456789abcdef E0 0\n');
  t.log(`10 MB in ${ms.toFixed(0)} ms`);
});

test.serial('stdin reaches the command exactly, and unread stdin does not leak into the next request', async (t) => {
  const data = randomBytes(300_000);
  const r = await conn.run(['sh', '-c', 'cat | od -An -v -tx1 | tr -d " \\n"'], { stdin: data });
  t.is(r.stdout, data.toString('hex'));
  const ignored = await conn.run(['true'], { stdin: Buffer.concat([Buffer.from('echo LEAK\n'), data]) });
  t.is(ignored.rc, 0);
  const next = await conn.run(['echo', 'clean']);
  t.is(next.stdout, 'clean\n');
  // a command that would read the channel gets EOF, not the next request
  const reader = await conn.run(['cat']);
  t.is(reader.stdout, '');
});

test.serial('shell metacharacters in argv, env, cwd, file names and contents stay inert', async (t) => {
  const canary = join(root(), 'PWNED');
  const nasty = [
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `; touch ${canary}`,
    `'; touch ${canary}; '`,
    `"; touch ${canary}; "`,
    `\ntouch ${canary}\n`,
    `| touch ${canary}`,
    `&& touch ${canary} &&`,
    `$(touch ${canary})'"\`\n\\`,
  ];
  const argvR = await conn.run(['printf', '%s\\0', ...nasty]);
  t.deepEqual(argvR.stdout.split('\0').slice(0, -1), nasty);
  for (const v of nasty) {
    const e = await conn.run(['sh', '-c', 'printf %s "$TSPLAY_X"'], { env: { TSPLAY_X: v } });
    t.is(e.stdout, v);
    const s = await conn.shell('printf %s "$1"', { env: { TSPLAY_Y: v } });
    t.is(s.rc, 0);
  }
  const dir = join(root(), `d $(touch ${canary}) \`x\` ; '"`);
  mkdirSync(dir, { recursive: true });
  const cwdR = await conn.run(['pwd'], { cwd: dir });
  t.is(cwdR.stdout, `${dir}\n`);
  for (const [i, v] of nasty.entries()) {
    const name = join(root(), `f${i} ${v.replaceAll('/', '_')}`);
    await conn.put(name, v, { mode: '0644' });
    t.is(readFileSync(name, 'utf8'), v);
    t.is((await conn.run(['cat', '--', name])).stdout, v);
    t.is((await conn.get(name)).toString('utf8'), v);
    t.is((await conn.run(['sh', '-c', 'cat'], { stdin: v })).stdout, v);
  }
  t.false(existsSync(canary), 'an injected command ran');
});

test.serial('a timeout kills the command and its children, not the persistent shell', async (t) => {
  const tr = transportOf(conn);
  const before = tr.channels;
  const pidFile = join(root(), 'child.pid');
  const start = Date.now();
  const r = await conn.run(['sh', '-c', `sleep 30 & echo $! > '${pidFile}'; wait`], { timeoutMs: 600 });
  const took = Date.now() - start;
  t.true(r.timedOut);
  t.is(r.rc, 124);
  // a lower bound only: the timer cannot fire early, while load can only make it later
  t.true(took >= 550, `took ${took} ms`);
  const child = Number(readFileSync(pidFile, 'utf8'));
  await t.notThrowsAsync(
    waitFor(() => gone(child), `the background child ${child} to be killed`, 10_000),
    'the background child survived',
  );
  const after = await conn.run(['echo', 'alive']);
  t.is(after.stdout, 'alive\n');
  t.is(tr.channels, before, 'the shell was not replaced');
  const quick = await conn.run(['echo', 'fast'], { timeoutMs: 5000 });
  t.false(!!quick.timedOut);
  t.is(quick.stdout, 'fast\n');
});

test.serial('put replaces atomically and keeps or sets mode and owner', async (t) => {
  const f = join(root(), 'conf.txt');
  writeFileSync(f, 'old\n');
  await conn.run(['chown', 'nobody:nogroup', f]);
  await conn.run(['chmod', '0600', f]);
  const inode = statSync(f).ino;
  await conn.put(f, 'new\n');
  let st = statSync(f);
  t.is(readFileSync(f, 'utf8'), 'new\n');
  t.is(st.mode & 0o7777, 0o600, 'mode kept');
  t.is((await conn.run(['stat', '-c', '%U:%G', f])).stdout.trim(), 'nobody:nogroup', 'owner kept');
  t.not(st.ino, inode, 'renamed over, not rewritten in place');
  await conn.put(f, 'newer\n', { mode: '0640', owner: 'root', group: 'daemon' });
  st = statSync(f);
  t.is(st.mode & 0o7777, 0o640);
  t.is((await conn.run(['stat', '-c', '%U:%G', f])).stdout.trim(), 'root:daemon');
  await conn.put(join(root(), 'fresh.txt'), '', { mode: 0o755 });
  t.is(statSync(join(root(), 'fresh.txt')).mode & 0o7777, 0o755);
  t.is(statSync(join(root(), 'fresh.txt')).size, 0);
  t.deepEqual(
    readdirSync(root()).filter((n) => n.includes('.tsplay-')),
    [],
    'no temp file left',
  );
  const bad = await t.throwsAsync(conn.put(f, 'x', { owner: 'no-such-user-tsplay' }));
  t.regex(bad?.message ?? '', /owner/);
  t.is(readFileSync(f, 'utf8'), 'newer\n', 'a failed put leaves the old file');
  t.deepEqual(
    readdirSync(root()).filter((n) => n.includes('.tsplay-')),
    [],
    'no temp file left after a failure',
  );
});

test.serial("put of a new file (expect null) links it in place without a shell request; a taken name or another writer's turn is a conflict", async (t) => {
  const f = join(root(), 'linked.txt');
  const requests = (conn as SshConnection).stats().requests;
  await conn.put(f, 'new\n', { mode: '0640', expect: null, writer: { id: 'w1', lastTry: false } });
  t.is((conn as SshConnection).stats().requests, requests, 'no shell request: the link is an SFTP call');
  const st = statSync(f);
  t.is(readFileSync(f, 'utf8'), 'new\n');
  t.is(st.mode & 0o7777, 0o640);
  t.is(st.nlink, 1, 'the temp name is gone');
  // the name is taken now: the link fails and the checked rename reports the conflict
  // (a last try: a loser that may try again would leave a turn marker for itself)
  const taken = await t.throwsAsync(conn.put(f, 'other\n', { expect: null, writer: { id: 'w1', lastTry: true } }));
  t.regex(taken?.message ?? '', /changed on h1 after it was read/);
  t.is(readFileSync(f, 'utf8'), 'new\n');
  // another writer holds the turn for a free name: this writer steps aside, as with the script
  const g = join(root(), 'turned.txt');
  symlinkSync('w2', join(root(), '.turned.txt.tsplay-turn'));
  const turned = await t.throwsAsync(conn.put(g, 'mine\n', { expect: null, writer: { id: 'w1', lastTry: false } }));
  t.regex(turned?.message ?? '', /changed on h1 after it was read/);
  t.false(existsSync(g));
  unlinkSync(join(root(), '.turned.txt.tsplay-turn'));
  await conn.put(g, 'mine\n', { expect: null, writer: { id: 'w1', lastTry: false } });
  t.is(readFileSync(g, 'utf8'), 'mine\n');
  t.deepEqual(
    readdirSync(root()).filter((n) => n.includes('.tsplay-')),
    [],
    'no temp file or turn marker left',
  );
});

test.serial('own-channel commands stay under the channel cap and all succeed', async (t) => {
  const tr = transportOf(conn);
  const rs = await Promise.all(Array.from({ length: 14 }, (_, i) => conn.run(['sh', '-c', `sleep 0.2; echo ${i}`], { ownChannel: true })));
  t.deepEqual(
    rs.map((r) => r.stdout.trim()),
    Array.from({ length: 14 }, (_, i) => String(i)),
  );
  t.true(tr.sessions.peak <= MAX_SESSION_CHANNELS, `peak ${tr.sessions.peak}`);
  t.true(tr.sessions.peak >= 3);
});

test.serial('if the persistent shell dies, its requests fail and the next request gets a new shell', async (t) => {
  const tr = transportOf(conn);
  const before = tr.channels;
  const e = await t.throwsAsync(conn.run(['sh', '-c', 'kill -9 $PPID; sleep 1']));
  t.regex(e?.message ?? '', /persistent shell/);
  t.is((await conn.run(['echo', 'back'])).stdout, 'back\n');
  t.is(tr.channels, before + 1);
});

test.serial('one SSH connection serves every request to the host', async (t) => {
  await conn.put(join(root(), 'x'), 'x');
  await Promise.all([conn.run(['true']), conn.get(join(root(), 'x')), conn.run(['true'], { ownChannel: true })]);
  // each SSH connection is one child of the sshd listener
  t.is(childrenOf(hs.hosts[0]!.pid).length, 1);
  t.is((conn as SshConnection).stats().connections, 1);
  t.is(pool.opened, 1);
});

test.serial('the target resolves ansible_* vars', (t) => {
  const tg = resolveTarget('web1', { ansible_host: '10.9.9.9', ansible_port: 2200, ansible_user: 'deploy', ansible_ssh_private_key_file: '/k' }, opts);
  t.like(tg, { host: '10.9.9.9', port: 2200, user: 'deploy', keyFiles: ['/k'] });
});
