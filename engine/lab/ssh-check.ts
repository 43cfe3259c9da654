// Whether a lab host answers ssh, checked with OpenSSH's client and the lab's ssh_config
// (strict host keys, the lab key, ProxyJump through the hypervisor for guests).
import { shJoin } from '../connection/quote.ts';
import { labKeyPaths } from './keys.ts';
import { runTool, stepError } from './lab-host.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * sshArgv runs a command on a lab host through OpenSSH with the lab's ssh_config. The remote words
 * are quoted into one string because ssh joins its arguments with spaces for the remote shell.
 */
export function sshArgv(host: string, remote: readonly string[], connectTimeoutS = 20): string[] {
  return ['ssh', '-F', labKeyPaths().sshConfig, '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${connectTimeoutS}`, host, '--', shJoin(remote)];
}

/** sshAnswers is true when `ssh HOST true` succeeds within the timeout. */
export async function sshAnswers(host: string, connectTimeoutS = 5): Promise<boolean> {
  return (await runTool(sshArgv(host, ['true'], connectTimeoutS), { timeoutMs: (connectTimeoutS * 2 + 5) * 1000 })).rc === 0;
}

/** waitForSsh polls until the host answers ssh; under TCG a guest needs 1–2 minutes. */
export async function waitForSsh(host: string, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    const r = await runTool(sshArgv(host, ['true'], 20), { timeoutMs: 45_000 });
    if (r.rc === 0) return (Date.now() - t0) / 1000;
    last = r.stderr.trim();
    await sleep(2000);
  }
  throw stepError('wait-ssh', `${host} did not answer ssh within ${timeoutMs / 1000} s; last error: ${last}`);
}
