// `tsplay doc` and the README's module table are generated from the module schemas; this keeps
// them honest: the README must be what the generator writes, every example must pass the loader's
// argument checks, and the declared change classes must be the ones the plan cases produce.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { argDocs, formatModuleDoc, withModuleTable } from '../../engine/cli/module-doc.ts';
import { loadPlaybooks } from '../../engine/loader/index.ts';
import { getModule, moduleNames } from '../../engine/modules/registry.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/tsplay.js');
const tsplay = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('the README module table is what `npm run docs:modules` generates (run it after changing a module)', (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const next = withModuleTable(readme);
  t.truthy(next, 'README.md has the module table markers');
  t.is(next, readme);
  for (const n of moduleNames()) t.true(readme.includes(`| \`${n}\` |`), n);
});

test('every module example passes the loader (module name and arguments checked as in a playbook)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-doc-'));
  try {
    let n = 0;
    for (const name of moduleNames()) {
      const ex = getModule(name)?.example;
      if (ex === undefined) continue;
      n++;
      const file = join(dir, `${name}.yml`);
      writeFileSync(
        file,
        `- hosts: all\n  gather_facts: false\n  tasks:\n${ex
          .split('\n')
          .map((l) => (l ? `    ${l}` : l))
          .join('\n')}`,
      );
      t.notThrows(() => loadPlaybooks([file]), name);
    }
    t.true(n >= 15, `${n} modules have an example`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("declared change classes are exactly those the module's plan cases produce", (t) => {
  const found = new Map<string, Set<string>>();
  for (const sub of ['plans', 'virt-plans', 'team-plans']) {
    const dir = join(root, 'test/modules', sub);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const mod = basename(f, '.yaml');
      const set = found.get(mod) ?? new Set<string>();
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/class: ['"]?([a-z-]+)/g)) set.add(m[1]!);
      found.set(mod, set);
    }
  }
  for (const name of moduleNames()) {
    const declared = [...(getModule(name)?.classes ?? [])].sort();
    t.deepEqual(declared, [...(found.get(name) ?? [])].sort(), name);
  }
});

test('tsplay doc shows arguments with types, choices, aliases and required, read from the schema', (t) => {
  const sysctl = argDocs(getModule('sysctl')!);
  t.like(
    sysctl.find((a) => a.name === 'name'),
    { required: true, aliases: ['key'], type: 'str' },
  );
  t.deepEqual(sysctl.find((a) => a.name === 'state')?.choices, ['present', 'absent']);
  t.is(sysctl.find((a) => a.name === 'reload')?.type, 'bool');
  const r = tsplay(['doc', 'ansible.builtin.file']);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, formatModuleDoc(getModule('file')!));
  t.regex(r.stdout, /^= path\n {8}aliases: \[dest, name\]\n {8}type: str$/m);
  t.regex(r.stdout, /^- state\n {8}choices: \[file, directory, absent, link, touch\]/m);
  t.regex(r.stdout, /check_mode: yes/);
  t.regex(tsplay(['doc', 'virt_network']).stdout, /change classes: live, config, net-restart/);
});

test('tsplay doc --list lists every module once; an unknown module is an error naming it (exit 4)', (t) => {
  const list = tsplay(['doc', '--list']);
  t.is(list.status, 0);
  t.deepEqual(
    list.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(' ')[0]),
    moduleNames(),
  );
  const bad = tsplay(['doc', 'copyy']);
  t.is(bad.status, 4);
  t.is(bad.stdout, '');
  t.regex(bad.stderr, /module "copyy" not found/);
  t.regex(bad.stderr, /did you mean `copy`/);
  t.is(tsplay(['doc']).status, 5);
});
