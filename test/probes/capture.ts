// Captures probe cases from the running lab: `node test/probes/capture.ts SPEC.json`.
// Each spec entry runs its argv on a lab host through OpenSSH (the lab's ssh_config) and writes
// cases/<name>.json: the raw output, rc, stderr, the tool's version, how it was captured, and the
// parser's value as "expected" — which the author then REVIEWS against the raw output before
// committing and notes in "checked" (the data test proves the parser still says what a human
// checked once, and rereads the values named in "crossChecks" without the parser).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PARSERS } from '../../engine/probes/index.ts';

interface Spec {
  name: string;
  probe: string;
  host: string;
  argv: string[];
  version: string[];
  units?: string[];
  note?: string;
}

const CFG = '/var/lib/tsplay-lab/ssh_config';
const q = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;
const ssh = (host: string, argv: string[]): { rc: number; stdout: string; stderr: string } => {
  const r = spawnSync('ssh', ['-F', CFG, host, '--', argv.map(q).join(' ')], { encoding: 'utf8' });
  return { rc: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
};

const specs = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Spec[];
const dir = join(import.meta.dirname, 'cases');
mkdirSync(dir, { recursive: true });
for (const s of specs) {
  const out = ssh(s.host, s.argv);
  const version = ssh(s.host, s.version).stdout.split('\n')[0]?.trim() ?? '';
  const parser = PARSERS[s.probe];
  if (!parser) throw new Error(`unknown probe ${s.probe}`);
  const expected = parser({ units: s.units })(out);
  const file = join(dir, `${s.name}.json`);
  // a recapture keeps the cross-checks (the test reruns them) but not the claim of a human check
  const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { checked?: string; crossChecks?: unknown[] }) : {};
  const c = {
    probe: s.probe,
    ...(s.units ? { units: s.units } : {}),
    captured: `${new Date().toISOString().slice(0, 10)} from the tsplay lab: ssh ${s.host} ${s.argv.join(' ')}${s.note ? ` (${s.note})` : ''}`,
    toolVersion: version,
    rc: out.rc,
    stdout: out.stdout,
    stderr: out.stderr,
    expected,
    checked: `NOT YET: review expected against stdout by hand${before.checked ? ` (before the recapture: ${before.checked})` : ''}`,
    ...(before.crossChecks ? { crossChecks: before.crossChecks } : {}),
  };
  writeFileSync(file, `${JSON.stringify(c, null, 2)}\n`);
  process.stdout.write(`${s.name}: rc=${out.rc}\n`);
}
