// Ad-hoc runs (`tsplay PATTERN -i INV -m MODULE -a ARGS`) end to end: the real CLI on real sshd
// hosts h1, h2, compared with what `ansible` 2.14 printed for the same command line
// (adhoc/expected/, made by adhoc/capture.sh; its VERSION file names the ansible that printed it).
// Hosts report in parallel, so host blocks are compared in host order.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shlexSplit } from '../../engine/py/shlex.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

const dir = join(import.meta.dirname, 'adhoc');
const bin = join(import.meta.dirname, '../../bin/tsplay.js');
let hosts: TestHosts;
let work: string;

test.before(async () => {
  hosts = await createTestHosts(2);
  work = mkdtempSync(join(tmpdir(), 'tsplay-adhoc-'));
  mkdirSync(join(work, 'home', '.ssh'), { recursive: true });
  writeFileSync(join(work, 'home', '.ssh', 'known_hosts'), readFileSync(hosts.knownHostsFile));
  writeFileSync(join(work, 'inventory.ini'), hosts.inventoryIni('test'));
});

test.after.always(async () => {
  await hosts?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tsplay(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args, '-i', 'inventory.ini'], { cwd: work, env: { ...process.env, HOME: join(work, 'home') } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** byHost splits ad-hoc output into per-host blocks (each starts with `NAME | `) in host order. */
function byHost(text: string): string[] {
  const blocks: string[] = [];
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (/^\S+ \| /.test(line) || blocks.length === 0) blocks.push(line);
    else blocks[blocks.length - 1] += `\n${line}`;
  }
  return blocks.sort();
}

const cases = readFileSync(join(dir, 'cases.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => l.split('|').map((x) => x.trim()) as [string, string]);

for (const [name, args] of cases) {
  test(`tsplay ${args}: prints what ansible printed (${name})`, async (t) => {
    const r = await tsplay(shlexSplit(args));
    const expected = (ext: string): string => readFileSync(join(dir, 'expected', `${name}.${ext}`), 'utf8');
    t.deepEqual(byHost(r.stdout), byHost(expected('stdout')), r.stderr);
    t.is(r.stdout.endsWith('\n'), expected('stdout').endsWith('\n'));
    t.is(r.stderr, expected('stderr'));
    t.is(r.code, Number(expected('rc').trim()));
  });
}

test('tsplay adhoc is the same run spelled as a subcommand', async (t) => {
  const r = await tsplay(['adhoc', 'h1', '-m', 'ping']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, readFileSync(join(dir, 'expected', 'limit.stdout'), 'utf8').replace('h2', 'h1'));
});

test('bad input: an unknown module or argument is an error naming it and nothing runs (exit 4); a bad flag exits 5', async (t) => {
  const unknown = await tsplay(['h1', '-m', 'nosuch']);
  t.is(unknown.code, 4);
  t.is(unknown.stdout, '');
  t.regex(unknown.stderr, /^error\[E_UNKNOWN_MODULE\]: -m: unknown module "nosuch"$/m);
  const arg = await tsplay(['all', '-m', 'file', '-a', 'path=/tmp/x bogus=1']);
  t.is(arg.code, 4);
  t.is(arg.stdout, '', 'nothing ran on any host');
  t.regex(arg.stderr, /^error\[E_ARG_UNKNOWN\]: -a: file: unsupported argument "bogus"$/m);
  t.regex(arg.stderr, /nothing was run/);
  const undefinedVar = await tsplay(['h1', '-m', 'debug', '-a', 'msg={{ nope }}']);
  t.is(undefinedVar.code, 4);
  t.regex(undefinedVar.stderr, /nope/);
  const flag = await tsplay(['h1', '-m', 'ping', '--frobnicate']);
  t.is(flag.code, 5);
  t.regex(flag.stderr, /--frobnicate/);
});

test('-C -D on a file module shows the diff, then the result, and changes nothing; --output json stays events', async (t) => {
  const path = join(hosts.byName.get('h1')!.root, 'motd');
  const r = await tsplay(['h1', '-m', 'copy', '-a', `content=hello dest=${path}`, '-C', '-D']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`^--- before\\n\\+\\+\\+ after: ${path}\\n@@ -0,0 \\+1 @@\\n\\+hello\\n\\\\ No newline at end of file\\n\\nh1 \\| CHANGED => \\{\\n {4}"changed": true,`));
  t.throws(() => readFileSync(path));
  const j = await tsplay(['all', '-m', 'ping', '--output', 'json']);
  const events = j.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; ts: string });
  t.is(events.filter((e) => e.type === 'host-result').length, 2);
  t.true(events.every((e) => typeof e.ts === 'string'));
});
