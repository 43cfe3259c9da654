// Results compared with real Ansible (ansible-core, the oracle installed by test/setup-host.sh):
// one ansible-playbook run on localhost registers stat/command/shell/slurp/copy results for
// paths in a temp dir; tsplay's modules, driven by the executor's own driveModule, must register
// every key Ansible does with the same value, except the omissions listed (with their reason) in
// oracle/omissions.yaml.
import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
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

interface Omissions {
  volatile: Record<string, string>;
  stat: Record<string, string>;
  result: Record<string, Record<string, string>>;
}
const omitted = parse(readFileSync(new URL('./oracle/omissions.yaml', import.meta.url), 'utf8')) as Omissions;

test("every key Ansible registers for stat, command, shell, slurp and copy is in tsplay's registered result, equal", async (t) => {
  const conn = new LocalConnection('localhost');
  const ours: Record<string, Record<string, unknown>> = {};
  for (const [name, module, args] of tasks) ours[name] = (await runModule(conn, module, args)).registered;
  rmSync(join(dir, 'c'));
  const theirs = ansibleResults();
  for (const [name] of tasks) {
    const a = theirs[name]!;
    const o = ours[name]!;
    for (const key of Object.keys(a)) {
      if (omitted.result[name]?.[key] !== undefined) {
        t.false(key in o, `${name}.${key} is listed as omitted but tsplay returns it: drop it from omissions.yaml`);
        continue;
      }
      t.true(key in o, `${name}: Ansible returns ${key}`);
      if (omitted.volatile[key] !== undefined) t.is(typeof o[key], typeof a[key], `${name}.${key}`);
      else if (key === 'stat') compareStat(t, name, o[key] as Record<string, unknown>, a[key] as Record<string, unknown>);
      else t.deepEqual(o[key], a[key], `${name}.${key}`);
    }
  }
});

function compareStat(t: ExecutionContext, name: string, o: Record<string, unknown>, a: Record<string, unknown>): void {
  for (const key of Object.keys(a)) {
    if (omitted.stat[key] !== undefined) continue;
    // Ansible's mtime is a float; tsplay reports whole seconds.
    const want = key === 'mtime' ? Math.floor(a[key] as number) : a[key];
    t.deepEqual(o[key], want, `${name}.stat.${key}`);
  }
}
