import { posix } from 'node:path';
import { z } from 'zod';
import type { Argv } from '../connection/types.ts';
import type { ApplyResult, Change, ModuleContext, ModuleDef, Plan } from './types.ts';
import { abool, astr, moduleArgs } from './support/args.ts';
import { type FileState, readFileStatesAnd, sha1 } from './support/file-state.ts';
import { applyWrite, planWrite, type WritePayload } from './support/file-write.ts';
import { editSysctlFile, parseSysctlFile, sysctlProcPath, sysctlStderrFailed, sysctlValue, sysctlValuesEqual } from './support/sysctl-conf.ts';
import { taskOpts } from './support/task-opts.ts';

/** DEFAULT_SYSCTL_FILE is ansible.posix.sysctl's default `sysctl_file`. */
const DEFAULT_SYSCTL_FILE = '/etc/sysctl.conf';

const schema = moduleArgs(
  {
    name: astr,
    value: astr,
    state: z.enum(['present', 'absent']),
    reload: abool,
    sysctl_set: abool,
    ignoreerrors: abool,
    sysctl_file: astr,
  },
  {
    required: ['name'],
    aliases: { key: 'name', val: 'value' },
    custom: (a) => {
      const name = String(a['name'] ?? '').trim();
      const present = (a['state'] ?? 'present') === 'present';
      const problems = [];
      if (a['name'] !== undefined && name === '') problems.push({ code: 'E_ARG_TYPE' as const, message: 'name cannot be blank', path: ['name'] });
      else if (a['name'] !== undefined && sysctlProcPath(name) === undefined)
        problems.push({ code: 'E_ARG_TYPE' as const, message: `${name} is not a sysctl key (an empty, "." or ".." component)`, path: ['name'] });
      if (present && a['value'] === undefined) problems.push({ code: 'E_ARG_REQUIRED' as const, message: 'state is present but all of the following are missing: value' });
      if (present && a['value'] === '') problems.push({ code: 'E_ARG_TYPE' as const, message: 'value cannot be blank', path: ['value'] });
      return problems;
    },
  },
);
type Args = z.output<typeof schema>;

/** SysctlCurrent is a key's two layers: the persisted file and the running kernel's value (null: no such key here). */
export interface SysctlCurrent {
  readonly file: FileState;
  readonly running: string | null;
}

/** SysctlPayload is what apply carries out: `sysctl -w`, the file write, `sysctl -p`. */
interface SysctlPayload {
  readonly set?: Argv;
  readonly write?: WritePayload;
  readonly reload?: Argv;
}

function oneLine(v: string | null): string | null {
  return v === null ? null : v.replace(/\s+/g, ' ').trim();
}

/**
 * planSysctl is ansible.posix.sysctl's decision, made pure, with both layers as changes: the file
 * entry (`persisted`) and the running value (`running`, class live). A persisted change is `live`
 * when the running kernel has (or gets now) the same value, else `config`: it waits for the next
 * boot, and the task reports a pending restart. Deviations: a key the kernel does not have fails
 * the plan before anything is written (Ansible writes the file, then fails reloading it), unless
 * `ignoreerrors`, where only the file is managed and the key stays converged once written.
 */
