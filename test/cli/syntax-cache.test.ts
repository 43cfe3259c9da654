import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { buildTestBundle } from '../helpers/test-bundle.ts';

const root = new URL('../../', import.meta.url).pathname;

type Run = { status: number | null; stdout: string; stderr: string };
type Entry = { key: string; paths: [string, string][]; out: [number, string][] };

// The bundle replays a successful --syntax-check while nothing it read has changed
// (build/syntax-cache.js). Proof that a replay happened: the test rewrites the recorded output to
// "replayed"; a run that prints it replayed, one that prints the sources' output checked afresh.
test('the syntax check result cache: replayed while unchanged; any change to a file, a directory, the command or the environment checks afresh', (t) => {
  const out = buildTestBundle(t, 'bundle-results-test-');
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-results-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cacheDir = join(dir, 'cache');
  mkdirSync(join(dir, 'roles/r/tasks'), { recursive: true });
  mkdirSync(join(dir, 'inv/group_vars/all'), { recursive: true });
  writeFileSync(join(dir, 'inv/group_vars/all/a.yml'), 'x: 1\n');
  const task = join(dir, 'roles/r/tasks/main.yml');
  writeFileSync(task, '- name: say\n  debug:\n    msg: "{{ greeting }}"\n');
  writeFileSync(join(dir, 'inv/hosts.yml'), 'all:\n  hosts:\n    h1: { ansible_host: 127.0.0.1 }\n');
  writeFileSync(join(dir, 'pb.yml'), '- hosts: all\n  gather_facts: false\n  vars: { greeting: hi }\n  roles: [r]\n');

  const entry = (url: string): string =>
    `require('node:module').enableCompileCache(${JSON.stringify(cacheDir)}); import(${JSON.stringify(url)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`;
  const run = (url: string, args: string[], env: Record<string, string | undefined> = {}): Run => {
    const r = spawnSync(process.execPath, ['-e', entry(url), ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NODE_COMPILE_CACHE: undefined, TSPLAY_NO_RESULT_CACHE: undefined, ...env },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const bundle = pathToFileURL(join(out, 'main.js')).href;
  const sources = pathToFileURL(join(root, 'engine/cli/main.ts')).href;
  const args = ['pb.yml', '-i', 'inv', '--syntax-check'];
  const resultsFile = (): string | undefined => {
    const f = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).find((n) => /tsplay-.*-results\.json$/.test(n));
    return f === undefined ? undefined : join(cacheDir, f);
  };
  const entries = (): Entry[] => JSON.parse(readFileSync(resultsFile()!, 'utf8')) as Entry[];
  const tamper = (): void => {
    const file = resultsFile()!;
    writeFileSync(file, JSON.stringify(entries().map((e) => ({ ...e, out: [[1, Buffer.from('replayed\n').toString('base64')]] }))), { mode: 0o600 });
  };
  const REPLAYED: Run = { status: 0, stdout: 'replayed\n', stderr: '' };

  const expected = run(sources, args);
  t.is(expected.status, 0, expected.stderr);
  t.deepEqual(run(bundle, args), expected, 'first run: checked');
  t.is(entries().length, 1);
  const paths = new Map(entries()[0]!.paths);
  t.regex(paths.get(join(dir, 'pb.yml')) ?? '', /^f 644 \d+ [0-9a-f]{64}$/, 'the playbook by its content');
  t.truthy(paths.get(task), "the role's task file");
  t.regex(paths.get(join(dir, 'inv/group_vars/all')) ?? '', /^d /, 'a directory by its entries');
  t.is(paths.get(join(dir, 'inv/host_vars')), 'absent', 'a path looked for and missing');
  t.deepEqual(run(bundle, args), expected, 'second run: the same output');

  tamper();
  t.deepEqual(run(bundle, args), REPLAYED, 'nothing changed: replayed');

  // a file's content
  writeFileSync(task, '# a comment\n- name: say\n  debug:\n    msg: "{{ greeting }}"\n');
  t.deepEqual(run(bundle, args), expected, 'a task file changed: checked again');
  tamper();
  // a file added to a directory the run listed (no path the run looked up by name), with an error in it
  writeFileSync(join(dir, 'inv/group_vars/all/b.yml'), 'x: [\n');
  const broken = run(sources, args);
  t.not(broken.status, 0);
  t.regex(broken.stderr + broken.stdout, /b\.yml:\d+:\d+/);
  t.deepEqual(run(bundle, args), broken, 'a new group_vars file: checked, its error and position');
  rmSync(join(dir, 'inv/group_vars/all/b.yml'));
  t.deepEqual(run(bundle, args), REPLAYED, 'a failed check stored nothing; the file gone again, the entry holds');
  // the command line, the environment
  t.deepEqual(run(bundle, [...args, '-e', 'greeting=ho']), run(sources, [...args, '-e', 'greeting=ho']), 'other arguments: checked');
  t.deepEqual(run(bundle, args, { TSPLAY_TEST_VAR: '1' }), run(sources, args, { TSPLAY_TEST_VAR: '1' }), 'another environment: checked');
  t.deepEqual(run(bundle, args), REPLAYED, 'the original command still replays');
  t.deepEqual(run(bundle, args, { TSPLAY_NO_RESULT_CACHE: '1' }), run(sources, args, { TSPLAY_NO_RESULT_CACHE: '1' }), 'TSPLAY_NO_RESULT_CACHE=1: checked');

  // a file only its owner may read is never recorded (no digest of a secret is kept)
  const before = readFileSync(resultsFile()!, 'utf8');
  chmodSync(task, 0o600);
  t.deepEqual(run(bundle, args), expected, 'mode changed: checked');
  t.is(readFileSync(resultsFile()!, 'utf8'), before, 'and not recorded');
  chmodSync(task, 0o644);

  // a damaged cache file is ignored and replaced
  writeFileSync(resultsFile()!, '{ not json', { mode: 0o600 });
  t.deepEqual(run(bundle, args), expected, 'damaged cache: checked');
  t.is(entries().length, 1);
  // a cache file others may write is not trusted
  tamper();
  chmodSync(resultsFile()!, 0o666);
  t.deepEqual(run(bundle, args), expected, 'a cache file others may write: not replayed');
  t.true(existsSync(resultsFile()!));
});
