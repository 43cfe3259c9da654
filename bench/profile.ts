// Where tsplay's controller time goes: runs site.yml once on N real hosts under `node --cpu-prof`
// and prints the self time per function and per source area (engine folder or npm package).
//
//   node bench/profile.ts [--hosts 50] [--scenario first|noop|check] [--top 25]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchHosts } from './hosts.ts';
import { wipe } from './state.ts';

interface ProfNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfNode[];
  samples: number[];
  timeDeltas: number[];
}

/** areaOf names the part of the code a script URL belongs to (engine/<folder>, an npm package, node internals). */
export function areaOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const eng = /\/(engine\/[^/]+|bin|test\/helpers)\//.exec(url);
  return eng ? (eng[1] as string) : url;
}

/** summarizeProfile returns self milliseconds per function and per area, biggest first. */
export function summarizeProfile(p: CpuProfile): { byFn: [string, number][]; byArea: [string, number][]; totalMs: number } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const n = byId.get(id);
    if (!n) return;
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') return;
    total += ms;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^file:\/\/\/work\/main\//, '')}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const a = cf.functionName.startsWith('(') ? cf.functionName : areaOf(cf.url);
    area.set(a, (area.get(a) ?? 0) + ms);
  });
  const sort = (m: Map<string, number>): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { byFn: sort(fn), byArea: sort(area), totalMs: total };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { hosts: { type: 'string', default: '50' }, scenario: { type: 'string', default: 'first' }, top: { type: 'string', default: '25' } } });
  const n = Number(values.hosts);
  const root = new URL('..', import.meta.url).pathname;
  const b = await startBenchHosts(n);
  try {
    const inv = b.inventoryFor(n);
    const pb = join(root, 'bench/playbook/site.yml');
    const run = (extra: string[], profDir?: string): number => {
      const t0 = performance.now();
      const r = spawnSync(
        process.execPath,
        [...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), join(root, 'bin/tsplay.js'), pb, '-i', inv, '-f', String(n), '--output', 'json', ...extra],
        {
          env: { ...process.env, HOME: b.home },
          encoding: 'utf8',
          // the event stream goes to /dev/null: a pipe we read only at the end would fill and block it
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      if (r.status !== 0) process.stderr.write(`tsplay exited ${r.status}: ${r.stderr.slice(-500)}\n`);
      return performance.now() - t0;
    };
    for (const h of b.hs.hosts) wipe(h.root);
    if (values.scenario !== 'first') run([]); // converge first
    const dir = mkdtempSync(join(tmpdir(), 'tsplay-prof-'));
    const ms = run(values.scenario === 'check' ? ['-C', '-D'] : [], dir);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    const s = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
    const top = Number(values.top);
    process.stdout.write(`tsplay ${values.scenario} on ${n} hosts: wall ${ms.toFixed(0)} ms, on-CPU samples ${s.totalMs.toFixed(0)} ms (profile: ${join(dir, file)})\n\nself ms by area:\n`);
    for (const [k, v] of s.byArea.slice(0, top)) process.stdout.write(`${v.toFixed(0).padStart(7)}  ${k}\n`);
    process.stdout.write('\nself ms by function:\n');
    for (const [k, v] of s.byFn.slice(0, top)) process.stdout.write(`${v.toFixed(0).padStart(7)}  ${k}\n`);
  } finally {
    await b.teardown();
  }
}
