// `tsplay kickstart` end to end, as a user runs it: the real CLI in a child process, real files in a
// temporary directory, a real HTTP fetch over 127.0.0.1 for --serve.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { waitFor } from '../helpers/wait-for.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'tsplay.js');
const corpus = fileURLToPath(new URL('./lint-corpus/', import.meta.url));

function tsplay(args: string[], cwd = root): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, 'kickstart', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${statSync(p).mtimeMs} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

function rawStatus(port: number, path: string): Promise<number | undefined> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      ok(res.statusCode);
    });
    req.on('error', fail);
    req.end();
  });
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'tsplay-ks-'));

test('generate writes the tree; regenerating unchanged data changes nothing', (t) => {
  const out = join(tmp(), 'out');
  const first = tsplay(['-i', 'inventories/pxe-example', '--out', out]);
  t.is(first.code, 0, first.err);
  t.regex(first.out, /7 guest\(s\): 30 created, 0 changed, 0 ok/);
  t.true(existsSync(join(out, 'ks/el7-ab.ks')) && existsSync(join(out, 'pxelinux.cfg/01-52-54-00-54-f4-75')) && existsSync(join(out, 'index.json')));
  t.regex(first.err, /warning\[KS_TEAM_FALLBACK\].*rhel10 has no teaming/);
  const before = snapshot(out);
  const second = tsplay(['-i', 'inventories/pxe-example', '--out', out]);
  t.is(second.code, 0);
  t.regex(second.out, /0 created, 0 changed, 30 ok/);
  t.deepEqual(snapshot(out), before);
  rmSync(dirname(out), { recursive: true, force: true });
});

test('--check --diff shows a unified diff and writes nothing', (t) => {
  const out = join(tmp(), 'out');
  t.is(tsplay(['-i', 'inventories/pxe-example', '--out', out, '-l', 'el8-rr']).code, 0);
  const ks = join(out, 'ks/el8-rr.ks');
  writeFileSync(ks, readFileSync(ks, 'utf8').replace('timezone Europe/Berlin --utc', 'timezone UTC --utc'));
  const before = snapshot(out);
  const r = tsplay(['-i', 'inventories/pxe-example', '--out', out, '--check', '--diff']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /--- a\/ks\/el8-rr\.ks\n\+\+\+ b\/ks\/el8-rr\.ks\n@@ [^\n]+\n( [^\n]*\n)*-timezone UTC --utc[^\n]*\n\+timezone Europe\/Berlin --utc[^\n]*\n/);
  t.regex(r.out, /would change: ks\/el8-rr\.ks/);
  t.regex(r.out, /--- \/dev\/null\n\+\+\+ b\/ks\/el7-ab\.ks/);
  t.regex(r.out, /would create: ks\/el7-ab\.ks/);
  t.regex(r.out, /check: nothing written/);
  t.deepEqual(snapshot(out), before);
  rmSync(dirname(out), { recursive: true, force: true });
});

test('a lint error in an overriding template exits 4, names the template line, writes nothing', (t) => {
  const dir = tmp();
  // the user's templates/ sits beside the inventory directory
  mkdirSync(join(dir, 'templates', 'kickstart'), { recursive: true });
  mkdirSync(join(dir, 'inv'));
  copyFileSync(join(root, 'inventories/pxe-example/hosts.yml'), join(dir, 'inv', 'hosts.yml'));
  // a hand-written teaming partial that forgets to escape the JSON for the installer
  const teaming = readFileSync(join(root, 'templates/kickstart/teaming.hbs'), 'utf8').replace('--teamslaves={{net.teamslaves}}', '--teamslaves="{{net.teamslaves_raw}}"');
  writeFileSync(join(dir, 'templates', 'kickstart', 'teaming.hbs'), teaming);
  const line = teaming.split('\n').findIndex((l) => l.includes('teamslaves_raw')) + 1;
  const out = join(dir, 'out');
  const r = tsplay(['-i', join(dir, 'inv'), '--out', out]);
  t.is(r.code, 4, r.err);
  t.regex(r.err, new RegExp(`${dir}/templates/kickstart/teaming\\.hbs:${line}:1: error\\[E_KS_LINT\\]: KS_TEAM_PORT_JSON: .*\\(host el7-ab\\)`));
  t.false(existsSync(out));
  rmSync(dir, { recursive: true, force: true });
});

