// Real test hosts: N OpenSSH sshd processes on this machine, each on its own loopback port
// with its own config, host key, clean HOME and a directory standing for its filesystem.
// Why loopback ports rather than network namespaces: the network rule forbids private
// addresses in the root namespace, and reaching a namespace from the root one would need a
// relay per host; a port per sshd gives the same thing a test needs (a separate sshd with
// its own key that can be killed, frozen or re-keyed alone). All sshds share this machine's
// filesystem, so each host's "own" files live under `host.root`; tests must only touch that.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import PQueue from 'p-queue';

/** TestHost is one running sshd standing for one inventory host. */
export interface TestHost {
  readonly name: string;
  readonly port: number;
  /** the sshd's own directory (config, keys, log) */
  readonly dir: string;
  /** the directory that stands for this host's filesystem in tests */
  readonly root: string;
  /** the clean HOME sessions get (SetEnv HOME), so no heavy rc file runs */
  readonly home: string;
  /**
   * the host's own TMPDIR (SetEnv TMPDIR): each test host has its own /tmp as a real machine does, so
   * one host's driver clean-up never sees another host's (or another test file's) temp dirs
   */
  readonly tmp: string;
  /** the sshd listener's PID (started by us; killed by PID) */
  pid: number;
  /** the host key's public line (`ssh-ed25519 AAAA...`) */
  hostKeyPub: string;
  /** inventory vars reaching this host */
  readonly vars: Record<string, string>;
}

/** TestHosts is a set of running test hosts with the client key and known_hosts that reach them. */
export interface TestHosts {
  readonly dir: string;
  readonly hosts: TestHost[];
  readonly byName: Map<string, TestHost>;
  readonly clientKey: string;
  readonly knownHostsFile: string;
  /** inventoryIni renders an INI inventory for these hosts under group `[group]`. */
  inventoryIni(group?: string, extra?: string): string;
  /** kill SIGKILLs a host's sshd and every session process under it (a crashed host). */
  kill(name: string): void;
  /** freeze SIGSTOPs a host's sshd and sessions: the TCP stays open but nothing answers. */
  freeze(name: string): void;
  /** thaw SIGCONTs what freeze stopped. */
  thaw(name: string): void;
  /** swapHostKey gives the host a new host key and restarts its sshd on the same port; known_hosts keeps the old key. */
  swapHostKey(name: string): Promise<void>;
  /** teardown kills every sshd started here (by PID) and removes the directories. */
  teardown(): Promise<void>;
}

const BASE = '/tmp/tsplay-hosts';
/** how many hosts are set up at once (as many as the largest test's, 50, so tests start as before) */
const START_CONCURRENCY = 50;
const started = new Set<number>();

// On any exit, leave no sshd behind: kill what we started, by PID, with their children.
process.on('exit', () => {
  for (const pid of started) killTree(pid, 'SIGKILL');
});

/** childrenOf lists the PIDs whose parent is `pid`, read from /proc. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // field 4 (ppid) follows the `(comm)` field, which may itself hold spaces or parens
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(after[1]) === pid) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** descendantsOf lists `pid` and everything below it, parents first. */
export function descendantsOf(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i] as number));
  return out;
}

// Only an sshd of ours not yet reaped: its PID cannot have been given to another process (pid_max
// is 32768 here, and a CI cycles through that in minutes: a host killed by a test and signalled
// again at teardown would hit whatever got its PID).
function killTree(pid: number, sig: NodeJS.Signals): void {
  if (!started.has(pid)) return;
  for (const p of descendantsOf(pid)) {
    try {
      process.kill(p, sig);
    } catch {
      // already gone
    }
  }
}

const handedOut = new Set<number>();

// A port the kernel just gave out and that no host of this process has had yet.
async function freePort(): Promise<number> {
  for (;;) {
    const p = await kernelPort();
    if (!handedOut.has(p)) {
      handedOut.add(p);
      return p;
    }
  }
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// Resolves once something on the port sends an SSH banner.
function waitForBanner(port: number, deadline: number): Promise<boolean> {
  return new Promise((resolve) => {
    const attempt = (): void => {
      const s = createConnection({ host: '127.0.0.1', port });
      let got = '';
      s.setTimeout(1000);
      s.on('data', (d) => {
        got += d.toString('latin1');
        if (got.startsWith('SSH-')) {
          s.destroy();
          resolve(true);
        }
      });
      const retry = (): void => {
        s.destroy();
        if (Date.now() > deadline) resolve(false);
        else setTimeout(attempt, 20);
      };
      s.on('error', retry);
      s.on('timeout', retry);
    };
    attempt();
  });
}

const execFileP = promisify(execFile);

async function keygen(file: string, comment: string): Promise<string> {
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  const [type, b64] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ');
  return `${type} ${b64}`;
}

function sshdConfig(h: { port: number; dir: string; home: string; tmp: string }, authorizedKeys: string): string {
  return [
    `Port ${h.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${h.dir}/ssh_host_ed25519_key`,
    `PidFile ${h.dir}/sshd.pid`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'MaxSessions 10',
    'MaxStartups 200',
    `SetEnv HOME=${h.home} TMPDIR=${h.tmp}`,
    'Subsystem sftp internal-sftp',
    'PrintMotd no',
    'PrintLastLog no',
    'UseDNS no',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

// Our sshd wrote its PID file: a banner alone could come from another sshd on a reused port.
async function ownsPidFile(h: TestHost, pid: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    try {
      if (Number(readFileSync(join(h.dir, 'sshd.pid'), 'utf8').trim()) === pid) return true;
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

async function startSshd(h: TestHost): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    rmSync(join(h.dir, 'sshd.pid'), { force: true });
    const log = openSync(join(h.dir, 'sshd.log'), 'a');
    const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(h.dir, 'sshd_config')], { stdio: ['ignore', 'ignore', log] });
    closeSync(log);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`sshd for ${h.name} did not start`);
    started.add(pid);
    child.on('exit', () => started.delete(pid));
    child.unref();
    h.pid = pid;
    const exited = new Promise<false>((resolve) => child.once('exit', () => resolve(false)));
    if ((await Promise.race([waitForBanner(h.port, Date.now() + 10_000), exited])) && (await ownsPidFile(h, pid, Date.now() + 3000)) && child.exitCode === null) return;
    killTree(pid, 'SIGKILL');
    // the port was taken meanwhile: take another one
    const port = await freePort();
    (h as { port: number }).port = port;
    (h.vars as Record<string, string>).ansible_port = String(port);
    writeFileSync(join(h.dir, 'sshd_config'), readFileSync(join(h.dir, 'sshd_config'), 'utf8').replace(/^Port \d+$/m, `Port ${port}`));
  }
  throw new Error(`sshd for ${h.name} did not come up; see ${h.dir}/sshd.log`);
}

