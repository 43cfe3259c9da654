// read/apply against a real host: LocalConnection on temp directories. For each scenario:
// --check on the unconverged dir plans changes and writes nothing (snapshot before/after),
// the first run changes, the second run plans nothing, --check on the converged dir plans nothing.
import test, { type ExecutionContext } from 'ava';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.ts';
import { runModule, snapshot } from './support/drive.ts';

const conn = new LocalConnection('localhost');
const root = mkdtempSync(join(tmpdir(), 'tsplay-modules-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function freshDir(): string {
  const d = join(root, `s${n++}`);
  mkdirSync(d);
  return d;
}

type Opts = Parameters<typeof runModule>[3];

async function converges(t: ExecutionContext, dir: string, module: string, args: Record<string, unknown>, opts: Opts = {}): Promise<void> {
  const before = snapshot(dir);
  const dry = await runModule(conn, module, args, { ...opts, check: true });
  t.is(dry.status, 'changed', `check on unconverged: ${dry.plan.msg ?? ''}`);
  t.true(dry.plan.changes.length > 0);
  t.deepEqual(snapshot(dir), before, '--check wrote nothing');
  const first = await runModule(conn, module, args, opts);
  t.is(first.status, 'changed', `first run: ${first.applied?.msg ?? first.plan.msg ?? ''}`);
  const second = await runModule(conn, module, args, opts);
  t.is(second.status, 'ok', `second run plans nothing: ${JSON.stringify(second.plan.changes)}`);
  t.deepEqual(second.plan.changes, []);
  t.truthy(second.plan.reason);
  const after = snapshot(dir);
  const dry2 = await runModule(conn, module, args, { ...opts, check: true });
  t.is(dry2.status, 'ok');
  t.deepEqual(snapshot(dir), after);
}

test('copy: content with mode, then only the mode, then backup on change', async (t) => {
  const d = freshDir();
  const dest = join(d, 'motd');
  await converges(t, d, 'copy', { content: 'hello\n', dest, mode: '0600' });
  t.is(readFileSync(dest, 'utf8'), 'hello\n');
  t.is(statSync(dest).mode & 0o7777, 0o600);
  await converges(t, d, 'copy', { content: 'hello\n', dest, mode: 'g+r' });
  t.is(statSync(dest).mode & 0o7777, 0o640);
  const r = await runModule(conn, 'copy', { content: 'bye\n', dest, backup: true });
  t.is(r.status, 'changed');
  const bak = r.applied?.result?.backup_file as string;
  t.is(readFileSync(bak, 'utf8'), 'hello\n');
  t.is(readFileSync(dest, 'utf8'), 'bye\n');
  t.is(statSync(dest).mode & 0o7777, 0o640, 'an unrequested mode is kept on rewrite');
  const diff = r.plan.changes[0]?.diff;
  t.deepEqual(diff, { path: dest, before: 'hello\n', after: 'bye\n' });
});

test('copy: src from the search path into an existing directory', async (t) => {
  const d = freshDir();
  const files = join(d, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'app.conf'), 'x=1\n');
  const out = join(d, 'etc');
  mkdirSync(out);
  await converges(t, out, 'copy', { src: 'app.conf', dest: `${out}/` }, { files: [join(d, 'nothing'), files] });
  t.is(readFileSync(join(out, 'app.conf'), 'utf8'), 'x=1\n');
  const again = await runModule(conn, 'copy', { src: 'app.conf', dest: out }, { files: [files] });
  t.is(again.status, 'ok', 'dest given as a directory without the slash');
  const missing = await runModule(conn, 'copy', { src: 'nosuch', dest: out }, { files: [files] });
  t.is(missing.status, 'failed');
  t.regex(missing.plan.msg ?? '', /Could not find or access 'nosuch'/);
});

test('template: renders with host vars through ctx.render', async (t) => {
  const d = freshDir();
  const tdir = join(d, 'templates');
  mkdirSync(tdir);
  writeFileSync(join(tdir, 'motd.hbs'), 'Welcome to {{ inventory_hostname }} on port {{ port }}\n');
  const out = join(d, 'out');
  mkdirSync(out);
  const vars = { inventory_hostname: 'h1', port: 22 };
  await converges(t, out, 'template', { src: 'motd.hbs', dest: join(out, 'motd'), mode: '0644' }, { templates: [tdir], vars });
  t.is(readFileSync(join(out, 'motd'), 'utf8'), 'Welcome to h1 on port 22\n');
  const changed = await runModule(conn, 'template', { src: 'motd.hbs', dest: join(out, 'motd') }, { templates: [tdir], vars: { ...vars, port: 2222 } });
  t.is(changed.status, 'changed');
  t.is(readFileSync(join(out, 'motd'), 'utf8'), 'Welcome to h1 on port 2222\n');
});

