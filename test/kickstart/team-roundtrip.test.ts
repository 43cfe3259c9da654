// Every team spelling tsplay writes must mean the data once the installer reads it back: our own
// tokenizer + --teamslaves splitter, Python's shlex (python3 is on every test host via ansible-core)
// and pykickstart 3.74's recorded parse (data/pykickstart-oracle.json) must all agree.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { generateTree } from '../../engine/kickstart/generate.ts';
import { shlexSplit } from '../../engine/kickstart/ks-shlex.ts';
import { ksQuote, parseTeamSlaves, spellTeamSlaves } from '../../engine/kickstart/team-spelling.ts';
import { pyJson } from '../../engine/py/json.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

interface Case {
  name: string;
  refuse?: boolean;
  device: string;
  ports: { name: string; config: Record<string, unknown> }[];
  config: Record<string, unknown>;
}
interface OracleNet {
  device: string;
  teamslaves?: [string, string][];
  teamconfig?: string;
}
const spellings = new URL('./data/team-spellings.json', import.meta.url);
const cases = caseList<Case>(readCaseFile<{ cases?: unknown }>(spellings).cases, spellings, ['name', 'device', 'ports', 'config']);
const oracle = readCaseFile<{
  lines: { name: string; line: string; error: string | null; network: OracleNet[] }[];
  generated: { file: string; error: string | null; network: OracleNet[] }[];
}>(new URL('./data/pykickstart-oracle.json', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function spellLine(c: Case): string {
  return `network --device=${c.device} --bootproto=dhcp --teamslaves=${ksQuote(spellTeamSlaves(c.ports))} --teamconfig=${ksQuote(pyJson(c.config))}`;
}

/** readBack is what our parser makes of a network line: ports with parsed JSON, and the team JSON. */
function readBack(line: string): { device: string; slaves: [string, string][]; config: string } {
  const r = shlexSplit(line);
  if (!r.ok) throw new Error(r.error);
  const opt = (name: string): string => r.words.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1) ?? '';
  return { device: opt('--device'), slaves: parseTeamSlaves(opt('--teamslaves')).map((s) => [s.name, s.config]), config: opt('--teamconfig') };
}

function pythonShlex(lines: string[]): unknown[] {
  const py = 'import json,shlex,sys\nprint(json.dumps([shlex.split(l, comments=True) for l in json.load(sys.stdin)]))';
  return JSON.parse(execFileSync('python3', ['-c', py], { input: JSON.stringify(lines) }).toString()) as unknown[];
}

for (const c of cases) {
  test(`team spelling round-trips: ${c.name}`, (t) => {
    if (c.refuse) {
      t.throws(() => spellLine(c));
      return;
    }
    const line = spellLine(c);
    const back = readBack(line);
    t.is(back.device, c.device);
    t.deepEqual(
      back.slaves.map(([n]) => n),
      c.ports.map((p) => p.name),
    );
    t.deepEqual(
      back.slaves.map(([, j]) => (j ? JSON.parse(j) : {})),
      c.ports.map((p) => p.config),
    );
    t.deepEqual(JSON.parse(back.config), c.config);
    const rec = oracle.lines.find((l) => l.name === c.name);
    t.truthy(rec, 'case recorded with pykickstart');
    t.is(rec?.line, line, 'the spelling changed since pykickstart was asked: re-capture the oracle');
    t.is(rec?.error, null);
    t.deepEqual(rec?.network[0]?.teamslaves ?? [], back.slaves);
    t.is(rec?.network[0]?.teamconfig, back.config);
  });
}

test('our shlex agrees with Python shlex on every spelled and generated line', async (t) => {
  const tree = await generateTree({ inventories: ['inventories/pxe-example'], cwd: root });
  const generated = tree.files
    .filter((f) => f.path.startsWith('ks/'))
    .flatMap((f) => f.content.split('\n'))
    .filter((l) => /^(network|rootpw|sshkey|url|timezone|timesource|repo) /.test(l));
  const lines = [...cases.filter((c) => !c.refuse).map(spellLine), ...generated];
  t.true(generated.length >= 7 * 4);
  const py = pythonShlex(lines);
  lines.forEach((l, i) => {
    const mine = shlexSplit(l);
    t.deepEqual(mine.ok ? mine.words : mine.error, py[i], l);
  });
});

test('generated team lines parse back as pykickstart parsed them', async (t) => {
  const tree = await generateTree({ inventories: ['inventories/pxe-example'], cwd: root });
  for (const rec of oracle.generated) {
    const ks = tree.files.find((f) => f.path === rec.file);
    t.truthy(ks, rec.file);
    t.is(rec.error, null, `pykickstart accepted ${rec.file}`);
    const lines = ks!.content.split('\n').filter((l) => l.startsWith('network '));
    t.is(lines.length, rec.network.length);
    lines.forEach((l, i) => {
      const back = readBack(l);
      const want = rec.network[i]!;
      t.is(back.device, want.device);
      if (want.teamslaves) {
        t.deepEqual(back.slaves, want.teamslaves);
        t.is(back.config, want.teamconfig ?? '');
      }
    });
  }
});
