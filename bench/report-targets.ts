// The Targets section of bench/RESULTS.md: issue 15's targets, each as measured in the results
// given, plus tsplay against both floors at every host count.
import type { RunRecord } from './results-types.ts';
import { median, type Summary, summaryOf } from './summary.ts';

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const SCEN: Record<string, string> = { first: 'first run', noop: 'no-change' };
const NAME: Record<string, string> = { ansible: 'ansible-playbook', mitogen: 'ansible + Mitogen' };

/** FLOOR_NAMES label the two floors wherever the report names them. */
export const FLOOR_NAMES: Record<string, string> = {
  'trace-floor': "trace floor (tsplay's own no-change commands, raw sh)",
  'trace-floor-first': "first-run trace floor (tsplay's own first-run commands and writes, raw sh)",
  floor: 'stat floor (31 × `stat`, raw sh)',
};

/** renderTargets returns the lines of the Targets section; `nodeStartS` (a bare `node -e 0`) adds the tight ceilings. */
export function renderTargets(sums: readonly Summary[], runs: readonly RunRecord[], nodeStartS?: number): string[] {
  const find = (tool: string, scenario: string, hosts: number): Summary | undefined => summaryOf(sums, tool, scenario, hosts);
  const out: string[] = [];
  const faster = (hosts: number, sc: string, tool: string, want: number): void => {
    const ts = find('tsplay', sc, hosts);
    const o = find(tool, sc, hosts);
    const what = `${hosts} host${hosts > 1 ? 's' : ''}, ${SCEN[sc]}: tsplay ≥ ${want}× faster than ${NAME[tool]}`;
    if (!ts || !o) {
      out.push(`- ${what}: not measured in this run`);
      return;
    }
    const x = o.wallMed / ts.wallMed;
    out.push(
      `- ${what}: ${f(o.wallMed)} s / ${f(ts.wallMed)} s = **${x.toFixed(0)}×** (CPU ${((o.cpuMed + o.remoteCpuMed) / (ts.cpuMed + ts.remoteCpuMed)).toFixed(0)}×): ${x >= want ? 'met' : 'MISSED'}`,
    );
  };
  faster(1, 'noop', 'ansible', 40);
  for (const sc of ['first', 'noop']) {
    faster(10, sc, 'ansible', 60);
    faster(10, sc, 'mitogen', 30);
  }
  const ts50 = find('tsplay', 'noop', 50);
  const tf50 = find('trace-floor', 'floor', 50);
  if (ts50 && tf50) {
    const x = ts50.wallMed / tf50.wallMed;
    out.push(`- 50 hosts, no-change: tsplay ${f(ts50.wallMed)} s / ${FLOOR_NAMES['trace-floor']} ${f(tf50.wallMed)} s = **${x.toFixed(2)}×** (target ≤ 1.5×): ${x <= 1.5 ? 'met' : 'MISSED'}`);
  } else out.push('- 50 hosts, no-change: tsplay within 1.5× of the trace floor: not measured in this run');
  // what no tool could beat here: a floor process does nothing but start, connect and send commands
  for (const n of [1, 10])
    for (const fl of ['trace-floor', 'floor']) {
      const fs = find(fl, 'floor', n);
      for (const tool of ['ansible', 'mitogen']) {
        const o = find(tool, 'noop', n);
        if (fs && o)
          out.push(
            `- ceiling at ${n} host${n > 1 ? 's' : ''}: even the ${FLOOR_NAMES[fl]} process (${f(fs.wallMed)} s) is only **${(o.wallMed / fs.wallMed).toFixed(0)}×** faster than ${NAME[tool]} no-change (${f(o.wallMed)} s) here`,
          );
      }
    }
  // the same for a first run: the first-run trace floor writes what tsplay wrote
  for (const n of [1, 10]) {
    const fs = find('trace-floor-first', 'floor', n);
    const ts = find('tsplay', 'first', n);
    if (fs && ts)
      out.push(`- ${n} host${n > 1 ? 's' : ''}, first run: tsplay ${f(ts.wallMed)} s / ${FLOOR_NAMES['trace-floor-first']} ${f(fs.wallMed)} s = **${(ts.wallMed / fs.wallMed).toFixed(2)}×**`);
    for (const tool of ['ansible', 'mitogen']) {
      const o = find(tool, 'first', n);
      if (fs && o)
        out.push(
          `- ceiling at ${n} host${n > 1 ? 's' : ''}, first run: even the ${FLOOR_NAMES['trace-floor-first']} process (${f(fs.wallMed)} s) is only **${(o.wallMed / fs.wallMed).toFixed(0)}×** faster than ${NAME[tool]} first run (${f(o.wallMed)} s) here`,
        );
    }
  }
  if (nodeStartS !== undefined) out.push(...tightCeilings(sums, runs, nodeStartS));
  const rss = sums.filter((s) => s.tool === 'tsplay' && s.hosts === 50);
  if (rss.length) {
    const peak = Math.max(...rss.map((s) => s.peakRssMb));
    out.push(`- controller peak RSS at 50 hosts (tsplay, all scenarios): **${peak.toFixed(0)} MB** (target < 200 MB): ${peak < 200 ? 'met' : 'MISSED'}`);
  }
  out.push('', ...floorTable(sums, runs));
  return out;
}

