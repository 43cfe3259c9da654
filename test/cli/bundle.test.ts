import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import { buildTestBundle } from '../helpers/test-bundle.ts';
// @ts-expect-error plain JS without types: it runs before any .ts file
import { freshBundle } from '../../bin/fresh-bundle.js';

const root = new URL('../../', import.meta.url).pathname;
const fresh = freshBundle as (root: URL) => string | undefined;

test('a bundle runs only while every file its manifest lists has the recorded size and mtime', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-fresh-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const rootUrl = pathToFileURL(`${dir}/`);
  mkdirSync(join(dir, 'dist'));
  mkdirSync(join(dir, 'engine'));
  const src = join(dir, 'engine', 'a.ts');
  writeFileSync(src, 'export const a = 1;\n');
  utimesSync(src, 1_700_000_000, 1_700_000_000);
  t.is(fresh(rootUrl), undefined, 'no manifest: the sources');
  writeFileSync(join(dir, 'dist', 'manifest.json'), JSON.stringify({ files: { 'engine/a.ts': [20, 1_700_000_000_000] } }));
  t.is(fresh(rootUrl), new URL('dist/main.js', rootUrl).href);
  const before = process.env['TSPLAY_SOURCES'];
  process.env['TSPLAY_SOURCES'] = '1';
  t.teardown(() => {
    if (before === undefined) delete process.env['TSPLAY_SOURCES'];
    else process.env['TSPLAY_SOURCES'] = before;
  });
  t.is(fresh(rootUrl), undefined, 'TSPLAY_SOURCES=1: the sources');
  delete process.env['TSPLAY_SOURCES'];
  // an edit of the same length: only the mtime tells
  writeFileSync(src, 'export const a = 2;\n');
  t.is(fresh(rootUrl), undefined, 'edited after the build: the sources');
  utimesSync(src, 1_700_000_000, 1_700_000_000);
  t.truthy(fresh(rootUrl));
  rmSync(src);
  t.is(fresh(rootUrl), undefined, 'removed after the build: the sources');
});

// The bundle is built into a folder of its own: dist/ may be in use by other tests' runs.
test('the bundle prints what the sources print: syntax check, a regex on the worker thread, lineinfile, kickstart templates', (t) => {
  const out = buildTestBundle(t, 'bundle-test-');
  const work = mkdtempSync(join(tmpdir(), 'tsplay-bundle-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { files: Record<string, [number, number]> };
  t.truthy(manifest.files['engine/cli/main.ts']);
  t.truthy(manifest.files['node_modules/zod/package.json'], 'a package counts as its package.json');

  const playbook = join(work, 'pb.yml');
  writeFileSync(
    playbook,
    [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      '    - debug:',
      `        msg: "{{ regex_replace 'abbc' 'b+' 'X' }}"`,
      '    - lineinfile:',
      `        path: ${join(work, 'f.txt')}`,
      `        regexp: '^tw'`,
      '        line: TWO',
      '',
    ].join('\n'),
  );
  const runs: Array<{ args: string[]; expect: RegExp }> = [
    { args: ['site.yml', '-i', 'inventories/lab', '--syntax-check'], expect: /playbook: site\.yml/ },
    { args: ['site.yml', '-i', 'inventories/lab', '--list-tasks'], expect: /libvirt-network : Network/ },
    { args: [playbook], expect: /"msg": "aXc"[\s\S]*changed: \[localhost\]/ },
    { args: ['kickstart', '-i', 'inventories/lab', '--out', join(work, 'pxe'), '--check'], expect: /would create: ks\// },
  ];
  const entry = (url: string): string => `import(${JSON.stringify(url)}).then(async (m) => { process.exitCode = await m.main(process.argv.slice(1)); })`;
  for (const { args, expect } of runs) {
    const outputs = [pathToFileURL(join(root, 'engine/cli/main.ts')).href, pathToFileURL(join(out, 'main.js')).href].map((url) => {
      writeFileSync(join(work, 'f.txt'), 'one\ntwo\n');
      const r = spawnSync(process.execPath, ['-e', entry(url), ...args], { cwd: root, encoding: 'utf8' });
      t.is(r.status, 0, `${args.join(' ')} from ${url}: ${r.stderr}`);
      t.is(readFileSync(join(work, 'f.txt'), 'utf8'), args[0] === playbook ? 'one\nTWO\n' : 'one\ntwo\n');
      return r.stdout;
    });
    t.regex(outputs[1] ?? '', expect, args.join(' '));
    t.is(outputs[1], outputs[0], args.join(' '));
  }
});
