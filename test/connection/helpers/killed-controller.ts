// A controller that the leftovers test kills with SIGKILL in the middle of writing a file:
// it connects, reports its driver's PID, starts a large put (and optionally a long command on
// the persistent shell), and says `writing` once the partial temp file is on disk.
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openConnection, SshPool } from '../../../engine/connection/index.ts';

const { vars, knownHostsFile, dest, bytes, sleep } = JSON.parse(process.argv[2] as string) as {
  vars: Record<string, string>;
  knownHostsFile: string;
  dest: string;
  bytes: number;
  sleep: number;
};
const c = await openConnection('h1', vars, { hostKeyChecking: 'yes', knownHostsFile, verbosity: 0 }, new SshPool());
// the command's parent is the persistent driver
const pid = (await c.run(['sh', '-c', 'echo $PPID'])).stdout.trim();
process.stdout.write(`driver ${pid}\n`);
void c.put(dest, Buffer.alloc(bytes, 0x61)).catch(() => undefined);
if (sleep > 0) void c.run(['sleep', String(sleep)]).catch(() => undefined);
const prefix = `.${basename(dest)}.tsplay-`;
for (;;) {
  const tmp = readdirSync(dirname(dest)).find((f) => f.startsWith(prefix));
  if (tmp && statSync(join(dirname(dest), tmp)).size > 0) {
    process.stdout.write(`writing ${tmp}\n`);
    break;
  }
  await new Promise((r) => setTimeout(r, 5));
}
// wait to be killed
setInterval(() => {}, 1000);
