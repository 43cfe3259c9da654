// Input the engine must refuse cleanly, through the real CLI: devices, files beyond the size cap,
// YAML that nests too deep or whose aliases explode, a --junit path that cannot be written, broken
// --limit patterns. Each must end in a coded error naming the file (and place) with exit 4 or 5,
// never an internal error or a stack. Node runs with a small heap so a regression fails fast
// instead of eating the machine. Also: EPIPE on stdout ends the run quietly, and ints beyond 2^53
// print as their exact digits in --output json.
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '../../bin/tsplay.js');
const work = mkdtempSync(join(tmpdir(), 'tsplay-bounded-'));
const at = (name: string): string => join(work, name);

const OK_PLAY = '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function tsplay(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, ['--max-old-space-size=200', bin, ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** refused asserts a clean refusal: the exit code, the error code, no stack and no internal error. */
function refused(t: import('ava').ExecutionContext, r: Run, exit: number, code: string, mentions: RegExp): void {
  t.is(r.code, exit, r.stderr);
  t.regex(r.stderr, new RegExp(`error\\[${code}\\]`));
  t.regex(r.stderr, mentions);
  t.notRegex(r.stderr, /internal error|\n\s+at .*\(.*:\d+:\d+\)|RangeError|ReferenceError/);
  t.notRegex(r.stdout, /PLAY|TASK/);
}

