// The benchmark's runs aggregated per tool × scenario × host count (× task count), for the report.
import type { RunRecord } from './results-types.ts';

/** Summary is the aggregate of the runs of one tool × scenario × host count (× task count). */
export interface Summary {
  readonly tool: string;
  readonly scenario: string;
  readonly hosts: number;
  readonly tasks: number;
  readonly runs: number;
  readonly wallMin: number;
  readonly wallMed: number;
  readonly cpuMed: number;
  readonly remoteCpuMed: number;
  readonly peakRssMb: number;
  readonly connections: number;
  readonly channels: number;
  readonly problems: string[];
  readonly floorConnectMs?: number;
}

/** median of a non-empty list (the lower middle for even lengths: a value that was measured). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
}

/** summaryOf finds one tool's summary for a scenario and host count. */
export function summaryOf(sums: readonly Summary[], tool: string, scenario: string, hosts: number): Summary | undefined {
  return sums.find((s) => s.tool === tool && s.scenario === scenario && s.hosts === hosts);
}

/** summarize groups runs by tool, scenario, hosts and tasks. */
export function summarize(runs: readonly RunRecord[]): Summary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const k = `${r.curve ? 'c' : 'm'}|${r.tool}|${r.scenario}|${r.hosts}|${r.tasks}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const r0 = rs[0] as RunRecord;
    const floors = rs.flatMap((r) => (r.floor ? [r.floor.connectMs] : []));
    return {
      tool: r0.tool,
      scenario: r0.scenario,
      hosts: r0.hosts,
      tasks: r0.tasks,
      runs: rs.length,
      wallMin: Math.min(...rs.map((r) => r.wallS)),
      wallMed: median(rs.map((r) => r.wallS)),
      cpuMed: median(rs.map((r) => r.controllerCpuS)),
      remoteCpuMed: median(rs.map((r) => r.remoteCpuS)),
      peakRssMb: Math.max(...rs.map((r) => Math.max(r.maxRssKb, r.treePeakRssKb))) / 1024,
      connections: median(rs.map((r) => r.sshd.connections)),
      channels: median(rs.map((r) => r.sshd.channels)),
      problems: rs.flatMap((r) => r.problems.map((p) => `run ${r.run}: ${p}`)),
      ...(floors.length ? { floorConnectMs: median(floors) } : {}),
    };
  });
}
