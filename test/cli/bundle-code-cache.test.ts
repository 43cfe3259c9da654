import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { buildTestBundle } from '../helpers/test-bundle.ts';

const root = new URL('../../', import.meta.url).pathname;
// a second playbook of the repository, for the cache per playbook
const OTHER_PLAYBOOK = 'playbooks/lab-team.yml';

// (TSPLAY_NO_RESULT_CACHE=1 here: a replayed syntax check, build/syntax-cache.js, would not run
// the bundle at all; test/cli/syntax-cache.test.ts tests that cache.)
// dist/main.js runs the bundle with a V8 code cache of the functions a run called, written after
// a successful run into Node's compile cache directory (build/bundle-main.js). The cache may only
// make a run faster: same output whether it is absent, used, or damaged.
test('the bundle code cache: written after a successful run, used after, rewritten when damaged, never by a failed run, rewritten by a bigger run, replaced after a rebuild', (t) => {
  const out = buildTestBundle(t, 'bundle-cache-test-');
  const cacheDir = mkdtempSync(join(tmpdir(), 'tsplay-code-cache-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));
  // as bin/tsplay.js starts it: the compile cache on, in a directory of this test's own
  const entry = (url: string): string =>
    `require('node:module').enableCompileCache(${JSON.stringify(cacheDir)}); import(${JSON.stringify(url)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`;
  const run = (url: string, args: string[]): { status: number | null; stdout: string } => {
    const r = spawnSync(process.execPath, ['-e', entry(url), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: undefined, TSPLAY_NO_RESULT_CACHE: '1' } });
    return { status: r.status, stdout: r.stdout };
  };
  const caches = (): string[] =>
    readdirSync(cacheDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /tsplay-.*\.bin$/.test(f))
      .map((f) => join(cacheDir, f));
  const bundle = pathToFileURL(join(out, 'main.js')).href;
  const args = ['site.yml', '-i', 'inventories/lab', '--syntax-check'];
  const sources = run(pathToFileURL(join(root, 'engine/cli/main.ts')).href, args);
  t.is(sources.status, 0);

  const bad = run(bundle, ['no-such-playbook.yml', '-i', 'inventories/lab', '--syntax-check']);
  t.not(bad.status, 0);
  t.deepEqual(caches(), [], 'a failed run writes no cache');

  t.deepEqual(run(bundle, args), sources, 'no cache yet');
  const [cache] = caches();
  t.truthy(cache, 'the successful run wrote its cache');
  t.is(caches().length, 1);
  const written = statSync(cache!).mtimeMs;
  t.deepEqual(run(bundle, args), sources, 'with the cache');
  t.is(statSync(cache!).mtimeMs, written, 'an accepted cache is not written again');

  // the cache starts with its writer's CPU milliseconds: a run of twice that or more writes it anew
  const data = readFileSync(cache!);
  data.writeUInt32LE(1, 0);
  writeFileSync(cache!, data);
  t.deepEqual(run(bundle, args), sources, 'with the cache of a smaller run');
  t.true(readFileSync(cache!).readUInt32LE(0) > 1, 'a bigger run rewrote the cache');

  writeFileSync(cache!, 'not a code cache');
  t.deepEqual(run(bundle, args), sources, 'with a damaged cache');
  t.true(statSync(cache!).size > 1000, 'a rejected cache is written anew');

  t.deepEqual(run(bundle, ['inventory', '-i', 'inventories/lab', '--list']).status, 0);
  t.is(caches().length, 2, 'each kind of command has a cache of its own');

  // a check of another playbook has its own cache: a smaller playbook's would leave site.yml
  // compiling the rest every time (and the other way round)
  const siteCache = readFileSync(cache!);
  t.is(run(bundle, [OTHER_PLAYBOOK, '-i', 'inventories/lab', '--syntax-check']).status, 0);
  t.is(caches().length, 3, 'another playbook, another cache');
  t.deepEqual(readFileSync(cache!), siteCache, "site.yml's cache is left as it was");

  // a rebuild (here: a new mtime) makes a new cache, and its first write removes every file of the old build
  utimesSync(join(out, 'tsplay.cjs'), new Date(), new Date(Date.now() + 5000));
  t.deepEqual(run(bundle, args), sources, 'after a rebuild');
  t.is(caches().length, 1);
  t.false(caches().includes(cache!), 'the cache of the old build is gone');
});

// The bundle also keeps parsed YAML files (engine/files/yaml-cache.ts): a playbook made invalid
// after its parse was cached gets the error the sources give, at the same file:line:col.
test('the parsed-YAML cache: written after a successful run, and a file broken since then gets its error with its position', (t) => {
  const out = buildTestBundle(t, 'bundle-yaml-cache-test-');
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-yaml-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cacheDir = join(dir, 'cache');
  const entry = (url: string): string =>
    `require('node:module').enableCompileCache(${JSON.stringify(cacheDir)}); import(${JSON.stringify(url)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`;
  const run = (url: string, args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, ['-e', entry(url), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: undefined, TSPLAY_NO_RESULT_CACHE: '1' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const bundle = pathToFileURL(join(out, 'main.js')).href;
  const sources = pathToFileURL(join(root, 'engine/cli/main.ts')).href;
  const pb = join(dir, 'pb.yml');
  const good = '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: say\n      debug:\n        msg: hi\n';
  writeFileSync(pb, good);
  const args = ['pb.yml', '--syntax-check'];
  t.deepEqual(run(bundle, args), run(sources, args));
  const cacheFiles = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) => /tsplay-.*-yaml\.json$/.test(f));
  t.is(cacheFiles.length, 1);
  t.true(readFileSync(join(cacheDir, cacheFiles[0]!), 'utf8').includes('say'), 'the playbook is in the cache');
  t.deepEqual(run(bundle, args), run(sources, args), 'from the cache');

  for (const broken of [good.replace('msg: hi', 'msg: [hi'), good.replace('debug:', 'debugg:'), good.replace('    - name', '\t- name')]) {
    writeFileSync(pb, broken);
    const expected = run(sources, args);
    t.not(expected.status, 0);
    t.regex(expected.stderr + expected.stdout, /pb\.yml:\d+:\d+/);
    t.deepEqual(run(bundle, args), expected);
  }
});

// build/bundle.js writes the non-ASCII characters of bundled comments as \u{...} text, so that
// main.js reads the bundle as a one-byte string; a test bundle's output equals the sources' above.
test('the bundle is ASCII, its comments rewritten only', (t) => {
  const out = buildTestBundle(t, 'bundle-ascii-test-');
  const text = readFileSync(join(out, 'tsplay.cjs'), 'utf8');
  t.false(/[^\0-\x7f]/u.test(text));
  t.true(text.includes('\\u{'), 'the bundled packages have non-ASCII comments to rewrite');
});