function sparse(name: string, bytes: number): string {
  const fd = openSync(at(name), 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return at(name);
}

test.before(() => {
  writeFileSync(at('ok.yml'), OK_PLAY);
  writeFileSync(at('inv.ini'), 'localhost ansible_connection=local\n');
});
test.after.always(() => rmSync(work, { recursive: true, force: true }));

test('/dev/zero as playbook, inventory or -e @file is refused as not a regular file', (t) => {
  refused(t, tsplay(['/dev/zero', '--syntax-check']), 4, 'E_FILE_READ', /\/dev\/zero is not a regular file/);
  refused(t, tsplay(['ok.yml', '-i', '/dev/zero', '--syntax-check']), 4, 'E_FILE_READ', /\/dev\/zero is not a regular file/);
  refused(t, tsplay(['ok.yml', '-e', '@/dev/zero', '--syntax-check']), 5, 'E_OPTION', /\/dev\/zero is not a regular file/);
});

test('files beyond the 16 MiB cap are refused before they are read, naming file and cap', (t) => {
  // sparse: 50 MB on the size, nothing on disk
  sparse('huge.yml', 50_000_000);
  writeFileSync(at('uses-huge-vars.yml'), '- hosts: localhost\n  gather_facts: false\n  vars_files: [huge.yml]\n  tasks: []\n');
  const cap = /huge\.yml is 47\.7 MiB, larger than the 16 MiB tsplay reads per file/;
  refused(t, tsplay(['huge.yml', '--syntax-check']), 4, 'E_INPUT_TOO_LARGE', cap);
  refused(t, tsplay(['ok.yml', '-i', 'huge.yml', '--syntax-check']), 4, 'E_INPUT_TOO_LARGE', cap);
  refused(t, tsplay(['ok.yml', '-e', '@huge.yml', '--syntax-check']), 4, 'E_INPUT_TOO_LARGE', cap);
  refused(t, tsplay(['uses-huge-vars.yml', '--syntax-check']), 4, 'E_INPUT_TOO_LARGE', cap);
});

test('TSPLAY_MAX_FILE_SIZE sets the cap; a malformed value is a bad option', (t) => {
  writeFileSync(at('two-k.yml'), `${OK_PLAY}# ${'x'.repeat(2048)}\n`);
  refused(t, tsplay(['two-k.yml', '--syntax-check'], { TSPLAY_MAX_FILE_SIZE: '1K' }), 4, 'E_INPUT_TOO_LARGE', /larger than the 1 KiB/);
  t.is(tsplay(['two-k.yml', '--syntax-check'], { TSPLAY_MAX_FILE_SIZE: '4K' }).code, 0);
  refused(t, tsplay(['two-k.yml', '--syntax-check'], { TSPLAY_MAX_FILE_SIZE: 'lots' }), 5, 'E_OPTION', /TSPLAY_MAX_FILE_SIZE="lots"/);
});

test('a 3,000-deep block mapping and a 100,000-deep JSON are E_YAML_LIMIT with their place', (t) => {
  let block = 'top:\n';
  for (let i = 1; i <= 3000; i++) block += `${' '.repeat(i)}a:\n`;
  writeFileSync(at('deep-block.yml'), block);
  writeFileSync(at('deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  refused(t, tsplay(['ok.yml', '-e', '@deep-block.yml', '--syntax-check']), 4, 'E_YAML_LIMIT', /deep-block\.yml:\d+:\d+: error\[E_YAML_LIMIT\]: YAML nests deeper than 500 levels/);
  refused(t, tsplay(['ok.yml', '-e', '@deep.json', '--syntax-check']), 4, 'E_YAML_LIMIT', /deep\.json:1:\d+: error\[E_YAML_LIMIT\]/);
  refused(t, tsplay(['ok.yml', '-i', 'deep-block.yml', '--syntax-check']), 4, 'E_YAML_LIMIT', /deep-block\.yml:\d+:\d+: /);
});

test('an alias bomb, a NUL byte and a !!python tag in -e @file are coded errors at their place', (t) => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 10; i++) {
    const n = String.fromCharCode(97 + i);
    lines.push(
      `${n}: &${n} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  }
  writeFileSync(at('bomb.yml'), `${lines.join('\n')}\n`);
  writeFileSync(at('nul.yml'), 'a: 1\nb: "x\0y"\n');
  writeFileSync(at('py.yml'), 'a: !!python/object/apply:os.system ["id"]\n');
  refused(t, tsplay(['ok.yml', '-e', '@bomb.yml', '--syntax-check']), 4, 'E_YAML_LIMIT', /bomb\.yml:6:8: error\[E_YAML_LIMIT\]: aliases expand/);
  refused(t, tsplay(['ok.yml', '-e', '@nul.yml', '--syntax-check']), 4, 'E_YAML_SYNTAX', /nul\.yml:2:6: error\[E_YAML_SYNTAX\]: unacceptable character #x0000/);
  refused(
    t,
    tsplay(['ok.yml', '-e', '@py.yml', '--syntax-check']),
    4,
    'E_YAML_SYNTAX',
    /py\.yml:1:4: error\[E_YAML_SYNTAX\]: could not determine a constructor for the tag 'tag:yaml\.org,2002:python\/object\/apply:os\.system'/,
  );
});

test('a --junit path in a missing directory is refused before the play runs', (t) => {
  refused(t, tsplay(['ok.yml', '-i', 'inv.ini', '--junit', 'no/such/dir/report.xml']), 5, 'E_OPTION', /--junit no\/such\/dir\/report\.xml: directory .* does not exist/);
});

test("--limit '~[' and an empty --limit are E_PATTERN naming the pattern; nothing runs", (t) => {
  refused(t, tsplay(['ok.yml', '-i', 'inv.ini', '-l', '~[']), 4, 'E_PATTERN', /Invalid host pattern '~\['/);
  refused(t, tsplay(['ok.yml', '-i', 'inv.ini', '-l', '']), 4, 'E_PATTERN', /empty host pattern ''/);
  refused(t, tsplay(['ok.yml', '-i', 'inv.ini', '-l', ' , ']), 4, 'E_PATTERN', /empty host pattern ' , '/);
  // empty parts beside a real one are dropped, as Ansible drops them
  t.is(tsplay(['ok.yml', '-i', 'inv.ini', '-l', 'localhost,,', '--output', 'plain']).code, 0);
});

test('ints beyond 2^53 print as their exact digits in --output json', (t) => {
  writeFileSync(at('big.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: var=big\n');
  const r = tsplay(['big.yml', '-i', 'inv.ini', '-e', '{"big": 12345678901234567890}', '--output', 'json']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /"result":\{"big":12345678901234567890,/);
  t.notRegex(r.stdout, /internal error/);
});

test('EPIPE on stdout (tsplay … | head -2) ends the run quietly', async (t) => {
  let play = '- hosts: localhost\n  gather_facts: false\n  tasks:\n';
  for (let i = 0; i < 2000; i++) play += `    - debug: msg="line ${i} ${'x'.repeat(300)}"\n`;
  writeFileSync(at('many.yml'), play);
  const child = spawn(process.execPath, ['--max-old-space-size=200', bin, 'many.yml', '-i', 'inv.ini', '--output', 'plain'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // read the first chunk, then go away as `head` does
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  t.true(code === 0 || code === 99, `exit ${code}: ${stderr}`);
  t.notRegex(stderr, /EPIPE|internal error|Unhandled/);
});
