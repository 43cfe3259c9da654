// The shape of the benchmark's raw results (bench/results/*.json), shared by run.ts and report.ts.
import type { SshdCounts } from './hosts.ts';
import type { FloorFigures, Recap, Scenario, ToolName } from './tools.ts';

/** RunRecord is one measured run of one tool. */
export interface RunRecord {
  readonly tool: ToolName;
  /** 'floor' for the floor; `curve` runs carry their task count */
  readonly scenario: Scenario | 'floor';
  readonly hosts: number;
  readonly tasks: number;
  readonly curve: boolean;
  readonly run: number;
  readonly exitCode: number;
  readonly wallS: number;
  readonly userS: number;
  readonly sysS: number;
  /** CPU of processes the tool left detached (Ansible's ControlPersist masters) */
  readonly detachedCpuS: number;
  /** user + sys + detached: the controller's whole CPU for the run */
  readonly controllerCpuS: number;
  /** CPU of the hosts' sshds and everything they ran (/proc, listener trees, before/after) */
  readonly remoteCpuS: number;
  /** remote processes that outlived their sshd session (re-parented to PID 1); their CPU is included above */
  readonly remoteOrphans?: number;
  readonly maxRssKb: number;
  readonly treePeakRssKb: number;
  readonly sshd: SshdCounts;
  readonly recap?: Recap;
  readonly floor?: FloorFigures;
  /** CPU the whole machine spent during the run minus the tool's and the hosts': other people's work disturbing the run */
  readonly foreignCpuS?: number;
  /** the 1-minute load average when the run started and when it ended */
  readonly load?: readonly [number, number];
  /** what the result check found wrong (empty: the run did what it should) */
  readonly problems: string[];
}

/** BenchMeta says what ran where. */
export interface BenchMeta {
  readonly date: string;
  readonly command: string;
  readonly versions: Record<string, string>;
  readonly machine: { cpus: number; model: string; memGiB: number };
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly notes: string[];
  readonly floorCommands: number;
  readonly playbookTasks: number;
  /** median wall seconds of a bare `node -e 0` on this machine before the runs: the start every Node tool pays */
  readonly nodeStartS?: number;
}

/** BenchResults is one results file. */
export interface BenchResults {
  readonly meta: BenchMeta;
  readonly runs: RunRecord[];
}