export function planSysctl(args: Args, cur: SysctlCurrent): Plan<SysctlPayload> {
  const name = args.name.trim();
  const value = sysctlValue(args.value);
  const present = (args.state ?? 'present') === 'present';
  const reload = args.reload ?? true;
  const ignore = args.ignoreerrors ?? false;
  const path = cur.file.path;
  if (cur.file.exists && cur.file.stat?.type === 'directory') return { changes: [], failed: true, msg: `${path} is a directory` };
  if (cur.file.exists && cur.file.content === undefined) return { changes: [], failed: true, msg: `Failed to open ${path}: ${cur.file.binary ? 'not a UTF-8 text file' : 'cannot be read'}` };
  const text = cur.file.exists ? (cur.file.content ?? '') : '';
  const file = parseSysctlFile(text);
  const inFile = file.values.get(name) ?? null;
  const running = oneLine(cur.running);
  const writeFile = present ? inFile !== value : inFile !== null && inFile !== '';
  const runningOk = sysctlValuesEqual(running, value);
  const setsRunning = present && !runningOk && ((args.sysctl_set ?? false) || reload);
  if (setsRunning && running === null && !ignore) {
    return { changes: [], failed: true, msg: `${name} is not a key of this kernel (no ${sysctlProcPath(name)}; net.* keys exist per network namespace)` };
  }
  const halfApplied = inFile !== null && running !== null && !sysctlValuesEqual(inFile, running) ? `half-applied: ${path} has ${name}=${inFile} but the running kernel has ${running}` : undefined;
  const changes: Change[] = [];
  const payload: { -readonly [K in keyof SysctlPayload]: SysctlPayload[K] } = {};
  const e = ignore ? ['-e'] : [];
  if (setsRunning && running !== null) {
    changes.push({ property: 'running', before: running, after: value, class: 'live' });
    if (args.sysctl_set) payload.set = ['sysctl', ...e, '-w', `${name}=${value}`];
  }
  if (writeFile) {
    const after = editSysctlFile(file, name, value, present);
    // a link is edited where it points, as lineinfile does, so the link itself survives
    const target = cur.file.stat?.type === 'link' && cur.file.linkTarget !== undefined ? posix.resolve(posix.dirname(path), cur.file.linkTarget) : path;
    const w = planWrite({}, after, cur.file.exists ? { ...cur.file, path: target, checksum: sha1(text) } : cur.file);
    if (w.failed) return { changes: [], failed: true, msg: w.msg ?? `cannot write ${path}` };
    const liveNow = present && (runningOk || changes.length > 0);
    changes.push({ property: 'persisted', before: inFile, after: present ? value : null, class: liveNow ? 'live' : 'config', diff: { path, before: text, after } });
    if (w.payload) payload.write = w.payload;
  }
  if (changes.length === 0) {
    const why = present ? `${name}=${value} is in ${path}${runningOk ? ' and running' : ''}` : `${name} is not in ${path}`;
    return { changes, reason: halfApplied ? `${why}; ${halfApplied} (reload or sysctl_set would apply it)` : why, ...(halfApplied ? { msg: halfApplied } : {}) };
  }
  if (reload) payload.reload = ['sysctl', ...e, '-p', path];
  return { changes, payload, ...(halfApplied ? { msg: halfApplied } : {}) };
}

async function sysctl(ctx: ModuleContext, argv: Argv, what: string): Promise<string | undefined> {
  // LC_ALL=C: the stderr checked for failures must be sysctl's English text
  const r = await ctx.conn.run(argv, { ...taskOpts(ctx), env: { ...ctx.env, LANG: 'C', LC_ALL: 'C', LC_MESSAGES: 'C' } });
  return r.rc !== 0 || sysctlStderrFailed(r.stderr) ? `${what}: ${r.stdout}${r.stderr}`.trim() : undefined;
}

/** sysctlModule is ansible.posix.sysctl: a kernel parameter's running value and its entry in a sysctl.conf file. */
export const sysctlModule: ModuleDef<Args, SysctlCurrent, SysctlPayload> = {
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  doc: 'Kernel parameters as ansible.posix.sysctl: the entry in sysctl_file (default /etc/sysctl.conf) and, with sysctl_set or reload, the running value; net.* keys are per network namespace, and the module acts in the one its connection lands in.',
  example: "- name: Forwarding on, now and at boot\n  sysctl:\n    name: net.ipv4.ip_forward\n    value: '1'\n    sysctl_set: true\n",
  classes: ['live', 'config'],
  schema,
  writeKeys: (args) => [args.sysctl_file ?? DEFAULT_SYSCTL_FILE],
  async read(ctx, args) {
    const proc = sysctlProcPath(args.name.trim())!;
    // both layers in one round trip: the file (with its content) and the running value
    const { states, extra } = await readFileStatesAnd(ctx, [args.sysctl_file ?? DEFAULT_SYSCTL_FILE], { content: true }, [['cat', '--', proc]]);
    const rt = extra[0];
    return { file: states[0]!, running: rt && rt.rc === 0 ? rt.stdout : null };
  },
  plan(args, current) {
    return planSysctl(args, current);
  },
  async apply(ctx, args, plan): Promise<ApplyResult> {
    const p = plan.payload ?? {};
    const name = args.name.trim();
    if (p.set) {
      const err = await sysctl(ctx, p.set, `setting ${name} failed`);
      if (err !== undefined) return { changed: false, failed: true, msg: err };
    }
    if (p.write) await applyWrite(ctx, { changes: plan.changes, payload: p.write });
    if (p.reload) {
      const err = await sysctl(ctx, p.reload, 'Failed to reload sysctl');
      if (err !== undefined) return { changed: true, failed: true, msg: err };
    }
    return { changed: true };
  },
};