test('file: directory, touch-free attributes, link, recurse and absent', async (t) => {
  const d = freshDir();
  const app = join(d, 'app');
  await converges(t, d, 'file', { path: app, state: 'directory', mode: '0750' });
  t.true(statSync(app).isDirectory());
  t.is(statSync(app).mode & 0o7777, 0o750);
  writeFileSync(join(app, 'a'), 'a');
  mkdirSync(join(app, 'sub'));
  writeFileSync(join(app, 'sub', 'b'), 'b');
  await converges(t, d, 'file', { path: app, state: 'directory', mode: '0750', recurse: true });
  t.is(statSync(join(app, 'sub', 'b')).mode & 0o7777, 0o750);
  await converges(t, d, 'file', { path: join(d, 'cur'), state: 'link', src: app });
  t.is(readlinkSync(join(d, 'cur')), app);
  await converges(t, d, 'file', { path: join(app, 'a'), mode: 'o+r' });
  t.is(statSync(join(app, 'a')).mode & 0o7777, 0o754);
  await converges(t, d, 'file', { path: app, state: 'absent' });
  t.false(existsSync(app));
  t.true(lstatSync(join(d, 'cur')).isSymbolicLink(), 'the dangling link is left alone');
});

test('file: touch changes every time, as Ansible does', async (t) => {
  const d = freshDir();
  const p = join(d, 'stamp');
  const first = await runModule(conn, 'file', { path: p, state: 'touch' });
  t.is(first.status, 'changed');
  t.true(existsSync(p));
  const second = await runModule(conn, 'file', { path: p, state: 'touch' });
  t.is(second.status, 'changed');
});

test('lineinfile and blockinfile edit a real file', async (t) => {
  const d = freshDir();
  const cfg = join(d, 'sshd_config');
  writeFileSync(cfg, '#Port 22\nPermitRootLogin yes\n');
  await converges(t, d, 'lineinfile', { path: cfg, regexp: '^#?Port ', line: 'Port 2222' });
  await converges(t, d, 'lineinfile', { path: cfg, line: 'UseDNS no', insertafter: '^Port ' });
  await converges(t, d, 'lineinfile', { path: cfg, regexp: '^PermitRootLogin', state: 'absent' });
  t.is(readFileSync(cfg, 'utf8'), 'Port 2222\nUseDNS no\n');
  await converges(t, d, 'blockinfile', { path: cfg, block: 'Match User lab\n  X11Forwarding no' });
  t.is(readFileSync(cfg, 'utf8'), 'Port 2222\nUseDNS no\n# BEGIN ANSIBLE MANAGED BLOCK\nMatch User lab\n  X11Forwarding no\n# END ANSIBLE MANAGED BLOCK\n');
  await converges(t, d, 'lineinfile', { path: join(d, 'new', 'deeper', 'f'), line: 'x', create: true });
  t.is(readFileSync(join(d, 'new', 'deeper', 'f'), 'utf8'), 'x\n');
  const missing = await runModule(conn, 'lineinfile', { path: join(d, 'nosuch'), line: 'x' });
  t.is(missing.status, 'failed');
  t.false(existsSync(join(d, 'nosuch')));
});

test('stat and slurp report what the filesystem says', async (t) => {
  const d = freshDir();
  const f = join(d, 'f');
  writeFileSync(f, 'hello\n', { mode: 0o640 });
  symlinkSync(f, join(d, 'l'));
  const st = await runModule(conn, 'stat', { path: f });
  const s = st.plan.result?.stat as Record<string, unknown>;
  const real = statSync(f);
  t.like(s, {
    exists: true,
    isreg: true,
    isdir: false,
    islnk: false,
    mode: '0640',
    size: 6,
    uid: real.uid,
    gid: real.gid,
    mtime: Math.floor(real.mtimeMs / 1000),
    checksum: 'f572d396fae9206628714fb2ce00f72e94f2258f',
  });
  const ln = (await runModule(conn, 'stat', { path: join(d, 'l') })).plan.result?.stat as Record<string, unknown>;
  t.like(ln, { exists: true, islnk: true, lnk_target: f });
  const dir = (await runModule(conn, 'stat', { path: d })).plan.result?.stat as Record<string, unknown>;
  t.like(dir, { isdir: true });
  t.false('checksum' in dir);
  t.deepEqual((await runModule(conn, 'stat', { path: join(d, 'nosuch') })).plan.result?.stat, { exists: false });
  const sl = await runModule(conn, 'slurp', { src: f });
  t.is(Buffer.from(sl.plan.result?.content as string, 'base64').toString(), 'hello\n');
  t.is((await runModule(conn, 'slurp', { src: join(d, 'nosuch') })).status, 'failed');
});

