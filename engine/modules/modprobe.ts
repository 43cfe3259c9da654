import { posix } from 'node:path';
import { z } from 'zod';
import { fixedScript } from '../connection/fixed-script.ts';
import type { Argv } from '../connection/types.ts';
import type { ApplyResult, Change, ModuleDef, Plan } from './types.ts';
import { astr, moduleArgs } from './support/args.ts';
import { type ConfFile, confDumpArgv, kernelName, MODPROBE_DIR, MODULES_LOAD_DIR, parseConfDump, parseProcModules, parseSysfsParams, sysfsParamsArgv } from './support/modprobe-state.ts';
import { runAll } from './support/file-state.ts';
import { taskOpts } from './support/task-opts.ts';
import { shlexSplit } from '../py/shlex.ts';

const schema = moduleArgs(
  {
    name: astr,
    state: z.enum(['present', 'absent']),
    params: astr,
    persistent: z.enum(['disabled', 'present', 'absent']),
  },
  {
    required: ['name'],
    custom: (a) => {
      const n = String(a['name'] ?? '');
      // the name becomes a file name in /etc/modules-load.d and /etc/modprobe.d
      return a['name'] !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(n) ? [{ code: 'E_ARG_TYPE' as const, message: `${n} is not a kernel module name`, path: ['name'] }] : [];
    },
  },
);
type Args = z.output<typeof schema>;

/** ModprobeCurrent is a module's layers: running (/proc/modules, modules.builtin, /sys/module) and persisted (the two conf directories). */
export interface ModprobeCurrent {
  /** /proc/modules; null on a kernel built without module support */
  readonly procModules: string | null;
  /** modules.builtin lines that mention `/NAME.ko` */
  readonly builtin: readonly string[];
  /** /sys/module/NAME's readable parameters; null when the directory is absent */
  readonly sysfs: Readonly<Record<string, string>> | null;
  readonly files: readonly ConfFile[];
  /** `modprobe -n NAME PARAMS` (what Ansible runs in check mode): whether the module can be loaded */
  readonly dryRun: { readonly rc: number; readonly stderr: string };
}

interface FileWrite {
  readonly path: string;
  readonly content: string;
  readonly mode: string;
}

