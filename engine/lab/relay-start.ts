// Step "relay": starts the loopback relay of a hypervisor (see relay-daemon.ts for why).
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { hvPaths } from './hv-paths.ts';
import { livePid } from './pids.ts';
import { stepError } from './lab-host.ts';
import type { HypervisorSpec } from './topology.ts';

const DAEMON = fileURLToPath(new URL('./relay-daemon.ts', import.meta.url));

/** ensureRelay starts the relay unless its pid file names a live process; returns its PID. */
export async function ensureRelay(hv: HypervisorSpec): Promise<number> {
  const p = hvPaths(hv);
  const running = livePid(p.relayPid);
  if (running !== undefined) return running;
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(stepError('relay', `cannot listen on 127.0.0.1:${hv.sshPort}: ${e.message}`)));
    server.listen({ host: '127.0.0.1', port: hv.sshPort, exclusive: true }, resolve);
  });
  const logFd = openSync(`${p.log}/relay.log`, 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${hv.netns}`, '--', process.execPath, DAEMON, p.relayPid, '22'], {
    detached: true,
    stdio: ['ignore', logFd, logFd, 'ipc'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(stepError('relay', 'relay process did not report ready in 10 s')), 10_000);
      child.once('message', (m) => {
        if (m === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(stepError('relay', `relay process exited ${code} (see ${p.log}/relay.log)`));
      });
      child.send('server', server);
    });
  } finally {
    server.close();
    child.unref();
  }
  return livePid(p.relayPid) ?? child.pid ?? 0;
}