test('command/shell: creates guard, chdir, stdin, rc and output', async (t) => {
  const d = freshDir();
  const marker = join(d, 'made');
  const first = await runModule(conn, 'command', { cmd: `touch ${marker}`, creates: marker });
  t.is(first.status, 'changed');
  t.is(first.applied?.result?.rc, 0);
  const second = await runModule(conn, 'command', { cmd: `touch ${marker}`, creates: marker });
  t.is(second.status, 'ok');
  t.regex(second.plan.msg ?? '', /since '.*made' exists/);
  const glob = await runModule(conn, 'shell', { cmd: 'false', creates: 'ma*', chdir: d });
  t.is(glob.status, 'ok', 'creates is a glob relative to chdir');
  const sh = await runModule(conn, 'shell', { cmd: 'pwd; cat; echo err >&2; exit 3', chdir: d, stdin: 'in' });
  t.is(sh.status, 'failed');
  t.like(sh.applied?.result ?? {}, { rc: 3, stdout: `${d}\nin`, stderr: 'err', stdout_lines: [d, 'in'] });
  t.is(sh.applied?.msg, 'non-zero return code');
  const dry = await runModule(conn, 'command', { cmd: `touch ${join(d, 'x')}` }, { check: true });
  t.is(dry.status, 'skipped');
  t.false(existsSync(join(d, 'x')));
});

test('injection: shell metacharacters in arguments, names and contents stay data', async (t) => {
  const d = freshDir();
  const canary = join(d, 'pwned');
  const evil = [`$(touch ${canary})`, `\`touch ${canary}\``, `; touch ${canary}`, `' ; touch ${canary} '`, `"\n touch ${canary}\n"`];
  for (const e of evil) {
    await runModule(conn, 'command', { argv: ['echo', e] });
    await runModule(conn, 'command', { cmd: `echo ${e.replaceAll("'", '').replaceAll('"', '')}` });
    const name = join(d, `f ${e.replaceAll('/', '_')}`);
    const r = await runModule(conn, 'copy', { content: `${e}\n`, dest: name, mode: '0644' });
    t.is(r.status, 'changed', `copy to ${JSON.stringify(name)}`);
    t.is(readFileSync(name, 'utf8'), `${e}\n`);
    t.is((await runModule(conn, 'lineinfile', { path: name, line: `x ${e}`, insertbefore: 'BOF' })).status, 'changed');
    t.is((await runModule(conn, 'stat', { path: name })).plan.result?.stat && true, true);
    await runModule(conn, 'file', { path: `${name}.d`, state: 'directory' });
    await runModule(conn, 'shell', { cmd: 'true', creates: e, chdir: d });
  }
  t.false(existsSync(canary), 'no metacharacter ran as a command');
});

test('package: reads installed versions with dpkg-query in one batch (check mode only)', async (t) => {
  // Only check mode and converged plans here: nothing may install or remove packages on this machine.
  const dry = await runModule(conn, 'package', { name: ['dpkg', 'nosuchpkg-tsplay'], state: 'absent' }, { check: true });
  t.is(dry.status, 'changed');
  const cur = dry.plan.result as { manager: string; installed: Record<string, string | null> };
  t.is(cur.manager, 'apt');
  t.regex(cur.installed.dpkg ?? '', /^\d/);
  t.is(cur.installed['nosuchpkg-tsplay'], null);
  t.deepEqual(
    dry.plan.changes.map((c) => c.property),
    ['package dpkg'],
  );
  const present = await runModule(conn, 'package', { name: 'dpkg' });
  t.is(present.status, 'ok');
  t.is(present.applied, undefined);
});