/**
 * createTestHosts starts `n` sshds (h1..hN, or `names`) with fresh host keys, one fresh client
 * key in their authorized_keys, and a known_hosts file holding every host key. The caller
 * must call `teardown()` (tests do it in `after.always`).
 */
export async function createTestHosts(n: number, opts: { names?: string[]; user?: string } = {}): Promise<TestHosts> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation dir
  mkdirSync(BASE, { recursive: true });
  const dir = join(BASE, `set-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const clientKey = join(dir, 'client_key');
  const clientPub = await keygen(clientKey, 'tsplay-test-client');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `${clientPub}\n`);
  const knownHostsFile = join(dir, 'known_hosts');
  const user = opts.user ?? 'root';
  const names = opts.names ?? Array.from({ length: n }, (_, i) => `h${i + 1}`);
  // Why bounded: hundreds of sshds starting at once (the bench's 500-host run) each poll for
  // their banner every 20 ms, which starves the event loop until the start deadlines pass
  const q = new PQueue({ concurrency: START_CONCURRENCY });
  const hosts: TestHost[] = await Promise.all(
    names.map((name) =>
      q.add(async () => {
        const hdir = join(dir, name);
        const home = join(hdir, 'home');
        const root = join(hdir, 'root');
        const tmp = join(hdir, 'tmp');
        mkdirSync(home, { recursive: true });
        mkdirSync(root, { recursive: true });
        mkdirSync(tmp, { recursive: true });
        chmodSync(tmp, 0o1777);
        const port = await freePort();
        const hostKeyPub = await keygen(join(hdir, 'ssh_host_ed25519_key'), name);
        const h: TestHost = {
          name,
          port,
          dir: hdir,
          root,
          home,
          tmp,
          pid: 0,
          hostKeyPub,
          vars: { ansible_host: '127.0.0.1', ansible_port: String(port), ansible_user: user, ansible_ssh_private_key_file: clientKey },
        };
        writeFileSync(join(hdir, 'sshd_config'), sshdConfig(h, authorizedKeys));
        return h;
      }),
    ),
  );
  await Promise.all(hosts.map((h) => q.add(() => startSshd(h))));
  const writeKnownHosts = (): void => writeFileSync(knownHostsFile, hosts.map((h) => `[127.0.0.1]:${h.port} ${h.hostKeyPub}\n`).join(''));
  writeKnownHosts();
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const get = (name: string): TestHost => {
    const h = byName.get(name);
    if (!h) throw new Error(`no test host ${name}`);
    return h;
  };
  return {
    dir,
    hosts,
    byName,
    clientKey,
    knownHostsFile,
    inventoryIni(group = 'test', extra = ''): string {
      const lines = hosts.map(
        (h) =>
          `${h.name} ${Object.entries(h.vars)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}${extra ? ` ${extra}` : ''}`,
      );
      return `[${group}]\n${lines.join('\n')}\n`;
    },
    kill(name: string): void {
      const h = get(name);
      killTree(h.pid, 'SIGKILL');
    },
    freeze(name: string): void {
      killTree(get(name).pid, 'SIGSTOP');
    },
    thaw(name: string): void {
      killTree(get(name).pid, 'SIGCONT');
    },
    async swapHostKey(name: string): Promise<void> {
      const h = get(name);
      killTree(h.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 50));
      h.hostKeyPub = await keygen(join(h.dir, 'ssh_host_ed25519_key'), `${name}-swapped`);
      await startSshd(h);
    },
    async teardown(): Promise<void> {
      for (const h of hosts) {
        killTree(h.pid, 'SIGCONT');
        killTree(h.pid, 'SIGKILL');
      }
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * cliWorkDir makes a directory for runs of the real CLI against `hs` (the caller removes it): a HOME
 * whose known_hosts holds their keys, and inventory.ini (group `test`) where every host also carries
 * `dest_root`, its test root.
 */
export function cliWorkDir(hs: TestHosts, prefix: string): string {
  const work = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(work, 'home', '.ssh'), { recursive: true });
  writeFileSync(join(work, 'home', '.ssh', 'known_hosts'), readFileSync(hs.knownHostsFile));
  const lines = hs.hosts.map(
    (h) =>
      `${h.name} ${Object.entries({ ...h.vars, dest_root: h.root })
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
  );
  writeFileSync(join(work, 'inventory.ini'), `[test]\n${lines.join('\n')}\n`);
  return work;
}
