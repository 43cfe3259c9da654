// What the benchmark playbook must leave on each host, and snapshots that prove a run touched
// nothing. Each host's "filesystem" is its own directory (`bench_root`), so both checks walk it.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Entry is one path under a host root as the checks see it. */
export interface Entry {
  readonly type: 'file' | 'dir' | 'link';
  readonly mode: string;
  readonly content?: string;
  readonly target?: string;
}

/** Stamp is one path's full identity: any write, chmod, rename or touch changes it. */
export interface Stamp extends Entry {
  readonly ino: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly sha?: string;
}

const APP_DIRS = ['cache', 'data', 'logs', 'run', 'spool'];

/** expectedState lists every path bench/playbook/site.yml leaves under `root` for host `name`. */
export function expectedState(name: string, root: string): Map<string, Entry> {
  const m = new Map<string, Entry>();
  const dir = (p: string, mode = ''): void => void m.set(p, { type: 'dir', mode });
  const file = (p: string, mode: string, content: string): void => void m.set(p, { type: 'file', mode, content });
  dir('etc');
  dir('etc/benchapp', '0755');
  file('etc/benchapp/app.conf', '0644', `name=benchapp\nport=8080\nhost=${name}\n`);
  file('etc/benchapp/app.env', '0640', `# managed by the benchmark\nAPP_NAME=benchapp\nAPP_PORT=8080\nAPP_USER=root\nAPP_HOST=${name}\nAPP_ROOT=${root}\n`);
  file(
    'etc/benchapp/app.service',
    '0644',
    `[Unit]\nDescription=benchapp on ${name}\n\n[Service]\nUser=root\nExecStart=${root}/usr/bin/benchapp --port 8080\nWorkingDirectory=${root}/var/lib/benchapp\n\n[Install]\nWantedBy=multi-user.target\n`,
  );
  m.set('etc/benchapp/current.conf', { type: 'link', mode: '', target: `${root}/etc/benchapp/app.conf` });
  file('etc/motd', '0644', `Welcome to ${name}\n`);
  file('etc/hosts', '0644', `127.0.0.1 ${name}.bench ${name}\n`);
  file('etc/sysctl.conf', '0644', 'net.core.somaxconn = 1024\nfs.file-max = 65536\n');
  dir('var');
  dir('var/lib');
  dir('var/lib/benchapp', '0750');
  file('var/lib/benchapp/initialized', '', '');
  file('var/lib/benchapp/restarted', '0644', 'restarted\n');
  dir('srv');
  for (const d of APP_DIRS) {
    dir(`srv/${d}`, '0755');
    file(`srv/${d}/.keep`, '0644', `${d}\n`);
  }
  return m;
}

function walk(root: string, visit: (rel: string, abs: string) => void): void {
  const stack = [root];
  while (stack.length) {
    const d = stack.pop() as string;
    for (const n of readdirSync(d)) {
      const abs = join(d, n);
      visit(relative(root, abs), abs);
      if (lstatSync(abs).isDirectory()) stack.push(abs);
    }
  }
}

/** snapshot stamps every path under `root`. */
export function snapshot(root: string): Map<string, Stamp> {
  const m = new Map<string, Stamp>();
  walk(root, (rel, abs) => {
    const st = lstatSync(abs, { bigint: true });
    const mode = (Number(st.mode) & 0o7777).toString(8).padStart(4, '0');
    const base = { mode, ino: Number(st.ino), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs };
    if (st.isSymbolicLink()) m.set(rel, { type: 'link', target: readlinkSync(abs), ...base });
    else if (st.isDirectory()) m.set(rel, { type: 'dir', ...base });
    else {
      const data = readFileSync(abs);
      m.set(rel, { type: 'file', content: data.length < 4096 ? data.toString('utf8') : undefined, sha: createHash('sha256').update(data).digest('hex'), ...base });
    }
  });
  return m;
}

/** checkConverged lists how `root` differs from the expected state (empty: converged). */
export function checkConverged(name: string, root: string): string[] {
  const want = expectedState(name, root);
  const got = snapshot(root);
  const problems: string[] = [];
  for (const [p, w] of want) {
    const g = got.get(p);
    if (!g) problems.push(`${name}: missing ${p}`);
    else if (g.type !== w.type) problems.push(`${name}: ${p} is a ${g.type}, want ${w.type}`);
    else if (w.mode && g.mode !== w.mode) problems.push(`${name}: ${p} mode ${g.mode}, want ${w.mode}`);
    else if (w.content !== undefined && g.content !== w.content) problems.push(`${name}: ${p} content ${JSON.stringify(g.content)}, want ${JSON.stringify(w.content)}`);
    else if (w.target !== undefined && g.target !== w.target) problems.push(`${name}: ${p} -> ${g.target}, want ${w.target}`);
  }
  for (const p of got.keys()) if (!want.has(p)) problems.push(`${name}: unexpected ${p}`);
  return problems;
}

/** diffSnapshots lists paths added, removed or changed in any way between two snapshots. */
export function diffSnapshots(name: string, a: ReadonlyMap<string, Stamp>, b: ReadonlyMap<string, Stamp>): string[] {
  const out: string[] = [];
  for (const [p, s] of a) {
    const t = b.get(p);
    if (!t) out.push(`${name}: ${p} removed`);
    else if (t.ino !== s.ino || t.mtimeNs !== s.mtimeNs || t.ctimeNs !== s.ctimeNs || t.mode !== s.mode || t.sha !== s.sha || t.target !== s.target) out.push(`${name}: ${p} touched`);
  }
  for (const p of b.keys()) if (!a.has(p)) out.push(`${name}: ${p} added`);
  return out;
}

/** wipe empties a host root (a first run starts from nothing). */
export function wipe(root: string): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
}
