import { TsplayError } from '../errors/index.ts';
import { LocalConnection } from './local.ts';
import { SshConnection } from './ssh.ts';
import { resolveTarget } from './ssh-target.ts';
import type { SshPool } from './ssh-pool.ts';
import type { ConnectOptions, Connection } from './types.ts';
import { LOCALHOST_NAMES } from '../py/localhost.ts';

export type { Argv, ConnectOptions, Connection, ConnectionStats, PutOptions, RunOptions, RunResult } from './types.ts';
export { LocalConnection } from './local.ts';
export { SshPool } from './ssh-pool.ts';
export { shJoin, shQuote } from './quote.ts';

function str(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v);
}

// Ansible's implicit localhost runs locally; a `localhost` given an address or port is a real ssh host.
function isImplicitLocal(host: string, vars: Record<string, unknown>): boolean {
  return LOCALHOST_NAMES.includes(host) && vars.ansible_host === undefined && vars.ansible_port === undefined;
}

/**
 * openConnection opens the connection a host's vars ask for: `ansible_connection=local` (and
 * the implicit localhost) run here, `ssh` (the default) goes through `pool`, which the caller
 * owns per run so that a jump host is shared by its guests but never across runs. Errors are
 * TsplayErrors E_UNREACHABLE, E_HOST_KEY or E_AUTH naming the host.
 */
export async function openConnection(host: string, vars: Record<string, unknown>, opts: ConnectOptions, pool: SshPool): Promise<Connection> {
  const kind = str(vars.ansible_connection) ?? (isImplicitLocal(host, vars) ? 'local' : 'ssh');
  const becomePassword = str(vars.ansible_become_password) ?? str(vars.ansible_become_pass) ?? opts.becomePassword;
  const becomeUser = str(vars.ansible_become_user);
  const become = { ...(becomePassword !== undefined ? { password: becomePassword } : {}), ...(becomeUser !== undefined ? { user: becomeUser } : {}) };
  if (kind === 'local') return new LocalConnection(host, become);
  if (kind === 'ssh' || kind === 'smart' || kind === 'paramiko' || kind === 'ansible.builtin.ssh') {
    const target = resolveTarget(host, vars, opts);
    const tr = await pool.acquire(target, opts);
    return new SshConnection(host, tr, pool, become);
  }
  throw new TsplayError({ code: 'E_UNREACHABLE', host, message: `ansible_connection ${JSON.stringify(kind)} is not supported (use ssh or local)` });
}
