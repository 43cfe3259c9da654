// Real ssh-agent and sshd: a host reached with the key held only by the agent (SSH_AUTH_SOCK).
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { waitFor } from '../helpers/wait-for.ts';

let hs: TestHosts;
let agentPid: number | undefined;
test.before(async () => {
  hs = await createTestHosts(1);
});
test.after.always(async () => {
  if (agentPid) process.kill(agentPid, 'SIGTERM');
  await hs?.teardown();
});

test.serial('the key in ssh-agent is used when the host names no key file', async (t) => {
  const h = hs.hosts[0]!;
  const { ansible_ssh_private_key_file: _key, ...vars } = h.vars;
  const opts = { hostKeyChecking: 'yes' as const, knownHostsFile: hs.knownHostsFile, verbosity: 0 };
  const saved = process.env.SSH_AUTH_SOCK;
  const sock = join(hs.dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  agentPid = agent.pid;
  await waitFor(() => existsSync(sock), `ssh-agent's socket ${sock}`);
  try {
    process.env.SSH_AUTH_SOCK = sock;
    // an empty agent: no key works
    const e = await t.throwsAsync(openConnection(h.name, vars, opts, new SshPool()), { instanceOf: TsplayError });
    t.is((e as TsplayError).code, 'E_AUTH');
    execFileSync('ssh-add', ['-q', hs.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    const c = await openConnection(h.name, vars, opts, new SshPool());
    t.is((await c.run(['echo', 'agent'])).stdout, 'agent\n');
    await c.close();
  } finally {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
  }
});