test('wait_for: a loopback port and a path that appears', async (t) => {
  const net = await import('node:net');
  const server = net.createServer((s) => s.end());
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as { port: number }).port;
  const open = await runModule(conn, 'wait_for', { port, host: '127.0.0.1', timeout: 5 });
  t.is(open.status, 'ok');
  await new Promise<void>((res) => server.close(() => res()));
  const stopped = await runModule(conn, 'wait_for', { port, host: '127.0.0.1', state: 'stopped', timeout: 5 });
  t.is(stopped.status, 'ok');
  const d = freshDir();
  const p = join(d, 'ready');
  // the file appears once wait_for has looked and not found it: on its first call on the host
  let looked = false;
  const appearsAfterFirstLook = new Proxy(conn, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function') return v;
      return async (...a: unknown[]) => {
        const r: unknown = await (v as (...x: unknown[]) => unknown).apply(target, a);
        if (!looked && ['run', 'shell', 'batch'].includes(String(prop))) {
          looked = true;
          writeFileSync(p, 'state: READY\n');
        }
        return r;
      };
    },
  });
  const waited = await runModule(appearsAfterFirstLook, 'wait_for', { path: p, search_regex: 'READY$', timeout: 5, sleep: 1 });
  t.true(looked, 'wait_for looked before the file appeared');
  t.is(waited.status, 'ok');
  t.true(waited.plan.unknowable);
  const late = await runModule(conn, 'wait_for', { path: join(d, 'never'), timeout: 1 });
  t.is(late.status, 'failed');
  t.regex(late.applied?.msg ?? '', /Timeout when waiting for file/);
});

test('reads odd paths right: newline in a name, dangling link, binary content, empty file', async (t) => {
  const d = freshDir();
  const odd = join(d, 'a\nS 81a4 0 0 1 1 root root');
  writeFileSync(odd, 'x');
  symlinkSync(join(d, 'gone'), join(d, 'dangling'));
  writeFileSync(join(d, 'empty'), '');
  const files = join(d, 'files');
  mkdirSync(files);
  const bin = Buffer.from([0, 255, 254, 10, 128]);
  writeFileSync(join(files, 'blob'), bin);
  const st = (await runModule(conn, 'stat', { path: odd })).plan.result?.stat as Record<string, unknown>;
  t.like(st, { exists: true, isreg: true, size: 1 });
  const dl = (await runModule(conn, 'stat', { path: join(d, 'dangling') })).plan.result?.stat as Record<string, unknown>;
  t.like(dl, { exists: true, islnk: true, lnk_target: join(d, 'gone') });
  t.deepEqual((await runModule(conn, 'stat', { path: join(d, 'dangling'), follow: true })).plan.result?.stat, { exists: false });
  await converges(t, d, 'copy', { src: 'blob', dest: join(d, 'blob.out') }, { files: [files] });
  t.deepEqual(readFileSync(join(d, 'blob.out')), bin);
  await converges(t, d, 'lineinfile', { path: join(d, 'empty'), line: 'first' });
  t.is(readFileSync(join(d, 'empty'), 'utf8'), 'first\n');
  symlinkSync('empty', join(d, 'to-empty'));
  await converges(t, d, 'lineinfile', { path: join(d, 'to-empty'), line: 'second' });
  t.true(lstatSync(join(d, 'to-empty')).isSymbolicLink(), 'editing through a link keeps the link');
  t.is(readFileSync(join(d, 'empty'), 'utf8'), 'first\nsecond\n');
  const binEdit = await runModule(conn, 'lineinfile', { path: join(d, 'blob.out'), line: 'x' });
  t.is(binEdit.status, 'failed');
  t.regex(binEdit.plan.msg ?? '', /not a UTF-8 text file/);
});

test('~ in paths and $VARS in command words expand on the host, as Ansible does', async (t) => {
  const d = freshDir();
  const env = { HOME: d, GREETING: 'hi there' };
  await converges(t, d, 'lineinfile', { path: '~/cfg', line: 'x=1', create: true }, { env });
  t.is(readFileSync(join(d, 'cfg'), 'utf8'), 'x=1\n');
  await converges(t, d, 'file', { path: '~/sub', state: 'directory' }, { env });
  t.true(statSync(join(d, 'sub')).isDirectory());
  await converges(t, d, 'copy', { content: 'c\n', dest: '~/sub/c', mode: '0600' }, { env });
  t.is(readFileSync(join(d, 'sub', 'c'), 'utf8'), 'c\n');
  const st = (await runModule(conn, 'stat', { path: '~/cfg' }, { env })).plan.result?.stat as Record<string, unknown>;
  t.like(st, { exists: true, path: join(d, 'cfg') });
  const cmd = await runModule(conn, 'command', { argv: ['echo', '$GREETING', '~/cfg', '${NOPE}'], creates: '~/nothing', chdir: '~/sub' }, { env });
  t.is(cmd.status, 'changed');
  t.is(cmd.applied?.result?.stdout, `hi there ${d}/cfg \${NOPE}`);
  t.deepEqual(cmd.applied?.result?.cmd, ['echo', '$GREETING', '~/cfg', '${NOPE}']);
  const guarded = await runModule(conn, 'command', { cmd: 'false', creates: '~/cf*' }, { env });
  t.is(guarded.status, 'ok');
  t.is(Buffer.from((await runModule(conn, 'slurp', { src: '~/cfg' }, { env })).plan.result?.content as string, 'base64').toString(), 'x=1\n');
});

