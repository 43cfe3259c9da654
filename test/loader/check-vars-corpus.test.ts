// The load-time variable and src check (engine/loader/check-vars/) must never fail a playbook that
// runs: every playbook of the repo that ansible-playbook and tsplay run to completion goes through
// it with the CLI arguments it is run with, and none may get an error.
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parsePlaybookArgs } from '../../engine/cli/commands/playbook.ts';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { loadInventory } from '../../engine/inventory/index.ts';
import { loadPlaybooks } from '../../engine/loader/index.ts';
import type { Playbook } from '../../engine/loader/types.ts';

const repo = new URL('../../', import.meta.url).pathname;

/** check loads a playbook as `tsplay <argv>` would, the variable check included, and returns the -v notes. */
function check(cwd: string, argv: string[]): string[] {
  const o = parsePlaybookArgs(argv.map((a) => (a.startsWith('-') || a.includes('=') ? a : resolve(cwd, a))));
  if (o === 'exit-ok') throw new Error('exit-ok');
  const inventory = loadInventory(o.inventories, { baseDir: cwd });
  let pbs: Playbook[];
  try {
    pbs = loadPlaybooks(o.playbooks, {
      extraVars: Object.assign({}, ...o.extraVars),
      inventory,
      tags: o.tags,
      skipTags: o.skipTags,
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(o.startAtTask !== undefined ? { startAtTask: o.startAtTask } : {}),
    });
  } catch (e) {
    if (e instanceof TsplayErrors) throw new Error(e.errors.map((x) => `${x.code} ${x.pos?.file}:${x.pos?.line}:${x.pos?.col} ${x.message}`).join('\n'));
    throw e;
  }
  return pbs.flatMap((pb) => pb.notes ?? []);
}

const sem = join(repo, 'test/executor/semantics');
const cases = readFileSync(join(sem, 'cases.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => l.split('|').map((x) => x.trim()) as [string, string, string, string?]);

for (const [name, playbook, args, inv] of cases) {
  test(`semantics/${name}: no load-time error`, (t) => {
    const invs = (inv || 'inventory.ini').split(/\s+/).filter((i) => i !== '-');
    t.notThrows(() => check(sem, [playbook, ...invs.flatMap((i) => ['-i', i]), ...(args ? args.split(' ') : [])]));
  });
}

test('fixtures/multirole with its inventory and tag selections: no load-time error', (t) => {
  const dir = join(repo, 'test/fixtures/multirole');
  for (const extra of [[], ['--tags', 'never,untagged'], ['--tags', 'web,db', '--skip-tags', 'config'], ['--limit', 'web1']]) {
    t.notThrows(() => check(dir, ['site.yml', '-i', 'inventory.ini', ...extra]), extra.join(' '));
  }
});

test('fixtures/tags on the implicit localhost: no load-time error', (t) => {
  t.notThrows(() => check(join(repo, 'test/fixtures/tags'), ['site.yml']));
});

test('bench/playbook with a bench inventory (bench_root per host): no load-time error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-bench-inv-'));
  try {
    writeFileSync(join(dir, 'inv.ini'), '[bench]\nb1 ansible_connection=local bench_root=/tmp/b1\n');
    t.notThrows(() => check(join(repo, 'bench/playbook'), ['site.yml', '-i', join(dir, 'inv.ini')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('site.yml with inventories/lab: no load-time error', (t) => {
  t.notThrows(() => check(repo, ['site.yml', '-i', join(repo, 'inventories/lab')]));
});
