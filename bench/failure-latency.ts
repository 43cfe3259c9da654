// How long tsplay takes to see each kind of failure, measured on real sshds (test/helpers/ssh-hosts.ts):
// `node bench/failure-latency.ts [--runs 3]`. Why here and not in the tests: on 2 shared cores a
// wall-clock bound in a test is flaky; the tests assert what happens, this measures how fast.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openConnection, SshPool } from '../engine/connection/index.ts';
import { LocalConnection } from '../engine/connection/local.ts';
import { shQuote } from '../engine/connection/quote.ts';
import type { ConnectOptions } from '../engine/connection/types.ts';
import { createTestHosts } from '../test/helpers/ssh-hosts.ts';
import { waitFor } from '../test/helpers/wait-for.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const hs = await createTestHosts(3);
const base: ConnectOptions = { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 };

/** timed returns how many ms `f` took to settle, failed or not. */
async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f().catch(() => undefined);
  return performance.now() - t0;
}

const cases: Record<string, () => Promise<number>> = {
  'closed port -> E_UNREACHABLE': () => timed(() => openConnection('nowhere', { ...hs.hosts[0]!.vars, ansible_port: '1' }, base, new SshPool())),
  'local run, timeoutMs 400 -> killed': () => timed(() => new LocalConnection('localhost').run(['sh', '-c', 'sleep 30 & wait'], { timeoutMs: 400 })),
  'ssh run, timeoutMs 600 -> killed': async () => {
    const h = hs.hosts[0]!;
    const c = await openConnection(h.name, h.vars, base, new SshPool());
    const ms = await timed(() => c.run(['sh', '-c', 'sleep 30 & wait'], { timeoutMs: 600 }));
    await c.close();
    return ms;
  },
  'frozen host, -o ServerAliveInterval=1 -o ServerAliveCountMax=1': () => frozen('-o ServerAliveInterval=1 -o ServerAliveCountMax=1'),
  'frozen host, default keepalives (4 s x 2)': () => frozen(''),
};

async function frozen(args: string): Promise<number> {
  const h = hs.hosts[1]!;
  const c = await openConnection(h.name, { ...h.vars, ...(args ? { ansible_ssh_common_args: args } : {}) }, base, new SshPool());
  await c.run(['true']);
  hs.freeze(h.name);
  try {
    return await timed(() => c.run(['true']));
  } finally {
    hs.thaw(h.name);
    await c.close();
  }
}

try {
  for (const [name, f] of Object.entries(cases)) {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) ms.push(await f());
    process.stdout.write(`${name}: ${ms.map((x) => x.toFixed(0)).join(', ')} ms\n`);
  }
  // a killed sshd ends the host; measured once, on its own host
  const h = hs.hosts[2]!;
  const c = await openConnection(h.name, h.vars, base, new SshPool());
  const started = join(h.root, 'started');
  const running = c.run(['sh', '-c', `touch ${shQuote(started)}; exec sleep 20`]);
  await waitFor(() => existsSync(started), 'the remote sleep to start');
  const t0 = performance.now();
  hs.kill(h.name);
  await running.catch(() => undefined);
  process.stdout.write(`killed sshd during a command -> E_UNREACHABLE: ${(performance.now() - t0).toFixed(0)} ms\n`);
} finally {
  await hs.teardown();
}