test('bad data exits 4 naming the inventory file:line and the var path', (t) => {
  const dir = tmp();
  const hosts = readFileSync(join(root, 'inventories/pxe-example/hosts.yml'), 'utf8').replace('runner: roundrobin', 'runner: round-robin');
  writeFileSync(join(dir, 'hosts.yml'), hosts);
  const line = hosts.split('\n').findIndex((l) => l.includes('runner: round-robin')) + 1;
  const r = tsplay(['-i', join(dir, 'hosts.yml'), '--out', join(dir, 'out')]);
  t.is(r.code, 4);
  t.regex(r.err, new RegExp(`hosts\\.yml:${line}:\\d+: error\\[E_KS_DATA\\]: guest\\.team\\.runner: .*\\(host el8-rr\\)`));
  // a kickstart run runs nothing: the summary says what it guarantees
  t.regex(r.err, /tsplay kickstart: 1 error\(s\), nothing was written\n$/);
  t.false(r.err.includes('nothing was run'));
  t.false(existsSync(join(dir, 'out')));
  rmSync(dir, { recursive: true, force: true });
});

test('a bad or missing flag is E_OPTION, exit 5', (t) => {
  const bad = tsplay(['-i', 'inventories/pxe-example', '--out', 'x', '--frobnicate']);
  t.is(bad.code, 5);
  t.regex(bad.err, /E_OPTION.*--frobnicate/);
  t.is(tsplay(['-i', 'inventories/pxe-example']).code, 5);
  t.is(tsplay(['--lint', join(corpus, 'good-rhel9-timesource.ks')]).code, 5);
  t.is(tsplay(['--serve', 'nope', '--out', 'x']).code, 5);
});

test('--lint FILE --os checks a given kickstart', (t) => {
  const good = tsplay(['--lint', join(corpus, 'good-rhel7-team.ks'), '--os', 'centos7']);
  t.is(good.code, 0, good.err);
  t.regex(good.out, /ok for rhel7/);
  const file = join(corpus, 'unknown-option.ks');
  const line =
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('--enabeld')) + 1;
  const bad = tsplay(['--lint', file, '--os', 'rhel9']);
  t.is(bad.code, 4);
  t.true(bad.err.includes(`unknown-option.ks:${line}:1: error[E_KS_LINT]: KS_UNKNOWN_OPTION`), bad.err);
  // the installer ignores team options on rhel10 (a warning); the EL 7 group id is what it refuses
  const team = tsplay(['--lint', join(corpus, 'good-rhel7-team.ks'), '--os', 'rhel10']);
  t.is(team.code, 4, team.err);
  t.regex(team.err, /warning\[KS_TEAM_UNSUPPORTED\]/);
  t.regex(team.err, /error\[E_KS_LINT\]: KS_UNKNOWN_GROUP/);
});

test('--serve serves the tree over 127.0.0.1 and logs each request', async (t) => {
  const out = join(tmp(), 'out');
  t.is(tsplay(['-i', 'inventories/pxe-example', '--out', out, '-l', 'el7-ab']).code, 0);
  const child = spawn(process.execPath, [bin, 'kickstart', '--out', out, '--serve', '127.0.0.1:0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  try {
    const port = await new Promise<number>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no "serving" line: ${stdout}`)), 10_000);
      child.stdout.on('data', () => {
        const m = /serving .* on http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        if (m) {
          clearTimeout(timer);
          ok(Number(m[1]));
        }
      });
    });
    const res = await fetch(`http://127.0.0.1:${port}/ks/el7-ab.ks`);
    t.is(res.status, 200);
    t.is(await res.text(), readFileSync(join(out, 'ks/el7-ab.ks'), 'utf8'));
    const pxe = await fetch(`http://127.0.0.1:${port}/pxelinux.cfg/01-52-54-00-54-f4-75`);
    t.regex(await pxe.text(), /BOOTIF=01-52-54-00-54-f4-75/);
    // fetch() would normalise the dots away; a raw request sends them as a hostile client would
    t.is(await rawStatus(port, '/%2e%2e/%2e%2e/etc/passwd'), 404);
    t.is(await rawStatus(port, '/../ks/el7-ab.ks'), 200);
    t.is((await fetch(`http://127.0.0.1:${port}/ks/`)).status, 404);
    // the server logs after it answered: wait for the line instead of sleeping
    await waitFor(() => /"GET \/ks\/" 404/.test(stdout), 'the log line of the last request');
    t.regex(stdout, /127\.0\.0\.1 "GET \/ks\/el7-ab\.ks" 200 \d+/);
    t.regex(stdout, /"GET \/%2e%2e\/%2e%2e\/etc\/passwd" 404/);
  } finally {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    t.is(await exited, 0);
    rmSync(dirname(out), { recursive: true, force: true });
  }
});
