// Where the lab's commands run: the controller in its root namespaces, or a hypervisor entered
// with nsenter. Both are LocalConnections, so the lab has no process runner of its own, and it
// reads state through engine/probes like everything else does.
import { LocalConnection } from '../connection/local.ts';
import type { Argv, Connection, RunOptions, RunResult } from '../connection/types.ts';
import { TsplayError } from '../errors/index.ts';
import { readProbes, type Probe, type ProbeValues } from '../probes/index.ts';
import { inHv } from './hv-paths.ts';
import type { HypervisorSpec } from './topology.ts';

// the probes' parsers read the C locale's wording (virsh's "shut off", "Active:")
const LAB_ENV = { LC_ALL: 'C' };

/** LAB_HOST runs commands on the controller itself, in its root namespaces. */
export const LAB_HOST = new LocalConnection('localhost', {}, { env: LAB_ENV });

const hvHosts = new Map<string, LocalConnection>();

/** hvHost runs commands inside a hypervisor's network and mount namespaces, as its sshd sessions do. */
export function hvHost(hv: HypervisorSpec): LocalConnection {
  let c = hvHosts.get(hv.name);
  if (!c) {
    c = new LocalConnection(hv.name, {}, { env: LAB_ENV, prefix: inHv(hv, []) });
    hvHosts.set(hv.name, c);
  }
  return c;
}

/** runTool runs argv on the controller and resolves with its result whatever the exit code. */
export function runTool(argv: Argv, opts?: RunOptions): Promise<RunResult> {
  return LAB_HOST.run(argv, opts);
}

/** mustRunOn runs argv on `conn` for a named lab step and throws E_LAB with the tool's own stderr when it fails. */
export async function mustRunOn(conn: Connection, step: string, argv: Argv, opts?: RunOptions): Promise<RunResult> {
  const r = await conn.run(argv, opts);
  if (r.rc !== 0) throw labError(step, conn === LAB_HOST ? argv : [...argv, `(on ${conn.host})`], r);
  return r;
}

/** mustRun is mustRunOn on the controller. */
export function mustRun(step: string, argv: Argv, opts?: RunOptions): Promise<RunResult> {
  return mustRunOn(LAB_HOST, step, argv, opts);
}

/** readOn reads probes on `conn` in one batch; output a parser rejects becomes E_LAB for the step. */
export async function readOn<P extends Record<string, Probe<unknown>>>(conn: Connection, step: string, probes: P, opts?: RunOptions): Promise<ProbeValues<P>> {
  try {
    return await readProbes(conn, probes, opts);
  } catch (e) {
    if (e instanceof TsplayError) throw e;
    throw stepError(step, (e as Error).message);
  }
}

/** labError builds the error for a failed lab step, quoting the command and the tail of its stderr. */
export function labError(step: string, argv: Argv, r: RunResult): TsplayError {
  const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-15).join('\n');
  return new TsplayError({
    code: 'E_LAB',
    message: `lab step "${step}" failed: \`${argv.join(' ')}\` exited ${r.rc}:\n${tail}`,
  });
}

/** stepError builds an E_LAB error for a step that failed without a tool to blame. */
export function stepError(step: string, message: string): TsplayError {
  return new TsplayError({ code: 'E_LAB', message: `lab step "${step}" failed: ${message}` });
}