type FloorFigure = 'connectMs' | 'runMs' | 'roundTrips' | 'commands';

/** floorPart is the median of one figure a floor reported, over that floor's runs at `n` hosts (curve runs aside). */
function floorPart(runs: readonly RunRecord[], tool: string, n: number, k: FloorFigure): number {
  return median(runs.filter((r) => !r.curve && r.tool === tool && r.hosts === n && r.floor).map((r) => r.floor?.[k] ?? Number.NaN));
}

/**
 * tightCeilings: what no Node tool can beat here, closer than the floor processes' own wall (which
 * includes loading their sources and ssh2 without a code cache): a bare Node start plus a trace
 * floor's connect + commands, against Ansible and Mitogen in the same scenario, and tsplay's
 * distance from it.
 */
function tightCeilings(sums: readonly Summary[], runs: readonly RunRecord[], nodeStartS: number): string[] {
  const out: string[] = [];
  const find = (tool: string, scenario: string, hosts: number): Summary | undefined => summaryOf(sums, tool, scenario, hosts);
  for (const n of [1, 10])
    for (const [fl, sc] of [
      ['trace-floor', 'noop'],
      ['trace-floor-first', 'first'],
    ] as const) {
      if (!find(fl, 'floor', n)) continue;
      const connect = floorPart(runs, fl, n, 'connectMs') / 1000;
      const cmds = floorPart(runs, fl, n, 'runMs') / 1000;
      const tight = nodeStartS + connect + cmds;
      const vs = ['ansible', 'mitogen'].flatMap((tool) => {
        const o = find(tool, sc, n);
        return o ? [`${NAME[tool]} ${f(o.wallMed)} s is **${(o.wallMed / tight).toFixed(1)}×** it`] : [];
      });
      const ts = find('tsplay', sc, n);
      out.push(
        `- tight ceiling at ${n} host${n > 1 ? 's' : ''}, ${SCEN[sc]}: a bare \`node -e 0\` (${f(nodeStartS, 3)} s) + the ${FLOOR_NAMES[fl]}'s connect + commands (${f(connect, 3)} + ${f(cmds, 3)} s) = ${f(tight, 3)} s${[...vs, ...(ts ? [`tsplay ${f(ts.wallMed)} s is ${(ts.wallMed / tight).toFixed(2)}× it`] : [])].map((x) => `; ${x}`).join('')}`,
      );
    }
  return out;
}

/** floorTable compares tsplay's no-change run with both floors at every host count, and splits each floor's wall. */
function floorTable(sums: readonly Summary[], runs: readonly RunRecord[]): string[] {
  const hostCounts = [...new Set(sums.filter((s) => s.scenario === 'floor').map((s) => s.hosts))].sort((a, b) => a - b);
  if (hostCounts.length === 0) return [];
  const find = (tool: string, scenario: string, hosts: number): Summary | undefined => summaryOf(sums, tool, scenario, hosts);
  const part = (tool: string, n: number, k: FloorFigure): number => floorPart(runs, tool, n, k);
  const out = [
    "tsplay's no-change run against the floors (median wall, whole process: node start-up, opening the connections, the commands). The trace floor replays, per host and in order, the remote calls tsplay itself made in a traced no-change run on the same hosts (`TSPLAY_TRACE_COMMANDS`, bench/trace-replay.ts), one round trip per call; the stat floor sends 31 `stat -c %s /etc/hostname`.",
    '',
    '| hosts | tsplay no-change s | trace floor s | round trips / commands per host | connect + commands s | tsplay ÷ trace floor | stat floor s | connect + commands s | tsplay ÷ stat floor |',
    '|---:|---:|---:|---|---|---:|---:|---|---:|',
  ];
  for (const n of hostCounts) {
    const ts = find('tsplay', 'noop', n);
    const tf = find('trace-floor', 'floor', n);
    const sf = find('floor', 'floor', n);
    const split = (tool: string): string => `${f(part(tool, n, 'connectMs') / 1000)} + ${f(part(tool, n, 'runMs') / 1000, 3)}`;
    const div = (fl: Summary | undefined): string => (ts && fl ? `**${(ts.wallMed / fl.wallMed).toFixed(2)}×**` : '–');
    out.push(
      `| ${n} | ${f(ts?.wallMed ?? Number.NaN)} | ${f(tf?.wallMed ?? Number.NaN)} | ${tf ? `${part('trace-floor', n, 'roundTrips')} / ${part('trace-floor', n, 'commands')}` : '–'} | ${tf ? split('trace-floor') : '–'} | ${div(tf)} | ${f(sf?.wallMed ?? Number.NaN)} | ${sf ? split('floor') : '–'} | ${div(sf)} |`,
    );
  }
  return out;
}
