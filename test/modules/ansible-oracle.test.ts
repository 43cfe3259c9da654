// Results compared with real Ansible (ansible-core, the oracle installed by test/setup-host.sh):
// one ansible-playbook run on localhost registers stat/command/shell/slurp/copy results for
// paths in a temp dir, and tsplay's modules must return the same values for the keys they share.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.ts';
import { runModule } from './support/drive.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsplay-oracle-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const f = join(dir, 'f');
const d = join(dir, 'd');
const l = join(dir, 'l');
writeFileSync(f, 'hello\n', { mode: 0o640 });
mkdirSync(d);
symlinkSync(f, l);

type Task = [name: string, module: string, args: Record<string, unknown>];
const tasks: Task[] = [
  ['stat_f', 'stat', { path: f }],
  ['stat_d', 'stat', { path: d }],
  ['stat_l', 'stat', { path: l }],
  ['stat_lf', 'stat', { path: l, follow: true }],
  ['stat_none', 'stat', { path: join(dir, 'none') }],
  ['cmd', 'command', { cmd: `echo "a  b" '$HOME'` }],
  ['sh', 'shell', { cmd: 'printf "x\\n\\n"; printf "e\\n" >&2', chdir: dir }],
  ['skip', 'command', { cmd: 'false', creates: f }],
  ['slurp', 'slurp', { src: f }],
  ['copy', 'copy', { content: 'hello\n', dest: join(dir, 'c') }],
];

function ansibleResults(): Record<string, Record<string, unknown>> {
  const out = join(dir, 'out.json');
  const play = [
    {
      hosts: 'localhost',
      gather_facts: false,
      tasks: [
        ...tasks.map(([name, module, args]) => ({ name, [module]: args, register: name })),
        { copy: { content: `{{ {${tasks.map(([n]) => `'${n}': ${n}`).join(', ')}} | to_json }}`, dest: out } },
      ],
    },
  ];
  const pb = join(dir, 'pb.json');
  writeFileSync(pb, JSON.stringify(play));
  execFileSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', pb], {
    env: { ...process.env, ANSIBLE_PYTHON_INTERPRETER: 'auto_silent', ANSIBLE_NOCOLOR: '1' },
    stdio: 'ignore',
  });
  return JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>;
}

test('stat, command, shell, slurp and copy results match Ansible', async (t) => {
  const conn = new LocalConnection('localhost');
  const ours: Record<string, Record<string, unknown>> = {};
  for (const [name, module, args] of tasks) {
    const r = await runModule(conn, module, args);
    ours[name] = { ...(r.plan.result ?? {}), ...(r.applied?.result ?? {}), ...(r.plan.msg !== undefined ? { msg: r.plan.msg } : {}), changed: r.status === 'changed' };
  }
  rmSync(join(dir, 'c'));
  const theirs = ansibleResults();
  for (const k of ['stat_f', 'stat_d', 'stat_l', 'stat_lf', 'stat_none']) {
    const o = ours[k]!.stat as Record<string, unknown>;
    const a = theirs[k]!.stat as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      // Ansible's mtime is a float; tsplay reports whole seconds.
      const want = key === 'mtime' ? Math.floor(a[key] as number) : a[key];
      t.deepEqual(o[key], want, `${k}.stat.${key}`);
    }
  }
  for (const k of ['cmd', 'sh', 'skip']) {
    for (const key of ['cmd', 'rc', 'stdout', 'stderr', 'stdout_lines', 'stderr_lines', 'changed']) {
      if (key in theirs[k]! && key in ours[k]!) t.deepEqual(ours[k]![key], theirs[k]![key], `${k}.${key}`);
      else if (k !== 'skip') t.true(key in ours[k]!, `${k} has ${key}`);
    }
  }
  t.is(ours.skip!.msg, theirs.skip!.msg);
  for (const key of ['content', 'encoding', 'source']) t.is(ours.slurp![key], theirs.slurp![key], `slurp.${key}`);
  for (const key of ['checksum', 'dest', 'size', 'state', 'changed']) t.deepEqual(ours.copy![key], theirs.copy![key], `copy.${key}`);
});
