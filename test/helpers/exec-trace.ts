// Counting the commands tsplay runs on a host, measured there: strace follows the host's sshd
// (-ff: one file per process) while tsplay talks to it, and the commands are the programs
// started under tsplay's remote driver (engine/connection/shell-driver.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenOf } from './ssh-hosts.ts';
import { waitFor } from './wait-for.ts';

/** TracedProcess is one process of an `strace -ff` trace: what it ran and which processes it started. */
export interface TracedProcess {
  readonly pid: number;
  /** argv of each successful execve, in order */
  readonly execs: string[][];
  readonly children: number[];
}

/** parseStraceFile reads one `strace -ff -e trace=execve,clone,clone3,fork,vfork` file (the pid comes from its name). */
export function parseStraceFile(pid: number, text: string): TracedProcess {
  const execs: string[][] = [];
  const children: number[] = [];
  for (const line of text.split('\n')) {
    const exec = /^execve\("[^"]*", \[(.*)\](?:, 0x[0-9a-f]+ \/\* \d+ vars \*\/|, \[.*\])?\)\s+= 0$/.exec(line);
    if (exec) execs.push([...exec[1]!.matchAll(/"((?:[^"\\]|\\.)*)"(?:\.\.\.)?/g)].map((m) => m[1]!));
    // strace pads a short call's ` = ` to a column (`vfork()                = 123`)
    const fork = /^(?:clone3?|v?fork)\(.*\)\s+= (\d+)$/.exec(line);
    if (fork) children.push(Number(fork[1]));
  }
  return { pid, execs, children };
}

// What the driver itself starts for a request (its stdin and stderr plumbing) and on exit
// (Z: the journal's files and its temp dir removed).
const PLUMBING = [/^head -c \d+$/, /^dd bs=1 /, /^cat \S*\/\.tsplay-\d+-\w+\/e$/, /^readlink .*\/\.tsplay-\d+-\w+\/j-/, /^rm -f -- .*\.tsplay-/, /^rm -rf -- .*\/\.tsplay-\d+-\w+$/];

/** NO_PROGRAM stands for a command that started no program: an `exec` that found none, or a shell script of builtins only. */
export const NO_PROGRAM = ['(no program)'];

/**
 * remoteCommands lists the commands tsplay's drivers ran in a trace. The driver runs each request
 * in a child it forks (a plain argv: vforks), so each child forked after its start-up (which ends with the `grep GNU`
 * probe) is one command, except its stdin/stderr plumbing and, for a command with a timeout (run
 * under `setsid`), the watchdog subshell forked right after it. A command is named by the first
 * program it starts (with a timeout, the one after `setsid` and `sh -c`). What a `sh -c` script
 * starts is part of that command. A file probe (READ_SCRIPT) runs in the driver itself
 * (inPlaceScript), so each program it starts (`stat`, `sha1sum`...) counts as one command.
 */
export function remoteCommands(procs: readonly TracedProcess[]): string[][] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  // the first program a process (or, if it starts none itself, one of its children) runs
  const firstExec = (pid: number): string[] | undefined => {
    const p = byPid.get(pid);
    if (!p) return undefined;
    if (p.execs.length > 0) return p.execs[0];
    for (const c of p.children) {
      const e = firstExec(c);
      if (e) return e;
    }
    return undefined;
  };
  const out: string[][] = [];
  for (const driver of procs.filter((p) => p.execs.some((argv) => argv.includes('tsplay-driver')))) {
    const probe = driver.children.findIndex((c) => byPid.get(c)?.execs[0]?.join(' ') === 'grep GNU');
    let watchdogNext = false;
    for (const c of driver.children.slice(probe + 1)) {
      const own = byPid.get(c)?.execs ?? [];
      if (watchdogNext && own.length === 0) {
        watchdogNext = false;
        continue;
      }
      watchdogNext = own[0]?.[0] === 'setsid';
      // setsid execs `sh -c TEXT`, which execs the command itself when it is a program
      const e = watchdogNext ? (own[2] ?? ['sh', '-c', ...(own[1]?.slice(2) ?? [])]) : firstExec(c);
      if (e === undefined) out.push(NO_PROGRAM);
      else if (!PLUMBING.some((re) => re.test(e.join(' ')))) out.push(e);
    }
  }
  return out;
}

/** traceCommands runs fn while strace follows the sshd listening as `sshdPid`, and returns fn's value with the commands tsplay's drivers ran meanwhile. */
export async function traceCommands<T>(sshdPid: number, fn: () => Promise<T>): Promise<{ value: T; commands: string[][] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-strace-'));
  const pid = String(sshdPid);
  const s = spawn('strace', ['-ff', '-qq', '-s', '256', '-e', 'trace=execve,clone,clone3,fork,vfork', '-e', 'signal=none', '-o', join(dir, 't'), '-p', pid]);
  let err = '';
  s.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const closed = new Promise<void>((r) => s.on('close', () => r()));
  try {
    // strace attaches before it prints anything; give it a moment, as a fork before that is missed
    await new Promise((r) => setTimeout(r, 500));
    if (s.exitCode !== null) throw new Error(`strace -p ${pid}: ${err}`);
    const value = await fn();
    // stop strace only once the sessions have ended: interrupted while the exiting driver vforks
    // (`rm` of its temp dir), strace was seen waiting for that child forever, at load 40+
    await waitFor(() => childrenOf(sshdPid).length === 0, 'the traced sessions to end', 10_000).catch(() => undefined);
    s.kill('SIGINT');
    await closed;
    const procs = readdirSync(dir).map((f) => parseStraceFile(Number(f.split('.').pop()), readFileSync(join(dir, f), 'utf8')));
    return { value, commands: remoteCommands(procs) };
  } finally {
    if (s.exitCode === null) {
      s.kill('SIGINT');
      await closed;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
