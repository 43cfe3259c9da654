// The registry names each module's file by hand (so a start loads only the modules a playbook
// uses): every entry must load the definition it names, under that name and those aliases, and
// every module file must be in the table.
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getModule, MODULE_FILES, moduleNames } from '../../engine/modules/registry.ts';

const dir = join(import.meta.dirname, '../../engine/modules');

test('each table entry loads the module of that name and aliases', (t) => {
  for (const [name, f] of Object.entries(MODULE_FILES)) {
    const m = getModule(name);
    t.is(m?.name, name, f.file);
    t.deepEqual([...(m?.aliases ?? [])], [...(f.aliases ?? [])], name);
    for (const a of f.aliases ?? []) t.is(getModule(a), m, a);
    t.is(getModule(`ansible.builtin.${name}`), m);
  }
  t.is(getModule('no_such_module'), undefined);
});

test('every module file at the top of engine/modules and in virt/ that defines a module is in the table', (t) => {
  const listed = new Set(Object.values(MODULE_FILES).map((f) => f.file));
  const defining = [...readdirSync(dir).map((f) => `./${f}`), ...readdirSync(join(dir, 'virt')).map((f) => `./virt/${f}`)].filter(
    (f) => f.endsWith('.ts') && !['./registry.ts', './types.ts'].includes(f),
  );
  for (const f of defining) {
    const src = readFileSync(join(dir, f), 'utf8');
    if (/^export const \w+Module\b/m.test(src)) t.true(listed.has(f), `${f} defines a module but is not in MODULE_FILES`);
  }
  t.is(moduleNames().length, Object.keys(MODULE_FILES).length);
});