/** ModprobePayload is what apply carries out: one modprobe command, then the file writes. */
interface ModprobePayload {
  readonly command?: Argv;
  readonly writes: readonly FileWrite[];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lines(text: string): string[] {
  return text.split(/(?<=\n)/).filter((l) => l !== '');
}

/** commentOut prefixes matching lines with `#`, keeping every line ending (Ansible's rewrite also doubles them; tsplay does not). */
function commentOut(text: string, re: RegExp): string {
  return lines(text)
    .map((l) => (re.test(l.replace(/\n$/, '')) ? `#${l}` : l))
    .join('');
}

function sysfsMatches(want: string, have: string | undefined): boolean {
  if (have === undefined) return false;
  if (have === 'Y' || have === 'N') return (['1', 'y', 'Y', 'true', 'on'].includes(want) ? 'Y' : ['0', 'n', 'N', 'false', 'off'].includes(want) ? 'N' : want) === have;
  return want === have;
}

/**
 * planModprobe is community.general.modprobe's decision, made pure: load or unload now (class
 * live), then the persisted layer (modules-load.d entry, modprobe.d options). A persisted change
 * is `live` when the running kernel matches it after the task and `config` when it waits for the
 * next load or boot (the task reports a pending restart): an options change for a module already
 * loaded with other (or unreadable) parameters, or a boot entry that disagrees with `state`.
 */
export function planModprobe(args: Args, cur: ModprobeCurrent): Plan<ModprobePayload> {
  const name = args.name;
  const state = args.state ?? 'present';
  const params = args.params ?? '';
  const persistent = args.persistent ?? 'disabled';
  const result = { name, params, state };
  const inProc = cur.procModules !== null && parseProcModules(cur.procModules).some((m) => m.name === kernelName(name));
  const builtin = cur.builtin.some((l) => l.trimEnd().endsWith(`/${name}.ko`));
  // a kernel without module support has no /proc/modules: what /sys/module shows is built in
  const loaded = inProc || builtin || cur.sysfs !== null;
  const changes: Change[] = [];
  let command: Argv | undefined;
  if (state === 'present' && !loaded) {
    if (cur.dryRun.rc !== 0) return { changes: [], failed: true, msg: cur.dryRun.stderr.trim() || `modprobe cannot load ${name} (rc ${cur.dryRun.rc})`, result };
    command = ['modprobe', '--', name, ...shlexSplit(params)];
    changes.push({ property: 'loaded', before: false, after: true, class: 'live' });
  } else if (state === 'absent' && loaded) {
    if (!inProc) return { changes: [], failed: true, msg: `${name} is built into the kernel and cannot be unloaded`, result };
    command = ['modprobe', '-r', '--', name];
    changes.push({ property: 'loaded', before: true, after: false, class: 'live' });
  }
  const loadedAfter = state === 'present';

  const n = escapeRe(name);
  const findModule = new RegExp(`^ *${n} *(?:[#;].*)?$`);
  const findParams = new RegExp(`^options ${n} \\w+=\\S+ *(?:[#;].*)?$`);
  const getParams = new RegExp(`^options ${n} (\\w+=\\S+) *(?:[#;].*)?$`);
  const loadFiles = cur.files.filter((f) => posix.dirname(f.path) === MODULES_LOAD_DIR);
  const optionFiles = cur.files.filter((f) => posix.dirname(f.path) === MODPROBE_DIR);
  const atBoot = loadFiles.some((f) => lines(f.content).some((l) => findModule.test(l.replace(/\n$/, ''))));
  const bootParams = new Set(optionFiles.flatMap((f) => lines(f.content).flatMap((l) => getParams.exec(l.replace(/\n$/, ''))?.[1] ?? [])));
  const wanted = new Set(params.split(/\s+/).filter((p) => p !== ''));
  const paramsSet = wanted.size === bootParams.size && [...wanted].every((p) => bootParams.has(p));

  const edited = new Map<string, FileWrite>();
  const edit = (path: string, content: string, mode = cur.files.find((f) => f.path === path)?.mode ?? '644'): void => void edited.set(path, { path, content, mode });
  const textOf = (f: ConfFile): string => edited.get(f.path)?.content ?? f.content;
  let bootTo: boolean | undefined;
  let paramsTo: string[] | undefined;
  if (persistent === 'present' && !(atBoot && paramsSet)) {
    if (!atBoot) {
      edit(posix.join(MODULES_LOAD_DIR, `${name}.conf`), `${name}\n`);
      bootTo = true;
    }
    if (!paramsSet) {
      for (const f of optionFiles) edit(f.path, commentOut(textOf(f), findParams), f.mode);
      edit(posix.join(MODPROBE_DIR, `${name}.conf`), `${[...wanted].map((p) => `options ${name} ${p}`).join('\n')}\n`);
      paramsTo = [...wanted];
    }
  } else if (persistent === 'absent' && (atBoot || bootParams.size > 0)) {
    if (atBoot) {
      for (const f of loadFiles) edit(f.path, commentOut(textOf(f), findModule), f.mode);
      bootTo = false;
    }
    if (bootParams.size > 0) {
      for (const f of optionFiles) edit(f.path, commentOut(textOf(f), findParams), f.mode);
      paramsTo = [];
    }
  }
  const writes = [...edited.values()].filter((w) => w.content !== cur.files.find((f) => f.path === w.path)?.content);
  // the running parameters of a module loaded before this task: only a reload would change them
  const paramsLive = (want: readonly string[]): boolean =>
    !loadedAfter || command !== undefined || want.every((p) => sysfsMatches(p.slice(p.indexOf('=') + 1), cur.sysfs?.[p.slice(0, p.indexOf('='))]));
  for (const w of writes) {
    const before = cur.files.find((f) => f.path === w.path)?.content ?? '';
    const isLoad = posix.dirname(w.path) === MODULES_LOAD_DIR;
    const own = posix.basename(w.path) === `${name}.conf`;
    const property = `${isLoad ? 'load at boot' : 'options at boot'}${own ? '' : ` (${w.path})`}`;
    const b = isLoad ? atBoot : [...bootParams].sort();
    const a = isLoad ? bootTo : (paramsTo ?? []).slice().sort();
    const live = isLoad ? bootTo === loadedAfter : paramsTo !== undefined && paramsTo.length > 0 ? paramsLive(paramsTo) : !loadedAfter;
    changes.push({ property, before: b, after: a, class: live ? 'live' : 'config', diff: { path: w.path, before, after: w.content } });
  }
  if (changes.length === 0) {
    const running = state === 'present' ? `${name} is loaded` : `${name} is not loaded`;
    const persisted = persistent === 'present' ? ' and persisted' : persistent === 'absent' ? ' and not persisted' : '';
    return { changes, reason: `${running}${persisted}`, result };
  }
  return { changes, result, payload: { ...(command ? { command } : {}), writes } };
}

/** modprobeModule is community.general.modprobe: load or unload a kernel module, and persist it in modules-load.d/modprobe.d. */
export const modprobeModule: ModuleDef<Args, ModprobeCurrent, ModprobePayload> = {
  name: 'modprobe',
  aliases: ['community.general.modprobe'],
  doc: 'Kernel modules as community.general.modprobe: state present/absent (modprobe, with params), persistent present/absent/disabled (/etc/modules-load.d, /etc/modprobe.d options).',
  example: '- name: Bonding driver, loaded and at boot\n  modprobe:\n    name: bonding\n    persistent: present\n',
  classes: ['live', 'config'],
  schema,
  // it may comment out lines in any file of these folders: one modprobe task at a time per target
  writeKeys: () => [MODULES_LOAD_DIR, MODPROBE_DIR],
  async read(ctx, args) {
    const name = args.name;
    // every layer in one round trip
    const [proc, builtin, sysfs, dump, dry] = await ctx.conn.batch(
      [
        ['cat', '/proc/modules'],
        fixedScript('grep -F -- "/$1.ko" "/lib/modules/$(uname -r)/modules.builtin"', 'tsplay-builtin', [name]),
        sysfsParamsArgv(name),
        confDumpArgv([MODULES_LOAD_DIR, MODPROBE_DIR]),
        ['modprobe', '-n', '--', name, ...shlexSplit(args.params ?? '')],
      ],
      taskOpts(ctx),
    );
    return {
      procModules: proc && proc.rc === 0 ? proc.stdout : null,
      builtin: builtin && builtin.rc === 0 ? builtin.stdout.split('\n').filter((l) => l !== '') : [],
      sysfs: sysfs && sysfs.rc === 0 ? parseSysfsParams(sysfs.stdout) : null,
      files: parseConfDump(dump?.stdout ?? ''),
      dryRun: { rc: dry?.rc ?? 127, stderr: dry?.stderr ?? '' },
    };
  },
  plan(args, current) {
    return planModprobe(args, current);
  },
  async apply(ctx, _args, plan): Promise<ApplyResult> {
    const p = plan.payload;
    if (!p) return { changed: false };
    if (p.command) {
      const r = await ctx.conn.run(p.command, taskOpts(ctx));
      if (r.rc !== 0) return { changed: false, failed: true, msg: r.stderr.trim(), result: { rc: r.rc, stdout: r.stdout, stderr: r.stderr } };
    }
    if (p.writes.length > 0) await runAll(ctx, [['mkdir', '-p', '--', ...new Set(p.writes.map((w) => posix.dirname(w.path)))]]);
    for (const w of p.writes) await ctx.conn.put(w.path, w.content, { become: ctx.become, mode: `0${w.mode}` });
    return { changed: true };
  },
};
