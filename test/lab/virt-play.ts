// Driving one module task through tsplay's own CLI against a lab hypervisor, and pinging a
// guest from its hypervisor while something changes: what the virt lab tests share.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inHv } from '../../engine/lab/hv-paths.ts';
import type { HypervisorSpec } from '../../engine/lab/topology.ts';
import { runSite } from '../helpers/lab.ts';
import type { Change } from '../helpers/site-events.ts';

/** Outcome is a host-result event of `--output json`. */
export interface Outcome {
  status: string;
  changes: Change[];
  result: Record<string, unknown>;
  durationMs: number;
}

let runNo = 0;
/** playOn runs one task through tsplay's CLI against `host` (playbook written in `dir`) and returns that host's result event. */
export async function playOn(dir: string, host: string, module: string, args: Record<string, unknown>, check = false): Promise<Outcome> {
  const file = join(dir, `p${++runNo}.yml`);
  writeFileSync(file, JSON.stringify([{ hosts: host, gather_facts: false, tasks: [{ name: module, [module]: args }] }]));
  const r = await runSite(check ? ['-C'] : [], { playbook: file, json: true });
  const ev = r.events.find((e) => e.type === 'host-result' && e.host === host);
  if (!ev) throw new Error(`no result for ${host}: ${r.stdout}\n${r.stderr}`);
  return ev as unknown as Outcome;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** pingDuring runs fn while `hv` pings `address` every 100 ms; returns fn's value and the pings sent and lost. */
export async function pingDuring<T>(hv: HypervisorSpec, address: string, fn: () => Promise<T>): Promise<{ value: T; sent: number; lost: number }> {
  const [cmd, ...argv] = inHv(hv, ['ping', '-q', '-n', '-i', '0.1', '-W', '1', address]);
  const p = spawn(cmd!, argv);
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<void>((r) => p.on('close', () => r()));
  await sleep(500);
  try {
    const value = await fn();
    await sleep(500);
    return { value, ...(await stop()) };
  } catch (e) {
    await stop();
    throw e;
  }
  async function stop(): Promise<{ sent: number; lost: number }> {
    p.kill('SIGINT');
    await done;
    const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
    if (!m) throw new Error(`ping printed no summary: ${out}`);
    return { sent: Number(m[1]), lost: Number(m[1]) - Number(m[2]) };
  }
}
