import { z } from 'zod';
import type { Argv } from '../connection/types.ts';
import type { Change, ModuleDef, Plan } from './types.ts';
import { abool, alist, moduleArgs } from './support/args.ts';
import { taskOpts } from './support/task-opts.ts';
import { outputLines } from './support/ansible-format.ts';
import { type AptPolicy, type PackageManager, parseAptPolicy, parseDpkgQuery, parseManager, parseRpmQuery, queryCommands } from './support/package-query.ts';

// Why so strict: names become argv words; refusing a leading '-' keeps them from being options.
const pkgName = z.string().regex(/^[A-Za-z0-9_@][A-Za-z0-9+._:=~*@/-]*$/, 'not a package name');
const schema = moduleArgs(
  {
    name: alist(pkgName),
    state: z.enum(['present', 'installed', 'absent', 'removed', 'latest']),
    use: z.enum(['auto', 'apt', 'dnf', 'yum']),
    update_cache: abool,
  },
  { required: ['name'], aliases: { pkg: 'name' } },
);
type Args = z.output<typeof schema>;

/** PackageCurrent is what the host has: its manager and the installed version of each asked name. */
export interface PackageCurrent {
  readonly manager?: PackageManager;
  /** name -> installed version, or null when not installed */
  readonly installed: Readonly<Record<string, string | null>>;
  /** apt only, state=latest: name -> candidate version */
  readonly candidate?: Readonly<Record<string, string | null>>;
}

/** PackagePayload is the list of names per action, for apply. */
export interface PackagePayload {
  readonly manager: PackageManager;
  readonly install: readonly string[];
  readonly remove: readonly string[];
  readonly upgrade: readonly string[];
}

/** splitSpec separates `name=version` (apt's pin syntax) into its parts. */
export function splitSpec(spec: string): { name: string; version?: string } {
  const i = spec.indexOf('=');
  return i === -1 ? { name: spec } : { name: spec.slice(0, i), version: spec.slice(i + 1) };
}

/** planPackages is the pure package plan: what to install, remove or upgrade, per name. */
export function planPackages(args: Args, cur: PackageCurrent): Plan<PackagePayload> {
  const manager = args.use !== undefined && args.use !== 'auto' ? args.use : cur.manager;
  if (!manager) return { changes: [], failed: true, msg: 'no supported package manager (apt-get, dnf, yum) found on the host' };
  const state = args.state === 'installed' ? 'present' : args.state === 'removed' ? 'absent' : (args.state ?? 'present');
  const changes: Change[] = [];
  const install: string[] = [];
  const remove: string[] = [];
  const upgrade: string[] = [];
  let unknowable = false;
  for (const spec of args.name) {
    const { name, version } = splitSpec(spec);
    const have = cur.installed[name] ?? null;
    if (state === 'absent') {
      if (have !== null) {
        changes.push({ property: `package ${name}`, before: have, after: 'absent' });
        remove.push(name);
      }
    } else if (have === null || (version !== undefined && have !== version)) {
      changes.push({ property: `package ${name}`, before: have ?? 'absent', after: version ?? state });
      install.push(spec);
    } else if (state === 'latest') {
      if (manager === 'apt') {
        const cand = cur.candidate?.[name] ?? null;
        if (cand !== null && cand !== have) {
          changes.push({ property: `package ${name}`, before: have, after: cand });
          install.push(name);
        }
      } else {
        // Without downloading repository metadata an rpm host cannot tell; apply finds out.
        unknowable = true;
        upgrade.push(name);
      }
    }
  }
  const result = { manager, installed: cur.installed };
  if (changes.length === 0 && !unknowable) {
    return { changes, reason: `all packages already ${state}`, result };
  }
  if (unknowable && upgrade.length > 0) changes.push({ property: 'packages upgradable', before: upgrade.join(' '), after: 'latest' });
  return { changes, result, payload: { manager, install, remove, upgrade }, ...(unknowable ? { unknowable } : {}) };
}

function installArgv(m: PackageManager, verb: 'install' | 'remove' | 'upgrade', names: readonly string[]): Argv {
  if (m === 'apt') {
    const v = verb === 'upgrade' ? 'install' : verb;
    return ['apt-get', v, '-y', '-q', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', ...names];
  }
  return [m, verb, '-y', '-q', ...names];
}

/** packageModule installs, removes or upgrades packages with apt, dnf or yum, detected on the host. */
export const packageModule: ModuleDef<Args, PackageCurrent, PackagePayload> = {
  name: 'package',
  doc: 'Ensure packages are present, absent or latest with apt-get, dnf or yum (detected); reads dpkg-query/rpm first.',
  example: '- name: Hypervisor packages\n  package:\n    name: [qemu-system-x86, libvirt-daemon-system]\n    state: present\n',
  schema,
  async read(ctx, args) {
    const names = args.name.map((s) => splitSpec(s).name);
    const latest = args.state === 'latest';
    const [det, dpkg, rpm, policy] = await ctx.conn.batch(queryCommands(names, latest), taskOpts(ctx));
    const manager = parseManager(det?.stdout ?? '');
    const found = manager === 'apt' ? parseDpkgQuery(dpkg?.stdout ?? '') : parseRpmQuery(rpm?.stdout ?? '');
    const installed: Record<string, string | null> = {};
    for (const n of names) installed[n] = found.get(n) ?? null;
    const out: { manager?: PackageManager; installed: Record<string, string | null>; candidate?: Record<string, string | null> } = { installed };
    if (manager) out.manager = manager;
    if (latest && manager === 'apt') {
      const pol: Map<string, AptPolicy> = parseAptPolicy(policy?.stdout ?? '');
      out.candidate = Object.fromEntries(names.map((n) => [n, pol.get(n)?.candidate ?? null]));
    }
    return out;
  },
  plan(args, current) {
    return planPackages(args, current);
  },
  async apply(ctx, args, plan) {
    const p = plan.payload!;
    const env = { ...ctx.env, ...(p.manager === 'apt' ? { DEBIAN_FRONTEND: 'noninteractive' } : {}) };
    const cmds: Argv[] = [];
    if (args.update_cache && p.manager === 'apt') cmds.push(['apt-get', 'update', '-q']);
    if (p.install.length > 0) cmds.push(installArgv(p.manager, 'install', p.install));
    if (p.remove.length > 0) cmds.push(installArgv(p.manager, 'remove', p.remove));
    if (p.upgrade.length > 0) cmds.push(installArgv(p.manager, 'upgrade', p.upgrade));
    let stdout = '';
    let stderr = '';
    let changed = p.install.length > 0 || p.remove.length > 0;
    // Sequential on purpose: package managers hold a lock, and a failure must stop the rest.
    for (const argv of cmds) {
      const r = await ctx.conn.run(argv, { ...taskOpts(ctx), env });
      stdout += r.stdout;
      stderr += r.stderr;
      if (r.rc !== 0) {
        return { changed, failed: true, msg: `${argv.slice(0, 2).join(' ')} failed (rc ${r.rc}): ${r.stderr.trim()}`, result: { rc: r.rc, stdout, stderr } };
      }
      if (argv[1] === 'upgrade' && !/Nothing to do|No packages marked for update/i.test(r.stdout)) changed = true;
    }
    return { changed, result: { rc: 0, stdout, stderr, stdout_lines: outputLines(stdout) } };
  },
};
