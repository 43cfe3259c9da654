// The parsed-YAML cache (engine/files/yaml-cache.ts) may only make a parse faster: a hit must give
// the document a fresh parse gives (values, node classes, positions), and a changed or broken file
// must be parsed again, with its errors at their file:line:col.
import test from 'ava';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isNode, isPair, type Node } from 'yaml';
import { Diagnostics } from '../../engine/errors/index.ts';
import { saveYamlCache, useYamlCache, yamlCacheStats } from '../../engine/files/yaml-cache.ts';
import { parseYamlText, type YamlFile } from '../../engine/files/yaml-file.ts';
import { parseDataFile } from '../../engine/inventory/yaml-data.ts';

const root = new URL('../../', import.meta.url).pathname;

/** every .yml under the checkout's playbook, roles, inventories and the loader's good cases */
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
const FILES = [join(root, 'site.yml'), ...['roles', 'inventories', 'playbooks', 'test/loader/good'].flatMap((d) => yamlFiles(join(root, d)))];

/** shape lists every node with its class, range and position, and the document's value */
function shape(f: YamlFile): unknown {
  const nodes: unknown[] = [];
  const walk = (n: unknown): void => {
    if (isPair(n)) {
      walk(n.key);
      walk(n.value);
    } else if (isNode(n)) {
      nodes.push([n.constructor.name, n.range, f.pos(n as Node), f.valuePos(n as Node), n.tag, (n as { type?: string }).type]);
      for (const c of (n as { items?: unknown[] }).items ?? []) walk(c);
    }
  };
  walk(f.doc.contents);
  return { nodes, value: f.doc.toJS({ maxAliasCount: -1 }), end: f.pos(f.doc.range[1]), errors: f.doc.errors.length, warnings: f.doc.warnings.length };
}

const parse = (file: string, text = readFileSync(file, 'utf8')): { f: YamlFile | undefined; diags: string[] } => {
  const diags = new Diagnostics();
  const f = parseYamlText(text, file, diags, true);
  return { f, diags: diags.items.map((d) => `${d.code} ${d.pos?.file}:${d.pos?.line}:${d.pos?.col} ${d.message}`) };
};

test.serial("a hit is the fresh parse of every YAML file in the checkout, and a changed or broken file is parsed again with its error's position", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-yaml-cache-'));
  t.teardown(() => {
    useYamlCache(undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  const cacheFile = join(dir, 'yaml.json');
  t.true(FILES.length > 40);
  const fresh = new Map(FILES.map((p) => [p, parse(p)]));

  useYamlCache(cacheFile);
  for (const p of FILES) t.deepEqual(shape(parse(p).f!), shape(fresh.get(p)!.f!), relative(root, p));
  const stored = yamlCacheStats().entries;
  t.true(stored >= FILES.length - 5, `${stored} of ${FILES.length} files cached`);
  saveYamlCache();

  useYamlCache(cacheFile); // a new process: read from the file
  for (const p of FILES) {
    const r = parse(p);
    t.deepEqual(r.diags, fresh.get(p)!.diags);
    t.deepEqual(shape(r.f!), shape(fresh.get(p)!.f!), relative(root, p));
  }
  t.is(yamlCacheStats().hits, stored);

  // same path, other text: a miss, parsed as it now is
  const site = join(root, 'site.yml');
  const changed = readFileSync(site, 'utf8').replace('hosts:', 'hosts:  ');
  const before = yamlCacheStats().hits;
  const reparsed = parse(site, changed).f!;
  t.is(yamlCacheStats().hits, before);
  useYamlCache(undefined);
  t.deepEqual(shape(reparsed), shape(parseYamlText(changed, site, new Diagnostics())!));

  // a cached file made invalid: its error, at its line and column
  const broken = `${readFileSync(site, 'utf8')}\n- hosts: [a\n`;
  useYamlCache(undefined);
  const expected = parse(site, broken).diags;
  useYamlCache(cacheFile);
  t.true(expected.length > 0 && /site\.yml:\d+:\d+/.test(expected[0]!), expected.join('\n'));
  t.deepEqual(parse(site, broken).diags, expected);
});

test.serial('files with a problem or a value JSON cannot carry are not cached; a foreign, writable or damaged cache file is ignored', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-yaml-cache-'));
  t.teardown(() => {
    useYamlCache(undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  const cacheFile = join(dir, 'yaml.json');
  useYamlCache(cacheFile);
  const p = join(dir, 'x.yml');
  // a duplicate key (reported, file still used), a date, a big integer, -0.0, an !!omap, a %YAML directive
  for (const text of ['a: 1\na: 2\n', 'd: 2001-12-14\n', 'n: 123456789012345678901234567890\n', 'z: -0.0\n', 'o: !!omap [a: 1]\n', '%YAML 1.2\n---\na: yes\n']) {
    writeFileSync(p, text, { mode: 0o644 });
    chmodSync(p, 0o644);
    const r = parse(p, text);
    const again = parse(p, text);
    t.deepEqual(again.diags, r.diags, text);
    t.deepEqual(again.f && shape(again.f), r.f && shape(r.f), text);
    t.is(yamlCacheStats().entries, 0, text);
  }
  // a file others may not read is not copied into the cache; -e text (not a file's) never is
  writeFileSync(p, 'secret: s3cret\n');
  chmodSync(p, 0o600);
  parse(p, 'secret: s3cret\n');
  parseYamlText('secret: s3cret\n', '--extra-vars', new Diagnostics());
  t.is(yamlCacheStats().entries, 0);
  chmodSync(p, 0o644);
  parse(p, 'secret: s3cret\n');
  t.is(yamlCacheStats().entries, 1);
  saveYamlCache();
  t.true(readFileSync(cacheFile, 'utf8').includes('s3cret'));
  chmodSync(p, 0o600);
  useYamlCache(cacheFile);
  parse(p, 'secret: s3cret\n');
  t.is(yamlCacheStats().hits, 0, 'made private since it was cached: parsed, and dropped from the cache');
  t.is(yamlCacheStats().entries, 0);
  saveYamlCache();
  t.false(readFileSync(cacheFile, 'utf8').includes('s3cret'), 'and from its file');

  // the inventory's failsafe parse
  const inv = join(root, 'inventories/lab/hosts.yml');
  const text = readFileSync(inv, 'utf8');
  const a = parseDataFile(inv, text, new Diagnostics())!;
  t.is(yamlCacheStats().entries, 1);
  const b = parseDataFile(inv, text, new Diagnostics())!;
  t.is(yamlCacheStats().hits, 1);
  t.deepEqual(b.doc.toJS(), a.doc.toJS());
  t.deepEqual(b.lc.lineStarts, a.lc.lineStarts);
  saveYamlCache();

  chmodSync(cacheFile, 0o666);
  useYamlCache(cacheFile);
  parseDataFile(inv, text, new Diagnostics());
  t.is(yamlCacheStats().hits, 0, 'a cache file others may write is not read');
  chmodSync(cacheFile, 0o600);
  writeFileSync(cacheFile, '[["failsafe\\u0000x", 1');
  useYamlCache(cacheFile);
  t.deepEqual(parseDataFile(inv, text, new Diagnostics())!.doc.toJS(), a.doc.toJS());
  t.is(yamlCacheStats().hits, 0, 'a damaged cache file is not read');
});
