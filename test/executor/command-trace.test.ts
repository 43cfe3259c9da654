// TSPLAY_TRACE_COMMANDS (engine/executor/command-trace.ts): a run writes every remote call its
// tasks made, in order per host, and nothing of a no_log task; the bench's trace floor replays
// that file (bench/trace-replay.ts), which must run the very commands tsplay ran.
import test from 'ava';
import { execFile, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostReplay, readTrace } from '../../bench/trace-replay.ts';
import type { TracedCall } from '../../engine/executor/command-trace.ts';

const bin = join(import.meta.dirname, '../../bin/tsplay.js');

const PLAYBOOK = `
- hosts: all
  gather_facts: false
  vars:
    secret: "s3cr3t-value"
  tasks:
    - command: echo visible {{ inventory_hostname }}
    - command: echo {{ secret }}
      no_log: true
    - file: { path: "@DIR@/{{ inventory_hostname }}.d", state: directory, mode: "0755" }
    - copy: { dest: "@DIR@/{{ inventory_hostname }}.d/a.conf", content: "x = 2\\n", mode: "0640" }
    - lineinfile: { path: "@DIR@/{{ inventory_hostname }}.d/a.conf", regexp: "^x =", line: "x = 2" }
    - stat: { path: "@DIR@/{{ inventory_hostname }}.d/a.conf", checksum_algorithm: sha1 }
    - command: cat a.conf
      args: { chdir: "@DIR@/{{ inventory_hostname }}.d" }
      environment: { TRACE_ME: "1" }
`;

/** run runs the playbook on two local hosts with the trace on and returns the trace file's path. */
async function run(dir: string, name: string): Promise<string> {
  const trace = join(dir, `${name}.jsonl`);
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [bin, 'site.yml', '-i', 'inventory.ini'], { cwd: dir, env: { ...process.env, TSPLAY_TRACE_COMMANDS: trace } }, (err, out) =>
      err ? reject(new Error(`${err.message}\n${out}`)) : resolve(),
    ),
  );
  return trace;
}

function setUp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-trace-'));
  writeFileSync(join(dir, 'site.yml'), PLAYBOOK.replaceAll('@DIR@', dir));
  writeFileSync(join(dir, 'inventory.ini'), 'h1 ansible_connection=local\nh2 ansible_connection=local\n');
  return dir;
}

test('the trace holds every call per host in order, a put without its content, and nothing of a no_log task', async (t) => {
  const dir = setUp();
  const file = await run(dir, 'first');
  t.is(statSync(file).mode & 0o777, 0o600, 'command texts are private to the user');
  const text = readFileSync(file, 'utf8');
  t.false(text.includes('s3cr3t'), 'the no_log task left no call in the trace');
  const byHost = readTrace(text);
  t.deepEqual([...byHost.keys()].sort(), ['h1', 'h2']);
  const h1 = byHost.get('h1') ?? [];
  const first = h1[0] as TracedCall & { argv?: string[] };
  t.deepEqual(first.argv, ['echo', 'visible', 'h1'], 'the first call is the first task, with its own host name');
  const puts = h1.filter((c) => c.call === 'put');
  t.true(puts.length >= 1, 'the copy wrote through put');
  t.false(JSON.stringify(puts).includes('x = 2'), 'a put keeps the size, not the content');
  t.true(
    h1.some((c) => c.call === 'run' && 'argv' in c && c.argv[0] === 'cat' && c.opts?.cwd?.endsWith('h1.d') && c.opts.env?.['TRACE_ME'] === '1'),
    'chdir and environment are kept with the command',
  );
  t.throws(() => hostReplay(h1), { message: /the floor replays runs that change nothing/ }, 'a run that wrote cannot be a floor');
});

test('replayed on a plain sh, a no-change trace runs the very commands: same output, same exit code', async (t) => {
  const dir = setUp();
  await run(dir, 'first');
  const calls = readTrace(readFileSync(await run(dir, 'noop'), 'utf8')).get('h2') ?? [];
  const replay = hostReplay(calls);
  const lines = replay.trips.flat();
  const cmds = calls.flatMap((c) => (c.call === 'batch' ? c.cmds.map((cmd) => ({ cmd, opts: c.opts })) : c.call === 'run' || c.call === 'shell' ? [{ cmd: c, opts: c.opts }] : []));
  t.is(lines.length, cmds.length, 'one line per command');
  t.true(
    cmds.some(({ cmd }) => 'argv' in cmd && cmd.fixed === true),
    'the trace has fixed-script file probes',
  );
  for (const [i, line] of lines.entries()) {
    const { cmd, opts } = cmds[i] as (typeof cmds)[number];
    // what tsplay asked for, run the plain way: the argv (sh -c SCRIPT NAME ARGS for a fixed script)
    const argv = 'argv' in cmd ? cmd.argv : ['/bin/sh', '-c', cmd.script];
    const want = spawnSync(argv[0] as string, argv.slice(1), { cwd: opts?.cwd, env: { ...process.env, ...opts?.env }, encoding: 'utf8' });
    const got = spawnSync('/bin/sh', ['-c', `${replay.defs}\n${line}`], { encoding: 'utf8' });
    t.deepEqual([got.status, got.stdout], [want.status, want.stdout], line);
  }
});

/** tree lists a directory's entries as name, type, mode and size (content aside: the floor writes bytes, not the content). */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const s = lstatSync(join(dir, name));
      return `${name} ${s.isDirectory() ? 'd' : 'f'} ${(s.mode & 0o7777).toString(8)} ${s.isDirectory() ? '' : s.size}`;
    });
}

test('replayed with writes on a wiped host, a first-run trace leaves the tree tsplay left: same paths, modes and sizes', async (t) => {
  const dir = setUp();
  const calls = readTrace(readFileSync(await run(dir, 'first'), 'utf8')).get('h1') ?? [];
  const made = join(dir, 'h1.d');
  const want = tree(made);
  t.true(want.includes('a.conf f 640 6'), 'the first run wrote a.conf, mode 0640');
  rmSync(made, { recursive: true });
  const replay = hostReplay(calls, { writes: true });
  const put = replay.trips.flat().find((l) => l.includes('a.conf') && l.includes('printf %s '));
  t.regex(put ?? '', /else umask 0137; printf %s xxxxxx > /, "a.conf's put: six bytes by printf, its mode 0640 by the umask on a new file");
  const got = spawnSync('/bin/sh', { input: `${replay.defs}\n${replay.trips.flat().join('\n')}\n`, encoding: 'utf8' });
  t.is(got.status, 0, got.stderr);
  t.deepEqual(tree(made), want);
});
