// The trace floor's input: the remote calls of a tsplay no-change run on the bench's hosts,
// written by tsplay itself (TSPLAY_TRACE_COMMANDS). Not timed; the run is made until it changes
// nothing (the hosts may hold another tool's state, or none), at most three times.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TRACE_ENV } from '../engine/cli/command-trace-file.ts';
import { parseTsplayRecap, prepareRun, type RunSpec } from './tools.ts';

const ROOT = new URL('..', import.meta.url).pathname;

function runOnce(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0] as string, argv.slice(1), { cwd: join(ROOT, 'bench/playbook'), env, maxBuffer: 256 << 20 }, (err, stdout, stderr) =>
      err && err.code !== 0 ? reject(new Error(`${argv.join(' ')}: exit ${String(err.code)}: ${stderr.slice(-400)}`)) : resolve(stdout),
    );
  });
}

/** captureTrace writes to `file` the trace of a tsplay run on `spec`'s hosts that changed nothing. */
export async function captureTrace(spec: RunSpec, file: string): Promise<void> {
  const tr = prepareRun('tsplay', { ...spec, scenario: 'noop' });
  for (let i = 0; i < 3; i++) {
    const recap = parseTsplayRecap(await runOnce(tr.argv, { ...tr.env, [TRACE_ENV]: file }));
    if (!recap || recap.failed || recap.unreachable || recap.hosts !== spec.n) throw new Error(`tracing tsplay on ${spec.n} hosts: recap ${JSON.stringify(recap)}`);
    if (recap.changed === 0) return;
  }
  throw new Error(`tracing tsplay on ${spec.n} hosts: three runs in a row changed something`);
}
