// Renders bench/RESULTS.md from one or more raw results files:
//   node bench/report.ts bench/results/A.json [B.json ...] > bench/RESULTS.md
// (bench/run.ts calls renderMarkdown itself with the run it just made.)
import { readFileSync } from 'node:fs';
import type { BenchResults, RunRecord } from './results-types.ts';

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

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×` : '–');
const SCEN: Record<string, string> = { first: 'first run', noop: 'no-change', check: '--check --diff', floor: 'floor' };
const TOOL_ORDER = ['tsplay', 'mitogen', 'ansible', 'floor'];
const TOOL_NAME: Record<string, string> = { tsplay: 'tsplay', ansible: 'ansible-playbook', mitogen: 'ansible + Mitogen', floor: 'floor (raw sh)' };

/** renderMarkdown renders the results as RESULTS.md. */
export function renderMarkdown(all: readonly BenchResults[]): string {
  const runs = all.flatMap((r) => r.runs);
  const mainSums = summarize(runs.filter((r) => !r.curve));
  const curve = summarize(runs.filter((r) => r.curve));
  const find = (tool: string, scenario: string, hosts: number): Summary | undefined => mainSums.find((s) => s.tool === tool && s.scenario === scenario && s.hosts === hosts);
  const out: string[] = [];
  out.push('# tsplay benchmark results', '');
  for (const r of all) {
    const m = r.meta;
    out.push(`- Date: ${m.date}`);
    out.push(`- Command: \`${m.command}\``);
    out.push(
      `- Versions: ${Object.entries(m.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}`,
    );
    out.push(
      `- Machine: ${m.machine.cpus} CPUs (${m.machine.model}), ${m.machine.memGiB} GiB; load average before ${m.loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${m.loadAfter.map((x) => x.toFixed(2)).join(' ')}`,
    );
    const loads = r.runs.flatMap((x) => x.load ?? []);
    if (loads.length)
      out.push(
        `- 1-minute load average during the runs: min ${Math.min(...loads).toFixed(2)}, median ${median(loads).toFixed(2)}, max ${Math.max(...loads).toFixed(2)} (${r.runs.length} runs: ${[...new Set(r.runs.map((x) => x.tool))].join(', ')})`,
      );
    const foreign = r.runs.filter((x) => x.foreignCpuS !== undefined);
    if (foreign.length) {
      const share = foreign.map((x) => (x.foreignCpuS ?? 0) / (x.wallS * m.machine.cpus));
      out.push(
        `- Other processes' CPU during the runs (machine busy time minus the tool's and the hosts'), as a share of the ${m.machine.cpus} CPUs: median ${(median(share) * 100).toFixed(0)}%, max ${(Math.max(...share) * 100).toFixed(0)}%`,
      );
    }
    for (const n of m.notes) out.push(`- ${n}`);
    out.push('');
  }
  const meta0 = all[0]?.meta;
  if (meta0) {
    out.push(
      `Playbook: \`bench/playbook/site.yml\`, ${meta0.playbookTasks} tasks + 1 handler, ${meta0.floorCommands} remote task executions per host (loop items counted). ` +
        `The floor sends that many commands (\`stat -c %s /etc/hostname\`, one fork+exec each) over one already-open persistent \`sh\` per host, hosts in parallel; its wall time includes node start-up and opening the connections.`,
      '',
    );
  }
  out.push('## Wall time, CPU, memory, connections', '');
  out.push(
    "Wall: seconds, min and median of the runs. CPU: median seconds, controller = user+sys of the tool and all its processes (incl. ControlPersist masters); remote = all sshd processes of the hosts and what they ran (incl. session processes that outlived their sshd; all 50 hosts share this machine's 2 CPUs with the controller, so remote CPU competes with the controller here). RSS: peak, MB (whole process tree for Ansible). conns/chans: SSH connections and session channels the sshds logged per run (median). \"÷ tsplay\": this row's median wall divided by tsplay's in the same scenario (for the floor: by tsplay's first run); \"CPU ÷ tsplay\" the same for controller + remote CPU. check: the run's result was verified (exit code, recap, exact converged tree after a first run; no path touched — inode, mtime, ctime, mode, content — by no-change and check runs).",
    '',
  );
  out.push('| hosts | scenario | tool | runs | wall min | wall median | ctl CPU | remote CPU | peak RSS MB | conns | chans | ÷ tsplay | CPU ÷ tsplay | check |');
  out.push('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const hostCounts = [...new Set(mainSums.map((s) => s.hosts))].sort((a, b) => a - b);
  for (const n of hostCounts) {
    for (const sc of ['first', 'noop', 'check', 'floor']) {
      const rows = mainSums.filter((s) => s.hosts === n && s.scenario === sc).sort((a, b) => TOOL_ORDER.indexOf(a.tool) - TOOL_ORDER.indexOf(b.tool));
      const ts = find('tsplay', sc === 'floor' ? 'first' : sc, n);
      for (const s of rows) {
        const check = s.problems.length ? `FAIL (${s.problems.length})` : 'ok';
        out.push(
          `| ${n} | ${SCEN[sc] ?? sc} | ${TOOL_NAME[s.tool] ?? s.tool} | ${s.runs} | ${f(s.wallMin)} | ${f(s.wallMed)} | ${f(s.cpuMed)} | ${f(s.remoteCpuMed)} | ${f(s.peakRssMb, 0)} | ${s.connections} | ${s.channels} | ${s.tool === 'tsplay' ? '1×' : ratio(s.wallMed, ts?.wallMed)} | ${s.tool === 'tsplay' ? '1×' : ratio(s.cpuMed + s.remoteCpuMed, ts ? ts.cpuMed + ts.remoteCpuMed : undefined)} | ${check} |`,
        );
      }
    }
  }
  out.push('');
  // targets
  out.push('## Targets', '');
  const t10 = (sc: string): Summary | undefined => find('tsplay', sc, 10);
  for (const sc of ['first', 'noop']) {
    const ts = t10(sc);
    for (const [tool, want] of [
      ['ansible', 100],
      ['mitogen', 40],
    ] as const) {
      const o = find(tool, sc, 10);
      if (!ts || !o) {
        out.push(`- 10 hosts, ${SCEN[sc]}: tsplay vs ${TOOL_NAME[tool]} ≥ ${want}×: not measured in this run`);
        continue;
      }
      const x = o.wallMed / ts.wallMed;
      out.push(`- 10 hosts, ${SCEN[sc]}: ${TOOL_NAME[tool]} ${f(o.wallMed)} s / tsplay ${f(ts.wallMed)} s = **${x.toFixed(0)}×** (target ≥ ${want}×): ${x >= want ? 'met' : 'MISSED'}`);
    }
  }
  const fl10 = find('floor', 'floor', 10);
  if (fl10) {
    for (const tool of ['ansible', 'mitogen']) {
      const o = find(tool, 'noop', 10) ?? find(tool, 'first', 10);
      if (o)
        out.push(`- ceiling at 10 hosts: even the floor process (${f(fl10.wallMed)} s) is only **${(o.wallMed / fl10.wallMed).toFixed(0)}×** faster than ${TOOL_NAME[tool]} (${f(o.wallMed)} s) here`);
    }
  }
  const fl = find('floor', 'floor', 50);
  for (const sc of ['first', 'noop', 'check']) {
    const ts = find('tsplay', sc, 50);
    if (ts && fl) {
      const x = ts.wallMed / fl.wallMed;
      out.push(
        `- 50 hosts, ${SCEN[sc]}: tsplay ${f(ts.wallMed)} s / floor incl. connection opening ${f(fl.wallMed)} s (connect ${f((fl.floorConnectMs ?? 0) / 1000)} s) = **${x.toFixed(2)}×** (target ≤ 2×): ${x <= 2 ? 'met' : 'MISSED'}`,
      );
    }
  }
  for (const fs of mainSums.filter((s) => s.tool === 'floor').sort((a, b) => a.hosts - b.hosts)) {
    const rs = runs.filter((r) => !r.curve && r.tool === 'floor' && r.hosts === fs.hosts && r.floor);
    const conn = median(rs.map((r) => r.floor?.connectMs ?? 0));
    const run = median(rs.map((r) => r.floor?.runMs ?? 0));
    out.push(
      `- floor at ${fs.hosts} hosts: process wall ${f(fs.wallMed)} s = node start-up and exit ${f(fs.wallMed - (conn + run) / 1000)} s + opening ${fs.hosts} connections and shells ${f(conn / 1000)} s + ${meta0?.floorCommands ?? '?'} commands per host ${f(run / 1000, 3)} s`,
    );
  }
  const rss = mainSums.filter((s) => s.tool === 'tsplay' && s.hosts === 50);
  if (rss.length) {
    const peak = Math.max(...rss.map((s) => s.peakRssMb));
    out.push(`- controller peak RSS at 50 hosts (tsplay, all scenarios): **${peak.toFixed(0)} MB** (target < 200 MB): ${peak < 200 ? 'met' : 'MISSED'}`);
  }
  out.push('');
  // curve
  if (curve.length) {
    out.push('## Cost of one more task / one more host (tsplay, generated playbooks)', '');
    out.push('Median wall seconds; playbooks from `bench/gen-playbook.ts` (a cycle of command read, file, copy, lineinfile, stat, set_fact, debug, assert).', '');
    const hs = [...new Set(curve.map((s) => s.hosts))].sort((a, b) => a - b);
    const ks = [...new Set(curve.map((s) => s.tasks))].sort((a, b) => a - b);
    for (const sc of [...new Set(curve.map((s) => s.scenario))]) {
      out.push(`### ${SCEN[sc] ?? sc}`, '');
      out.push(`| tasks \\ hosts | ${hs.join(' | ')} | ms per extra host (${hs[0]}→${hs[hs.length - 1]}) |`);
      out.push(`|---:|${hs.map(() => '---:').join('|')}|---:|`);
      const cell = (k: number, n: number): Summary | undefined => curve.find((s) => s.scenario === sc && s.tasks === k && s.hosts === n);
      for (const k of ks) {
        const a = cell(k, hs[0] as number);
        const b = cell(k, hs[hs.length - 1] as number);
        const perHost = a && b && hs.length > 1 ? (((b.wallMed - a.wallMed) * 1000) / ((hs[hs.length - 1] as number) - (hs[0] as number))).toFixed(1) : '–';
        out.push(`| ${k} | ${hs.map((n) => f(cell(k, n)?.wallMed ?? Number.NaN)).join(' | ')} | ${perHost} |`);
      }
      if (ks.length > 1) {
        const k0 = ks[0] as number;
        const k1 = ks[ks.length - 1] as number;
        const perTask = (n: number): number | undefined => {
          const a = cell(k0, n);
          const b = cell(k1, n);
          return a && b ? ((b.wallMed - a.wallMed) * 1000) / (k1 - k0) : undefined;
        };
        out.push(`| ms per extra task (${k0}→${k1}) | ${hs.map((n) => perTask(n)?.toFixed(1) ?? '–').join(' | ')} | |`);
        out.push(
          `| … per host (ms per host-task) | ${hs
            .map((n) => {
              const x = perTask(n);
              return x === undefined ? '–' : (x / n).toFixed(2);
            })
            .join(' | ')} | |`,
        );
      }
      out.push('');
    }
  }
  const probs = [...mainSums, ...curve].filter((s) => s.problems.length);
  if (probs.length) {
    out.push('## Result check failures', '');
    for (const s of probs) {
      out.push(`- ${TOOL_NAME[s.tool] ?? s.tool}, ${s.hosts} hosts, ${s.tasks} tasks, ${SCEN[s.scenario] ?? s.scenario}:`);
      for (const p of s.problems.slice(0, 8)) out.push(`  - ${p}`);
      if (s.problems.length > 8) out.push(`  - … ${s.problems.length - 8} more`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  process.stdout.write(renderMarkdown(files.map((p) => JSON.parse(readFileSync(p, 'utf8')) as BenchResults)));
}
