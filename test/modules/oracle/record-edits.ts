// Records real Ansible outcomes for the lineinfile/blockinfile edit cases in test/modules/edits/.
// Run by hand when cases are added: `node test/modules/oracle/record-edits.ts [lineinfile|blockinfile|modes|expand]`
// (needs ansible-core).
// Why an oracle: the edit functions claim Ansible's exact semantics; only Ansible can say what they are.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, isMap, isSeq, type Document } from 'yaml';

const here = new URL('../edits/', import.meta.url).pathname;
const version = execFileSync('ansible', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();

function runAnsible(module: string, args: Record<string, unknown>): Record<string, unknown> {
  // The ad-hoc `minimal` callback prints `localhost | CHANGED => {json}`; a failure exits 2.
  const r = spawnSync('ansible', ['localhost', '-c', 'local', '-i', 'localhost,', '-m', module, '-a', JSON.stringify(args)], {
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_NOCOLOR: '1' },
  });
  const at = r.stdout.indexOf('=>');
  if (at === -1) throw new Error(`unexpected ansible output: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout.slice(at + 2)) as Record<string, unknown>;
}

/**
 * recordEach runs `record` on every case of edits/NAME.yaml, each in a fresh temp directory,
 * and stores what it returns as the case's `ansible` answer.
 */
function recordEach<C extends { name: string }>(name: string, record: (c: C, dir: string) => unknown): void {
  const file = join(here, `${name}.yaml`);
  const doc: Document = parseDocument(readFileSync(file, 'utf8'));
  doc.set('recorded_with', version);
  const cases = doc.get('cases');
  if (!isSeq(cases)) throw new Error(`${file}: cases is not a list`);
  for (const node of cases.items) {
    if (!isMap(node)) continue;
    const c = node.toJSON() as C;
    const dir = mkdtempSync(join(tmpdir(), 'tsplay-oracle-'));
    try {
      const answer = record(c, dir);
      node.set('ansible', doc.createNode(answer));
      process.stdout.write(`${name}: ${c.name}: ${JSON.stringify(answer)}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

// `node record-edits.ts modes` records only that file; no argument records all of them.
const only = process.argv[2];
for (const module of ['lineinfile', 'blockinfile'].filter((m) => only === undefined || m === only)) {
  recordEach<{ name: string; before: string | null; args: Record<string, unknown> }>(module, (c, dir) => {
    const path = join(dir, 'sub', 'f');
    execFileSync('mkdir', ['-p', join(dir, 'sub')]);
    if (c.before !== null) writeFileSync(path, c.before);
    const r = runAnsible(module, { ...c.args, path });
    const after = existsSync(path) ? readFileSync(path, 'utf8') : null;
    const rec: Record<string, unknown> = { changed: r.changed === true, msg: r.msg ?? '', after };
    if (r.failed) rec.failed = true;
    return rec;
  });
}

// Modes: the file module on a fresh path whose mode is set first with chmod.
if (only === undefined || only === 'modes') {
  recordEach<{ name: string; start: string; dir: boolean; mode: string }>('modes', (c, dir) => {
    const path = join(dir, 'p');
    if (c.dir) execFileSync('mkdir', [path]);
    else writeFileSync(path, '');
    execFileSync('chmod', [c.start, path]);
    const r = runAnsible('file', { path, mode: c.mode });
    if (r.failed) throw new Error(`${c.name}: ${String(r.msg)}`);
    return execFileSync('stat', ['-c', '%04a', path], { encoding: 'utf8' }).trim();
  });
}

// Word expansion: Python's own posixpath with the file's env; `~user` homes come from a fake
// pwd lookup so the answer does not depend on this machine's passwd.
if (only === undefined || only === 'expand') {
  const file = join(here, 'expand.yaml');
  const doc: Document = parseDocument(readFileSync(file, 'utf8'));
  const data = doc.toJSON() as { env: Record<string, string>; homes: Record<string, string>; cases: { word: string }[] };
  const py = [
    'import json, sys, posixpath, pwd',
    'd = json.load(sys.stdin)',
    'class P:',
    '    def __init__(self, h): self.pw_dir = h',
    'def getpwnam(n):',
    '    if n in d["homes"]: return P(d["homes"][n])',
    '    raise KeyError(n)',
    'pwd.getpwnam = getpwnam',
    'import os',
    'os.environ.clear(); os.environ.update(d["env"])',
    'print(json.dumps([posixpath.expanduser(posixpath.expandvars(c["word"])) for c in d["cases"]]))',
  ].join('\n');
  const out = JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify(data), encoding: 'utf8' })) as string[];
  const pyVersion = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  doc.set('recorded_with', pyVersion);
  const cases = doc.get('cases');
  if (!isSeq(cases)) throw new Error(`${file}: cases is not a list`);
  cases.items.forEach((node, i) => {
    if (isMap(node)) node.set('python', out[i]);
  });
  writeFileSync(file, doc.toString({ lineWidth: 0 }));
  process.stdout.write(`expand: ${out.length} words\n`);
}
