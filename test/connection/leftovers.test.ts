// Leftovers of a controller killed with SIGKILL mid-transfer: the driver's temp dir
// (/tmp/.tsplay-PID-*) and the partial `.DEST.tsplay-*.tmp` beside the destination. A real
// controller process is killed (helpers/killed-controller.ts) against a real sshd; in the second
// test its driver is killed too (as a crash would), so only the next connection can clean up,
// and a live connection of another controller must keep its files.
import test from 'ava';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
test.before(async () => {
  hs = await createTestHosts(1);
});
test.after.always(async () => {
  await hs?.teardown();
});

const opts = (): ConnectOptions => ({ hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 });

/** startController runs the killable controller and resolves once it is writing, with its driver's PID. */
function startController(dest: string, sleep: number): Promise<{ child: ChildProcess; driver: number; tmp: string }> {
  const h = hs.byName.get('h1')!;
  const arg = JSON.stringify({ vars: h.vars, knownHostsFile: hs.knownHostsFile, dest, bytes: 256 * 1024 * 1024, sleep });
  const child = spawn(process.execPath, [join(import.meta.dirname, 'helpers/killed-controller.ts'), arg], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let driver = 0;
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const d = /^driver (\d+)$/m.exec(out);
      if (d) driver = Number(d[1]);
      const w = /^writing (\S+)$/m.exec(out);
      if (w) resolve({ child, driver, tmp: w[1] as string });
    });
    child.on('exit', (code) => reject(new Error(`controller exited (${code}) before writing: ${out}`)));
  });
}

function killAndWait(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

// the test host's own TMPDIR (SetEnv in its sshd_config), where its drivers make their dirs
const tmpDir = (): string => hs.byName.get('h1')!.tmp;
const driverDirs = (pid: number): string[] => readdirSync(tmpDir()).filter((f) => f.startsWith(`.tsplay-${pid}-`));

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

test.serial('a controller killed mid-transfer while a command runs leaves nothing once the driver notices', async (t) => {
  const h = hs.byName.get('h1')!;
  const dest = join(h.root, 'big-a.bin');
  const { child, driver, tmp } = await startController(dest, 2);
  t.true(driver > 0);
  t.true(driverDirs(driver).length === 1, 'the driver dir carries its PID');
  await killAndWait(child);
  t.true(existsSync(join(h.root, tmp)), 'the partial temp file is there right after the kill');
  // the driver finishes `sleep 2`, cannot write its result (SIGPIPE) and cleans up on the way out
  t.true(await until(() => !existsSync(join(h.root, tmp)) && driverDirs(driver).length === 0, 8000), `left: ${readdirSync(h.root).join(' ')} / ${driverDirs(driver).join(' ')}`);
  t.false(existsSync(dest), 'the destination never appeared half-written');
});

test.serial('what a killed controller and its killed driver leave is removed by the next connection; a live run keeps its files', async (t) => {
  const h = hs.byName.get('h1')!;
  // a live run of "another controller": its own pool, connection open throughout
  const live = await openConnection('h1', h.vars, opts(), new SshPool());
  const livePid = Number((await live.run(['sh', '-c', 'echo $PPID'])).stdout.trim());
  const [liveDir] = driverDirs(livePid);
  t.truthy(liveDir);
  // as if the live run were writing a file right now: its temp, named in its journal
  const liveTmp = join(h.root, '.live.conf.tsplay-0123456789ab.tmp');
  writeFileSync(liveTmp, 'half');
  symlinkSync(liveTmp, join(tmpDir(), liveDir!, 'j-0123456789ab'));

  const dest = join(h.root, 'big-b.bin');
  const { child, driver, tmp } = await startController(dest, 0);
  // a crash: the driver dies at once, before it can run its exit trap, then the controller
  process.kill(driver, 'SIGKILL');
  await killAndWait(child);
  await new Promise((r) => setTimeout(r, 300));
  t.true(existsSync(join(h.root, tmp)), 'the partial temp file is left');
  t.is(driverDirs(driver).length, 1, "the dead driver's dir is left");

  const next = await openConnection('h1', h.vars, opts(), new SshPool());
  t.is((await next.run(['echo', 'next run'])).stdout, 'next run\n');
  t.false(existsSync(join(h.root, tmp)), 'the next connection removed the partial temp file');
  t.is(driverDirs(driver).length, 0, "and the dead driver's dir");
  t.true(existsSync(liveTmp), "the live run's temp file is untouched");
  t.true(existsSync(join(tmpDir(), liveDir!)), "the live run's dir is untouched");
  t.is((await live.run(['echo', 'still live'])).stdout, 'still live\n');
  await next.close();
  await live.close();
  // the live run ended normally: its driver removed its dir and what its journal named
  t.true(await until(() => !existsSync(liveTmp) && !existsSync(join(tmpDir(), liveDir!)), 3000));
});
