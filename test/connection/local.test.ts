// LocalConnection on this machine: no shell for argv, timeouts kill the process group, atomic put.
import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { LocalConnection } from '../../engine/connection/local.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { gone, waitFor } from '../helpers/wait-for.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsplay-local-'));
const c = new LocalConnection('localhost');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('implicit localhost and ansible_connection=local open a LocalConnection', async (t) => {
  t.true((await openConnection('localhost', {}, { hostKeyChecking: 'yes', verbosity: 0 }, new SshPool())) instanceof LocalConnection);
  t.true((await openConnection('box', { ansible_connection: 'local' }, { hostKeyChecking: 'yes', verbosity: 0 }, new SshPool())) instanceof LocalConnection);
  await t.throwsAsync(openConnection('box', { ansible_connection: 'winrm' }, { hostKeyChecking: 'yes', verbosity: 0 }, new SshPool()), { instanceOf: TsplayError, message: /winrm/ });
});

test('argv runs without a shell: metacharacters are plain words', async (t) => {
  const canary = join(dir, 'PWNED');
  const words = [`$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, `a\nb`, `'"`];
  const r = await c.run(['printf', '%s\\0', ...words]);
  t.deepEqual(r.stdout.split('\0').slice(0, -1), words);
  const e = await c.run(['sh', '-c', 'printf %s "$V"'], { env: { V: words[0] as string } });
  t.is(e.stdout, words[0] as string);
  t.false(existsSync(canary));
  await t.throwsAsync(c.run(['true'], { env: { 'A;B': 'x' } }), { instanceOf: TsplayError });
});

test('rc, stdout, stderr, stdin, cwd; a missing program is rc 127', async (t) => {
  const r = await c.shell('cat; echo err >&2; pwd; exit 5', { stdin: 'in\n', cwd: dir });
  t.deepEqual([r.rc, r.stdout, r.stderr], [5, `in\n${dir}\n`, 'err\n']);
  t.is((await c.run(['/no/such/prog'])).rc, 127);
  const rs = await c.batch([['echo', '1'], ['false']]);
  t.deepEqual(
    rs.map((x) => x.rc),
    [0, 1],
  );
});

test('a timeout kills the command and its children', async (t) => {
  const pidFile = join(dir, 'bg.pid');
  // timedOut and rc 124 show the timeout fired (the 30 s sleep would have ended with rc 0)
  const r = await c.run(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; wait`], { timeoutMs: 400 });
  t.true(r.timedOut);
  t.is(r.rc, 124);
  const pid = Number(readFileSync(pidFile, 'utf8'));
  // the kill is asynchronous: wait for the child to go rather than sleeping a guessed time
  await t.notThrowsAsync(waitFor(() => gone(pid), `the background child ${pid} to be killed`, 10_000));
});

test('put is atomic and keeps or sets mode and owner', async (t) => {
  const f = join(dir, 'conf');
  writeFileSync(f, 'old');
  await c.run(['chown', 'nobody:nogroup', f]);
  await c.run(['chmod', '600', f]);
  const ino = statSync(f).ino;
  await c.put(f, 'new');
  const st = statSync(f);
  t.is(readFileSync(f, 'utf8'), 'new');
  t.not(st.ino, ino);
  t.is(st.mode & 0o7777, 0o600);
  t.is((await c.run(['stat', '-c', '%U:%G', f])).stdout.trim(), 'nobody:nogroup');
  await c.put(f, 'newer', { mode: '0644', owner: 'daemon', group: 'root' });
  t.is(statSync(f).mode & 0o7777, 0o644);
  t.is((await c.run(['stat', '-c', '%U:%G', f])).stdout.trim(), 'daemon:root');
  await t.throwsAsync(c.put(f, 'x', { owner: 'no-such-user-tsplay' }), { instanceOf: TsplayError, message: /unknown user/ });
  await t.throwsAsync(c.put(f, 'x', { mode: 'rw-r' }), { instanceOf: TsplayError, message: /octal/ });
  t.is(readFileSync(f, 'utf8'), 'newer');
  t.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.tsplay-')),
    [],
  );
  t.is((await c.get(f)).toString(), 'newer');
});

test('a prefix runs every command, put and get under it; its env is the default env', async (t) => {
  // `env -C DIR` stands in for nsenter: a relative path lands in DIR only if put went through the prefix
  const sub = mkdtempSync(join(dir, 'prefixed-'));
  const p = new LocalConnection('localhost', {}, { prefix: ['env', '-C', sub, '--'], env: { TSPLAY_A: 'lab', TSPLAY_B: 'lab' } });
  const r = await p.run(['sh', '-c', 'pwd; echo "$TSPLAY_A $TSPLAY_B"'], { env: { TSPLAY_B: 'own' } });
  t.is(r.stdout, `${sub}\nlab own\n`);
  await p.put('rel.txt', 'through the prefix\n', { mode: '0600' });
  t.is(readFileSync(join(sub, 'rel.txt'), 'utf8'), 'through the prefix\n');
  t.is(statSync(join(sub, 'rel.txt')).mode & 0o777, 0o600);
  t.is((await p.get('rel.txt')).toString(), 'through the prefix\n');
  t.false(existsSync('rel.txt'));
  t.throws(() => new LocalConnection('x', {}, { env: { 'A;B': '1' } }), { instanceOf: TsplayError });
});
