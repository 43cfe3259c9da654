// What the load-time variable check leaves alone, and what it says at -v when it cannot decide
// (the error cases themselves are in bad/, the known sources in good/known-vars).
import test from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { loadInventory } from '../../engine/inventory/index.ts';
import { type LoadOptions, loadPlaybooks } from '../../engine/loader/index.ts';

const made: string[] = [];
test.after.always(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** load writes site.yml (and files) to a temp dir and loads it against a two-host inventory; it returns error codes with line:col, and the notes. */
function load(site: string, opts: Omit<LoadOptions, 'inventory'> = {}, files: Record<string, string> = {}): { errors: string[]; notes: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-checkvars-'));
  made.push(dir);
  writeFileSync(join(dir, 'site.yml'), site);
  writeFileSync(join(dir, 'inventory.ini'), 'h1 ansible_connection=local\nh2 ansible_connection=local\n');
  for (const [p, text] of Object.entries(files)) writeFileSync(join(dir, p), text);
  const inventory = loadInventory([join(dir, 'inventory.ini')], { baseDir: dir });
  try {
    const pbs = loadPlaybooks([join(dir, 'site.yml')], { ...opts, inventory });
    return { errors: [], notes: pbs.flatMap((p) => p.notes ?? []) };
  } catch (e) {
    if (!(e instanceof TsplayErrors)) throw e;
    return { errors: e.errors.map((x) => `${x.code} ${x.pos?.line}:${x.pos?.col}`), notes: [] };
  }
}

const play = (tasks: string, head = ''): string => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;

test('an unguarded read in a task that surely runs is an error; without the inventory there is no check', (t) => {
  const site = play('    - debug: msg="{{ nowhere }}"\n');
  t.deepEqual(load(site).errors, ['E_UNDEFINED_VAR 4:22']);
  t.notThrows(() => loadPlaybooks([join(made.at(-1)!, 'site.yml')]));
});

test('reads that may never happen are not errors: when above, rescue, ignore_errors, short-circuit, template loop, handler', (t) => {
  const tasks = [
    '    - debug: msg="{{ a1 }}"\n      when: inventory_hostname == "h1"\n',
    '    - block:\n        - debug: msg="{{ a2 }}"\n      rescue:\n        - debug: msg="{{ a3 }}"\n',
    '    - debug: msg="{{ a4 }}"\n      ignore_errors: true\n',
    '    - debug: msg=x\n      when: inventory_hostname == "h9" and a5 > 1\n',
    '    - debug: msg="{{ a6 }}"\n      loop: "{{ empty_list }}"\n',
    '    - debug: msg=x\n      notify: h\n',
  ].join('');
  t.deepEqual(load(`${play(tasks, '  vars:\n    empty_list: []\n')}  handlers:\n    - name: h\n      debug: msg="{{ a7 }}"\n`).errors, []);
});

test('tags decide which tasks run: a read in a task --tags does not select is not an error', (t) => {
  const site = play('    - debug: msg="{{ nowhere }}"\n      tags: [db]\n');
  t.deepEqual(load(site).errors, ['E_UNDEFINED_VAR 4:22']);
  t.deepEqual(load(site, { tags: ['web'] }).errors, []);
  t.deepEqual(load(site, { skipTags: ['db'] }).errors, []);
  t.deepEqual(load(play('    - debug: msg="{{ nowhere }}"\n      tags: [never]\n')).errors, []);
});

test('facts: gathered by this play or an earlier one, they are known', (t) => {
  const read = '    - debug: msg="{{ ansible_hostname }}"\n';
  t.deepEqual(load(play(read)).errors, ['E_UNDEFINED_VAR 4:22']);
  t.deepEqual(load(play(read).replace('gather_facts: false', 'gather_facts: true')).errors, []);
  t.deepEqual(load(`- hosts: all\n  tasks: []\n${play(read)}`).errors, []);
});

test('a play the engine cannot see through (templated include, include_vars, meta end_play) defers, and says so at -v', (t) => {
  const r = load(play('    - debug: msg="{{ nowhere }}"\n    - include_tasks: "{{ inventory_hostname }}.yml"\n'), {}, { 'h1.yml': '- debug: msg=x\n' });
  t.deepEqual(r.errors, []);
  t.is(r.notes.length, 1);
  t.regex(r.notes[0]!, /nowhere may be undefined but include_tasks \{\{ inventory_hostname \}\}\.yml is only known per host \(.*site\.yml:\d+:\d+\)/);
  t.deepEqual(load(play('    - debug: msg="{{ nowhere }}"\n    - include_vars: "{{ which }}.yml"\n')).errors, []);
  t.deepEqual(load(play('    - meta: end_play\n      when: x is defined\n    - debug: msg="{{ nowhere }}"\n')).errors, []);
});

test('--start-at-task skips the check and says so', (t) => {
  const r = load(play('    - debug: msg="{{ nowhere }}"\n'), { startAtTask: 'x' });
  t.deepEqual(r.errors, []);
  t.regex(r.notes[0]!, /--start-at-task/);
});

test('good/known-vars with gather_facts off: only the fact reads become errors', (t) => {
  const src = new URL('./good/known-vars/', import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-knownvars-'));
  made.push(dir);
  cpSync(src, dir, { recursive: true });
  writeFileSync(join(dir, 'site.yml'), readFileSync(join(dir, 'site.yml'), 'utf8').replace('gather_facts: true', 'gather_facts: false'));
  const inventory = loadInventory([join(dir, 'inventory.ini')], { baseDir: dir });
  const err = t.throws(() => loadPlaybooks([join(dir, 'site.yml')], { inventory, extraVars: { from_extra_vars: 1 } }), { instanceOf: TsplayErrors }) as TsplayErrors;
  t.deepEqual(
    err.errors.map((e) => `${e.code} ${e.pos?.line}:${e.pos?.col} ${e.message.split(' in ')[0]}`),
    ["E_UNDEFINED_VAR 22:18 undefined variable 'ansible_hostname'"],
  );
});
