// Process-table readers for the benchmark: CPU and RSS of process trees, read from /proc.
// Why /proc rather than `ps`: one pass over /proc gives every process's parent, CPU and RSS at
// once, without starting a process per sample (which would itself show up in the numbers).
import { readdirSync, readFileSync } from 'node:fs';

/** ProcInfo is what the benchmark needs of one process. */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime of the process itself, in clock ticks */
  readonly selfTicks: number;
  /** cutime + cstime: CPU of children it has already waited for, in clock ticks */
  readonly childTicks: number;
  /** resident set size in KiB */
  readonly rssKb: number;
}

/** CLOCK_TICKS is the kernel's USER_HZ, 100 on every Linux this runs on. */
export const CLOCK_TICKS = 100;
const PAGE_KB = 4;

/** parseStat reads one /proc/<pid>/stat line; undefined if it cannot be parsed. */
export function parseStat(pid: number, text: string): ProcInfo | undefined {
  // fields after `(comm)`, which may itself hold spaces or parens
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): field N is f[N-3]
  const n = (i: number): number => Number(f[i - 3]);
  if (f.length < 22) return undefined;
  return { pid, ppid: n(4), selfTicks: n(14) + n(15), childTicks: n(16) + n(17), rssKb: n(24) * PAGE_KB };
}

/** readProcTable reads every process's stat once. */
export function readProcTable(): Map<number, ProcInfo> {
  const out = new Map<number, ProcInfo>();
  for (const d of readdirSync('/proc')) {
    const c = d.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(d);
    try {
      const p = parseStat(pid, readFileSync(`/proc/${d}/stat`, 'latin1'));
      if (p) out.set(pid, p);
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** treeOf lists `root` and all its descendants found in `table`. */
export function treeOf(table: ReadonlyMap<number, ProcInfo>, roots: readonly number[]): ProcInfo[] {
  const kids = new Map<number, number[]>();
  for (const p of table.values()) {
    const list = kids.get(p.ppid);
    if (list) list.push(p.pid);
    else kids.set(p.ppid, [p.pid]);
  }
  const out: ProcInfo[] = [];
  const queue = roots.filter((r) => table.has(r));
  for (let i = 0; i < queue.length; i++) {
    const pid = queue[i] as number;
    const p = table.get(pid);
    if (p) out.push(p);
    queue.push(...(kids.get(pid) ?? []));
  }
  return out;
}

/**
 * treeCpuSeconds is the CPU a tree has used: each live process's own time plus what it collected
 * from children it waited for. Counting both never double counts, since a live process's
 * children are counted by themselves until they are reaped.
 */
export function treeCpuSeconds(table: ReadonlyMap<number, ProcInfo>, roots: readonly number[]): number {
  let ticks = 0;
  for (const p of treeOf(table, roots)) ticks += p.selfTicks + p.childTicks;
  return ticks / CLOCK_TICKS;
}

/** treeRssKb is the summed RSS of a tree right now. */
export function treeRssKb(table: ReadonlyMap<number, ProcInfo>, roots: readonly number[]): number {
  let kb = 0;
  for (const p of treeOf(table, roots)) kb += p.rssKb;
  return kb;
}

/** pidsWithArg lists processes whose command line contains `needle` (a unique temp path, say). */
export function pidsWithArg(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    const c = d.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'latin1').includes(needle)) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** machineBusySeconds is the CPU time all CPUs have spent busy since boot (/proc/stat, idle and iowait excluded). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = (v[0] ?? 0) + (v[1] ?? 0) + (v[2] ?? 0) + (v[5] ?? 0) + (v[6] ?? 0) + (v[7] ?? 0);
  return busy / CLOCK_TICKS;
}