test('copy --diff leaves out the content of a file larger than max_diff_size', async (t) => {
  const d = freshDir();
  const big = join(d, 'big');
  writeFileSync(big, 'x'.repeat(200_000));
  const r = await runModule(conn, 'copy', { content: 'small\n', dest: big }, { check: true, diff: true });
  t.is(r.status, 'changed');
  t.is(r.plan.changes[0]?.property, 'content');
  t.is(r.plan.changes[0]?.diff, undefined);
  writeFileSync(big, 'y'.repeat(104448));
  const edge = await runModule(conn, 'copy', { content: 'small\n', dest: big }, { check: true, diff: true });
  t.is(edge.plan.changes[0]?.diff?.before.length, 104448, 'exactly max_diff_size still diffs');
});

test('validate runs on the new content before it replaces the file; backup keeps the old one', async (t) => {
  const d = freshDir();
  const f = join(d, 'sudoers');
  writeFileSync(f, 'ok\n');
  const bad = await runModule(conn, 'copy', { content: 'broken\n', dest: f, validate: 'grep -q ^ok %s' });
  t.is(bad.status, 'failed');
  t.regex(bad.applied?.msg ?? '', /failed to validate/);
  t.is(readFileSync(f, 'utf8'), 'ok\n', 'the file is untouched');
  t.is(Object.keys(snapshot(d)).length, 2, 'no temp file is left behind');
  const good = await runModule(conn, 'lineinfile', { path: f, line: 'ok too', validate: 'grep -q ^ok %s', backup: true });
  t.is(good.status, 'changed');
  t.is(readFileSync(f, 'utf8'), 'ok\nok too\n');
  t.is(readFileSync(good.applied?.result?.backup_file as string, 'utf8'), 'ok\n');
});

test('copy: a directory tree, with and without the trailing slash', async (t) => {
  const d = freshDir();
  const files = join(d, 'files');
  mkdirSync(join(files, 'conf.d', 'sub'), { recursive: true });
  writeFileSync(join(files, 'conf.d', 'a.conf'), 'a\n');
  writeFileSync(join(files, 'conf.d', 'sub', 'b.conf'), 'b\n', { mode: 0o600 });
  const out = join(d, 'out');
  mkdirSync(out);
  await converges(t, out, 'copy', { src: 'conf.d', dest: out, mode: 'preserve' }, { files: [files] });
  t.is(readFileSync(join(out, 'conf.d', 'sub', 'b.conf'), 'utf8'), 'b\n');
  t.is(statSync(join(out, 'conf.d', 'sub', 'b.conf')).mode & 0o7777, 0o600);
  await converges(t, out, 'copy', { src: 'conf.d/', dest: join(out, 'flat') }, { files: [files] });
  t.is(readFileSync(join(out, 'flat', 'a.conf'), 'utf8'), 'a\n');
  writeFileSync(join(files, 'conf.d', 'a.conf'), 'a2\n');
  const changed = await runModule(conn, 'copy', { src: 'conf.d/', dest: join(out, 'flat') }, { files: [files] });
  t.is(changed.status, 'changed');
  t.deepEqual(
    changed.plan.changes.map((c) => c.property),
    [`${join(out, 'flat', 'a.conf')} content`],
  );
  t.deepEqual(changed.plan.changes[0]?.diff, { path: join(out, 'flat', 'a.conf'), before: 'a\n', after: 'a2\n' });
});

test('copy remote_src: a file already on the host, atomically, with mode', async (t) => {
  const d = freshDir();
  const src = join(d, 'src.conf');
  writeFileSync(src, 'remote\n', { mode: 0o600 });
  await converges(t, d, 'copy', { src, dest: join(d, 'dst.conf'), remote_src: true, mode: '0640' });
  t.is(readFileSync(join(d, 'dst.conf'), 'utf8'), 'remote\n');
  t.is(statSync(join(d, 'dst.conf')).mode & 0o7777, 0o640);
  writeFileSync(src, 'changed\n');
  const r = await runModule(conn, 'copy', { src, dest: join(d, 'dst.conf'), remote_src: true });
  t.is(r.status, 'changed');
  t.deepEqual(r.plan.changes[0]?.diff, { path: join(d, 'dst.conf'), before: 'remote\n', after: 'changed\n' });
  t.is(statSync(join(d, 'dst.conf')).mode & 0o7777, 0o640, 'the existing mode is kept');
  t.deepEqual(Object.keys(snapshot(d)).sort(), [d, join(d, 'dst.conf'), src].sort(), 'no temp file left');
});
