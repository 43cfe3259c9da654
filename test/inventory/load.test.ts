// The loadInventory contract other stages rely on, beyond what ansible-inventory's output shows.
import test from 'ava';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { loadInventory, mergeVarLayers, PRECEDENCE, precedenceMarkdown } from '../../engine/inventory/index.ts';

const corpus = fileURLToPath(new URL('./corpus/', import.meta.url));

test('a bare -i name means inventories/<name> beside the playbook; a missing one is E_INV_SOURCE', (t) => {
  const base = mkdtempSync(join(tmpdir(), 'tsplay-inv-'));
  try {
    mkdirSync(join(base, 'inventories', 'lab'), { recursive: true });
    writeFileSync(join(base, 'inventories', 'lab', 'hosts'), '[hv]\nhv1 ansible_port=2222\n');
    const inv = loadInventory(['lab'], { baseDir: base });
    t.deepEqual(inv.match('hv'), ['hv1']);
    t.is(inv.hostVars('hv1')['ansible_port'], 2222);
    const err = t.throws(() => loadInventory(['nope'], { baseDir: base }), { instanceOf: TsplayErrors });
    t.is(err?.errors[0]?.code, 'E_INV_SOURCE');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('no -i gives only the implicit localhost, with a local connection', (t) => {
  const inv = loadInventory([], { baseDir: corpus });
  t.is(inv.hosts.size, 0);
  t.deepEqual(inv.match('all'), []);
  t.deepEqual(inv.match('localhost'), ['localhost']);
  t.deepEqual(inv.hostVars('localhost'), { ansible_connection: 'local' });
});

test('public maps: direct groups and members, group vars with group_vars files', (t) => {
  const inv = loadInventory([join(corpus, 'group-vars-files', 'inventory')], { baseDir: corpus });
  t.deepEqual(inv.hosts.get('h1')?.groups, ['web']);
  t.deepEqual(inv.groups.get('app')?.children, ['web', 'db']);
  t.is(inv.groups.get('db')?.vars['db_port'], 5432);
  t.is(inv.hosts.get('h1')?.vars['who'], 'host_vars_h1');
  t.is(inv.hosts.get('h1')?.pos?.line, 4);
});

test('hostVarLayers are tagged with precedence levels and merge to hostVars', (t) => {
  const dir = join(corpus, 'playbook-dir');
  const inv = loadInventory([join(dir, 'inv', 'hosts')], { baseDir: dir });
  const layers = inv.hostVarLayers('h1', [join(dir, 'play')]);
  t.deepEqual(
    layers.map((l) => l.level),
    [
      'inventory_file_group_vars',
      'inventory_group_vars_all',
      'playbook_group_vars_all',
      'inventory_group_vars',
      'playbook_group_vars',
      'inventory_file_host_vars',
      'inventory_host_vars',
      'playbook_host_vars',
    ],
  );
  const merged = mergeVarLayers([...layers].reverse());
  t.is(merged['l5'], 'pb_gv_web');
  t.is(merged['l9'], 'pb_hv_h1');
  t.is(inv.hostVars('h1')['l9'], 'inv_hv_h1', 'without playbook dirs only the inventory counts');
  t.is(
    mergeVarLayers([
      { level: 'extra_vars', vars: { a: 'e' } },
      { level: 'role_defaults', vars: { a: 'd', b: 1 } },
    ])['a'],
    'e',
  );
});

test('the precedence table has Ansible 22 levels and renders as markdown', (t) => {
  t.is(PRECEDENCE.length, 22);
  t.is(PRECEDENCE[0]?.level, 'command_line_values');
  t.is(PRECEDENCE[21]?.level, 'extra_vars');
  t.is(precedenceMarkdown().split('\n').length, 24);
  const section = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  t.true(section.includes(precedenceMarkdown()), 'README.md shows the current table');
});
