import test from 'ava';
import { parsePlaybookArgs } from '../../engine/cli/commands/playbook.ts';
import { parseExtraVars } from '../../engine/cli/parse-extra-vars.ts';
import { TsplayError } from '../../engine/errors/index.ts';

test('playbook options parse like ansible-playbook', (t) => {
  const o = parsePlaybookArgs(['site.yml', '-i', 'lab', '-i', 'h1,h2,', '-l', 'hv*', '-t', 'a,b', '-t', 'c', '-C', '-D', '-vvv', '-f', '7', '-e', 'x=1 y="a b"', '-e', '{"z": [1]}']);
  if (o === 'exit-ok') return t.fail();
  t.deepEqual(o.playbooks, ['site.yml']);
  t.deepEqual(o.inventories, ['lab', 'h1,h2,']);
  t.deepEqual(o.tags, ['a', 'b', 'c']);
  t.is(o.verbosity, 3);
  t.is(o.forks, 7);
  t.true(o.check && o.diff);
  t.deepEqual(o.extraVars, [{ x: '1', y: 'a b' }, { z: [1] }]);
});

test('an unknown flag is an E_OPTION error naming the flag', (t) => {
  const err = t.throws(() => parsePlaybookArgs(['site.yml', '--frobnicate']), { instanceOf: TsplayError });
  t.is(err?.code, 'E_OPTION');
  t.regex(err?.message ?? '', /--frobnicate/);
});

test('a bad -e is an E_OPTION error', (t) => {
  t.throws(() => parseExtraVars('novalue'), { instanceOf: TsplayError, message: /key=value/ });
});

test('-e JSON/YAML is typed as ansible-playbook types it (YAML 1.1: yes is true, y is a string)', (t) => {
  t.deepEqual(parseExtraVars('{a: yes, b: y, c: 017}'), { a: true, b: 'y', c: 15 });
});

test('-T/--timeout is the connect timeout in whole seconds; 0 or a word is E_OPTION', (t) => {
  const o = parsePlaybookArgs(['site.yml', '-T', '7']);
  t.is(o === 'exit-ok' ? undefined : o.timeout, 7);
  const d = parsePlaybookArgs(['site.yml']);
  t.is(d === 'exit-ok' ? null : d.timeout, undefined);
  for (const bad of ['0', 'soon']) {
    const err = t.throws(() => parsePlaybookArgs(['site.yml', '--timeout', bad]), { instanceOf: TsplayError });
    t.is(err?.code, 'E_OPTION');
  }
});

test("ansible's ad-hoc form is told from a playbook run by its -m/-a flag, not by values that look like one", async (t) => {
  const { isAdhoc } = await import('../../engine/cli/commands/adhoc.ts');
  t.true(isAdhoc(['all', '-i', 'inv', '-m', 'ping']));
  t.true(isAdhoc(['-i', 'inv', 'web*', '-a', 'uptime']));
  t.true(isAdhoc(['all', '-bm', 'ping']));
  t.true(isAdhoc(['all', '--module-name=ping']));
  t.false(isAdhoc(['site.yml', '-i', 'inv', '-e', '-a']), 'an -e value is not a flag');
  t.false(isAdhoc(['site.yml', '-l', '-m', '-vvv']));
  t.false(isAdhoc(['site.yml', '--', '-m']));
});

test('the ad-hoc task keeps k=v text free-form and takes a JSON object as a mapping', async (t) => {
  const { adhocTask, adhocPlaybook } = await import('../../engine/cli/commands/adhoc.ts');
  t.is(adhocTask('command', 'echo "a b" {{ x }}'), '"command": "echo \\"a b\\" {{ x }}"');
  t.is(adhocTask('copy', '{"content": "x", "dest": "/f"}'), '"copy": {"content": "x", "dest": "/f"}');
  t.is(adhocTask('debug', '{not json'), '"debug": "{not json"');
  t.is(adhocTask('ping', undefined), '"ping": {}');
  t.is(adhocPlaybook('web*:!db', 'ping', ''), '- hosts: "web*:!db"\n  gather_facts: false\n  tasks:\n    - "ping": {}\n');
});

test('ad-hoc options: the run options plus -m (default command) and -a', async (t) => {
  const { buildAdhocCommand } = await import('../../engine/cli/commands/adhoc.ts');
  const cmd = buildAdhocCommand();
  cmd.parse(['all', '-a', 'uptime', '-b', '-C', '-D', '-f', '3', '-l', 'h1', '-e', 'x=1', '--output', 'json'], { from: 'user' });
  t.like(cmd.opts(), { moduleName: 'command', args: 'uptime', become: true, check: true, diff: true, forks: 3, limit: 'h1', output: 'json' });
  t.deepEqual(cmd.args, ['all']);
});
