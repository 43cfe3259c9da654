// Valid playbooks using forms that are easy to get wrong (test/loader/good/<case>/site.yml):
// each must load with no error, and the installed ansible-playbook --syntax-check accepts them too (run live).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybooks } from '../../engine/loader/index.ts';
import { formatListing } from '../../engine/loader/listing.ts';
import { loadYamlFile } from '../../engine/files/yaml-file.ts';
import { Diagnostics } from '../../engine/errors/index.ts';
import { loadInventory } from '../../engine/inventory/index.ts';
import type { Vars } from '../../engine/inventory/types.ts';
import { parse } from 'yaml';
import type { Block, Include, Task, TaskNode } from '../../engine/loader/types.ts';
import { caseEntries } from '../helpers/cases.ts';

const root = new URL('./good/', import.meta.url).pathname;
const all = (nodes: readonly TaskNode[]): TaskNode[] =>
  nodes.flatMap((n) => [n, ...(n.kind === 'block' ? all([...n.block, ...n.rescue, ...n.always]) : n.kind === 'include' ? all(n.tasks ?? []) : [])]);

const names = caseEntries(root, { needs: ['site.yml'] });

const bin = new URL('../../bin/tsplay.js', import.meta.url).pathname;
/** sortHostLines sorts the host lines under `hosts (N):` (Ansible prints a Python set there). */
const sortHostLines = (text: string): string =>
  text.replace(/(hosts \(\d+\):\n)((?: {6}\S.*\n?)*)/g, (_m, head: string, body: string) => `${head + body.split('\n').filter(Boolean).sort().join('\n')}\n`);

for (const name of names) {
  test(`good/${name} loads without errors`, (t) => {
    // checked against its inventory.ini (else the implicit localhost) and extra-vars.yml when present
    const dir = join(root, name);
    const inventory = loadInventory(existsSync(join(dir, 'inventory.ini')) ? [join(dir, 'inventory.ini')] : [], { baseDir: dir });
    const extraVars = existsSync(join(dir, 'extra-vars.yml')) ? (parse(readFileSync(join(dir, 'extra-vars.yml'), 'utf8')) as Vars) : {};
    const pbs = loadPlaybooks([join(dir, 'site.yml')], { inventory, extraVars });
    t.true(pbs[0]!.plays.length > 0);
    // pyyaml.json (when present): what PyYAML, Ansible's YAML reader, makes of site.yml
    const oracle = join(root, name, 'pyyaml.json');
    if (existsSync(oracle)) t.deepEqual(loadYamlFile(join(root, name, 'site.yml'), new Diagnostics())!.doc.toJS(), JSON.parse(readFileSync(oracle, 'utf8')));
    // ansible-list-hosts.txt (when present): what `ansible-playbook -i inventory.ini site.yml --list-hosts` printed
    const listHosts = join(root, name, 'ansible-list-hosts.txt');
    if (existsSync(listHosts)) {
      const r = spawnSync(process.execPath, [bin, '-i', 'inventory.ini', 'site.yml', '--list-hosts'], { cwd: join(root, name), encoding: 'utf8' });
      t.is(r.status, 0, r.stderr);
      t.is(sortHostLines(r.stdout), sortHostLines(readFileSync(listHosts, 'utf8')));
    }
  });
}

for (const name of names) {
  test(`good/${name}: ansible-playbook --syntax-check accepts it`, (t) => {
    const dir = join(root, name);
    const inventory = existsSync(join(dir, 'inventory.ini')) ? 'inventory.ini' : 'localhost,';
    const r = spawnSync('ansible-playbook', ['-i', inventory, 'site.yml', '--syntax-check'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: 'False' },
    });
    t.is(r.status, 0, `${r.stdout}${r.stderr}`);
    t.regex(r.stdout, /^playbook: site\.yml$/m);
  });
}

test('good/yaml-typing: y and n stay strings in play vars and loops', (t) => {
  const play = loadPlaybooks([join(root, 'yaml-typing', 'site.yml')])[0]!.plays[0]!;
  t.deepEqual([play.vars['n'], play.vars['y']], [1, 2]);
  t.deepEqual((play.tasks[0] as Task).loop?.items, ['x', 'y']);
});

test('good/tricky: what the tricky forms turn into', (t) => {
  const [pb] = loadPlaybooks([join(root, 'tricky', 'site.yml')]);
  const play = pb!.plays[0]!;
  t.true(play.become);
  t.false(play.gatherFacts);
  t.deepEqual(play.varsFilesVars, { a: 1, b: 2 });
  const nodes = all(play.tasks);
  const tasks = nodes.filter((n): n is Task => n.kind === 'task');
  t.deepEqual(tasks[1]!.args, { msg: 'hello world' });
  t.deepEqual(tasks[2]!.args, { msg: 'from-action' });
  t.deepEqual([tasks[3]!.module, tasks[3]!.args, tasks[3]!.delegateTo], ['command', { cmd: 'echo local', chdir: '/tmp' }, 'localhost']);
  t.is(tasks[4]!.args['cmd'], 'set -e\necho "a=b" > /dev/null');
  t.deepEqual(
    tasks[5]!.when.map((w) => w.source),
    ['True', '{{ svc_port > 1 }}', 'pkgs | length == 2'],
  );
  t.deepEqual(tasks[6]!.loop, { items: '{{ pkgs }}', loopVar: 'pkg', indexVar: 'idx', label: '{{ pkg }}', pos: tasks[6]!.loop!.pos, itemsPos: tasks[6]!.loop!.itemsPos });
  const inc = nodes.find((n): n is Include => n.kind === 'include')!;
  t.is(inc.what, 'include_role');
  t.deepEqual(
    inc.tasks?.map((x) => x.name),
    [undefined],
  );
  t.deepEqual((inc.tasks![0] as Block).role?.vars, { svc_user: 'www' });
  t.deepEqual(tasks.find((x) => x.module === 'meta')?.args, { free_form: 'flush_handlers' });
  t.deepEqual(
    tasks.at(-1)!.until?.map((u) => u.source),
    ['r is succeeded'],
  );
  t.is(tasks.at(-1)!.retries, 3);
  t.is(pb!.warnings?.length, 1);
  t.deepEqual(
    play.handlers.map((h) => h.name),
    ['reload svc'],
  );
});

test('good/tricky: --list-tasks --list-tags as ansible-playbook prints it (FQCN action, imports, includes)', (t) => {
  const dir = join(root, 'tricky');
  const [pb] = loadPlaybooks([join(dir, 'site.yml')]);
  const out = formatListing('site.yml', pb!.plays, { hosts: false, tasks: true, tags: true, only: [], skip: [], matchHosts: () => [] });
  t.is(out, readFileSync(join(dir, 'ansible-list-tasks-list-tags.txt'), 'utf8'));
});
