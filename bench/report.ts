// Renders bench/RESULTS.md from one or more raw results files:
//   node bench/report.ts bench/results/A.json [B.json ...] > bench/RESULTS.md
// (bench/run.ts calls renderMarkdown itself with the run it just made.)
import { readFileSync } from 'node:fs';
import { FLOOR_NAMES, renderTargets } from './report-targets.ts';
import type { BenchResults } from './results-types.ts';
import { median, type Summary, summarize, summaryOf } from './summary.ts';

const f = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(a / b >= 10 ? 0 : 1)}×` : '–');
const SCEN: Record<string, string> = { first: 'first run', noop: 'no-change', check: '--check --diff', floor: 'floor' };
const TOOL_ORDER = ['tsplay', 'mitogen', 'ansible', 'trace-floor', 'trace-floor-first', 'floor'];
const TOOL_NAME: Record<string, string> = { tsplay: 'tsplay', ansible: 'ansible-playbook', mitogen: 'ansible + Mitogen', ...FLOOR_NAMES };

/** renderMarkdown renders the results as RESULTS.md. */
export function renderMarkdown(all: readonly BenchResults[]): string {
  const runs = all.flatMap((r) => r.runs);
  const mainSums = summarize(runs.filter((r) => !r.curve));
  const curve = summarize(runs.filter((r) => r.curve));
  const find = (tool: string, scenario: string, hosts: number): Summary | undefined => summaryOf(mainSums, tool, scenario, hosts);
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
        "Three floors, each one process (node start-up included) that opens one connection and one raw `sh` per host, hosts in parallel, then sends its commands one round trip at a time: the trace floor replays the very remote calls tsplay made on each host in a traced no-change run (file probes with `sha1sum` included); the first-run trace floor those of a traced first run on wiped hosts, each file tsplay wrote (SFTP) written as that many bytes by sh's `printf`, its mode from the umask for a new file within rw-rw-rw-, else by `chmod`; the stat floor sends that many `stat -c %s /etc/hostname` (one fork+exec each).",
      '',
    );
  }
  out.push('## Wall time, CPU, memory, connections', '');
  out.push(
    "Wall: seconds, min and median of the runs. CPU: median seconds, controller = user+sys of the tool and all its processes (incl. ControlPersist masters); remote = all sshd processes of the hosts and what they ran (incl. session processes that outlived their sshd; all 50 hosts share this machine's 2 CPUs with the controller, so remote CPU competes with the controller here). RSS: peak, MB (whole process tree for Ansible). conns/chans: SSH connections and session channels the sshds logged per run (median). \"÷ tsplay\": this row's median wall divided by tsplay's in the same scenario (for the trace floor: by tsplay's no-change run; for the first-run trace floor and the stat floor: by tsplay's first run); \"CPU ÷ tsplay\" the same for controller + remote CPU. check: the run's result was verified (exit code, recap, exact converged tree after a first run; no path touched — inode, mtime, ctime, mode, content — by no-change and check runs).",
    '',
  );
  out.push('| hosts | scenario | tool | runs | wall min | wall median | ctl CPU | remote CPU | peak RSS MB | conns | chans | ÷ tsplay | CPU ÷ tsplay | check |');
  out.push('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const hostCounts = [...new Set(mainSums.map((s) => s.hosts))].sort((a, b) => a - b);
  for (const n of hostCounts) {
    for (const sc of ['first', 'noop', 'check', 'floor']) {
      const rows = mainSums.filter((s) => s.hosts === n && s.scenario === sc).sort((a, b) => TOOL_ORDER.indexOf(a.tool) - TOOL_ORDER.indexOf(b.tool));
      for (const s of rows) {
        // the trace floor replays a no-change run; the first-run trace floor a first run; the stat floor has always been set against the first run
        const ts = find('tsplay', sc !== 'floor' ? sc : s.tool === 'trace-floor' ? 'noop' : 'first', n);
        const check = s.problems.length ? `FAIL (${s.problems.length})` : 'ok';
        out.push(
          `| ${n} | ${SCEN[sc] ?? sc} | ${TOOL_NAME[s.tool] ?? s.tool} | ${s.runs} | ${f(s.wallMin)} | ${f(s.wallMed)} | ${f(s.cpuMed)} | ${f(s.remoteCpuMed)} | ${f(s.peakRssMb, 0)} | ${s.connections} | ${s.channels} | ${s.tool === 'tsplay' ? '1×' : ratio(s.wallMed, ts?.wallMed)} | ${s.tool === 'tsplay' ? '1×' : ratio(s.cpuMed + s.remoteCpuMed, ts ? ts.cpuMed + ts.remoteCpuMed : undefined)} | ${check} |`,
        );
      }
    }
  }
  out.push('');
  out.push('## Targets', '', ...renderTargets(mainSums, runs, all[0]?.meta.nodeStartS), '');
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
