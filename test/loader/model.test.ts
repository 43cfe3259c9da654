// What the loader builds from the multirole fixture: role order and dedupe, role data, handlers
// with listen, inlined imports, preloaded includes, k=v and free-form args, loops, positions.
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { loadPlaybooks } from '../../engine/loader/index.ts';
import type { Block, Include, Task, TaskNode } from '../../engine/loader/types.ts';

const dir = fileURLToPath(new URL('../fixtures/multirole/', import.meta.url));
const [pb] = loadPlaybooks([`${dir}site.yml`]);
const [web, db] = pb!.plays;

const tasksOf = (nodes: readonly TaskNode[]): Task[] => nodes.flatMap((n) => (n.kind === 'task' ? [n] : n.kind === 'block' ? tasksOf([...n.block, ...n.rescue, ...n.always]) : tasksOf(n.tasks ?? [])));
const named = (name: string): Task => tasksOf([...web!.preTasks, ...web!.tasks, ...web!.postTasks]).find((t) => t.name === name)!;

test('import_playbook is flattened and play keywords are read', (t) => {
  t.is(pb!.plays.length, 2);
  t.is(web!.name, 'Configure web servers');
  t.is(web!.hosts, 'webservers');
  t.false(web!.gatherFacts);
  t.deepEqual(web!.vars, { greeting: 'hello' });
  t.is(db!.name, 'dbservers');
  t.deepEqual(db!.tags, ['db']);
  t.true(db!.pos.file.endsWith('db.yml'));
});

test('roles come in dependency order, each once, with defaults, vars and params', (t) => {
  t.deepEqual(
    web!.roles.map((r) => r.name),
    ['base', 'common', 'web'],
  );
  const [, common, w] = web!.roles;
  t.deepEqual(common!.defaults, { common_motd: 'managed by tsplay' });
  t.deepEqual(w!.vars, { web_root: '/srv/www' });
  t.deepEqual(w!.params, { http_port: 8080 });
});

test('a dependency already placed in the play is kept for listing but marked as a duplicate', (t) => {
  const webBlock = web!.tasks[1] as Block;
  t.is(webBlock.role?.name, 'web');
  t.deepEqual(webBlock.tags, ['web']);
  const dep = webBlock.block[0] as Block;
  t.is(dep.role?.name, 'common');
  t.true(dep.roleDuplicate);
  t.falsy((web!.tasks[0] as Block).roleDuplicate);
});

test("handlers: role handlers first, then the play's, with listen topics", (t) => {
  t.deepEqual(
    web!.handlers.map((h) => [h.name, h.role?.name, h.listen]),
    [
      ['common changed', 'common', []],
      ['restart web', 'web', ['restart web stack']],
      ['restart app', undefined, ['restart web stack']],
    ],
  );
});

test('import_tasks is inlined as a block carrying its tags; include_tasks is preloaded', (t) => {
  const imp = web!.tasks[2] as Block;
  t.is(imp.kind, 'block');
  t.deepEqual(imp.tags, ['checks']);
  t.deepEqual(
    imp.block.map((x) => x.name),
    ['Check uptime', 'Check kernel'],
  );
  const inc = web!.tasks[3] as Include;
  t.is(inc.kind, 'include');
  t.is(inc.target, 'tasks/dynamic.yml');
  t.deepEqual(
    inc.tasks?.map((x) => x.name),
    ['Dynamic step'],
  );
});

test('k=v and free-form arguments, conditions and their positions', (t) => {
  const only = named('Only on success');
  t.deepEqual(only.args, { msg: 'risky rc {{ risky.rc }}' });
  t.deepEqual(
    only.when.map((w) => w.source),
    ['risky is succeeded and risky.rc == 0'],
  );
  t.deepEqual({ line: only.when[0]!.pos.line, col: only.when[0]!.pos.col }, { line: 29, col: 17 });
  t.deepEqual({ line: only.argPos['msg']!.line, col: only.argPos['msg']!.col }, { line: 28, col: 23 }); // after the quote, as a quoted YAML scalar's position
  t.deepEqual(named('Post check').args, { cmd: 'echo post', chdir: '/tmp' });
  t.is(named('Try the risky thing').register, 'risky');
  t.deepEqual(
    named('Try the risky thing').changedWhen?.map((e) => e.source),
    ['False'],
  );
  t.deepEqual(named('Reload via topic').notify, ['restart web stack']);
});

test('loop, loop_control and with_items', (t) => {
  const [, loop, old] = db!.tasks as Task[];
  t.deepEqual(loop!.loop?.items, [1, 2, 3]);
  t.is(loop!.loop?.label, '{{ item }}');
  t.is(loop!.loop?.loopVar, 'item');
  t.deepEqual(old!.loop?.items, ['a', 'b']);
});
