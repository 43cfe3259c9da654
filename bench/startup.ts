// Start-up against a bare `node -e 0`, in turn (one run of each command per round, so load
// changes hit them all alike): median wall and CPU (GNU time user+sys) over the rounds. With a
// second checkout (`git worktree add /tmp/base <commit>`), its --syntax-check runs in the same
// rounds as this one's. When a bundle is built (dist/, see build/bundle.js), the sources' run
// (TSPLAY_SOURCES=1) is measured beside it, and the bundle's check with its result cache off.
//
//   node bench/startup.ts [--rounds 20] [--before /tmp/base]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, before: { type: 'string' } } });
const syntax = (root: string): string[] => [join(root, 'bin/tsplay.js'), 'site.yml', '-i', 'inventories/lab', '--syntax-check'];
const SOURCES = 'sources: --syntax-check';
// the bundle's replay of an unchanged check (build/syntax-cache.js) off: the check itself
const FULL = '--syntax-check, result cache off';
const ENV: Record<string, Record<string, string>> = { [SOURCES]: { TSPLAY_SOURCES: '1' }, [FULL]: { TSPLAY_NO_RESULT_CACHE: '1' } };
const cmds: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  ...(values.before ? { 'before: --syntax-check': syntax(values.before) } : {}),
  ...(existsSync(join(ROOT, 'dist/manifest.json')) ? { [SOURCES]: syntax(ROOT) } : {}),
  '--syntax-check site.yml -i inventories/lab': syntax(ROOT),
  [FULL]: syntax(ROOT),
  '--version': [join(ROOT, 'bin/tsplay.js'), '--version'],
};
const wall: Record<string, number[]> = {};
const cpu: Record<string, number[]> = {};
const runOnce = (args: string[], extra: Record<string, string> = {}): { wallMs: number; cpuMs: number } => {
  const env = { ...process.env, ...extra };
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8', env });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const [u, s] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) as [number, number];
  return { wallMs, cpuMs: (u + s) * 1000 };
};
// one unmeasured run each: the compile caches are written on the first
for (const [k, a] of Object.entries(cmds)) runOnce(a, ENV[k]);
for (let i = 0; i < Number(values.rounds); i++) {
  for (const [k, a] of Object.entries(cmds)) {
    const r = runOnce(a, ENV[k]);
    wall[k] = [...(wall[k] ?? []), r.wallMs];
    cpu[k] = [...(cpu[k] ?? []), r.cpuMs];
  }
}
const median = (a: readonly number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? Number.NaN;
const w0 = median(wall['node -e 0'] ?? []);
const c0 = median(cpu['node -e 0'] ?? []);
for (const k of Object.keys(cmds)) {
  const w = median(wall[k] ?? []);
  const c = median(cpu[k] ?? []);
  process.stdout.write(
    `${k.padEnd(44)} wall median ${w.toFixed(1)} ms (min ${Math.min(...(wall[k] ?? [])).toFixed(1)}) = ${(w / w0).toFixed(2)}x; CPU median ${c.toFixed(0)} ms = ${(c / c0).toFixed(2)}x\n`,
  );
}
