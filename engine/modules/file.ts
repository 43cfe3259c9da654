import { z } from 'zod';
import { fixedScript } from '../connection/fixed-script.ts';
import type { Argv } from '../connection/types.ts';
import type { Change, ModuleDef, Plan } from './types.ts';
import { abool, amode, aowner, astr, moduleArgs } from './support/args.ts';
import { type FileState, attrChanges, attrCommands, effective, modeOperand, readFileStatesAnd, runAll } from './support/file-state.ts';
import { isNumericMode } from './support/file-mode.ts';
import { TILDE } from './support/task-opts.ts';

const schema = moduleArgs(
  {
    path: astr,
    state: z.enum(['file', 'directory', 'absent', 'link', 'touch']),
    mode: amode,
    owner: aowner,
    group: aowner,
    src: astr,
    recurse: abool,
    force: abool,
  },
  { required: ['path'], aliases: { dest: 'path', name: 'path' }, requiredIf: [['state', 'link', ['src']]] },
);
type Args = z.output<typeof schema>;

/** FileCurrent is the path's state, plus for `recurse` whether any entry below differs. */
export interface FileCurrent {
  readonly file: FileState;
  /** recurse only: true when some entry below the directory has another mode/owner/group */
  readonly belowDiffers?: boolean;
}

/** FilePayload is the argv list that carries out a file plan, built by the pure plan. */
export interface FilePayload {
  readonly commands: readonly Argv[];
}

function kindOf(f: FileState): string {
  if (!f.exists || !f.stat) return 'absent';
  return f.stat.type === 'other' ? 'other' : f.stat.type;
}

function fail(msg: string): Plan<FilePayload> {
  return { changes: [], failed: true, msg };
}

function done(changes: Change[], commands: Argv[], path: string, state: string): Plan<FilePayload> {
  const result = { path, state };
  if (changes.length === 0) return { changes, reason: `${path} is already ${state} with the requested attributes`, result };
  return { changes, result, payload: { commands } };
}

// Why find with -quit: one matching entry is enough to know `chmod -R`/`chown -R` has work to do.
function recurseProbe(args: Args): Argv | undefined {
  const tests: string[][] = [];
  if (args.owner !== undefined) tests.push(['!', '-user', args.owner]);
  if (args.group !== undefined) tests.push(['!', '-group', args.group]);
  if (typeof args.mode === 'number') tests.push(['!', '-perm', args.mode.toString(8)]);
  else if (typeof args.mode === 'string' && /^[0-7]+$/.test(args.mode)) tests.push(['!', '-perm', args.mode]);
  if (tests.length === 0) return undefined;
  const expr = tests.flatMap((t, i) => (i === 0 ? t : ['-o', ...t]));
  return fixedScript(`p=$1; shift; ${TILDE}; exec find "$p" "$@"`, 'sh', [args.path, '-mindepth', '1', '(', ...expr, ')', '-print', '-quit']);
}

function planDirectory(args: Args, cur: FileCurrent): Plan<FilePayload> {
  const f = cur.file;
  const st = effective(f);
  if (f.exists && st?.type !== 'directory') return fail(`${args.path} already exists as a ${kindOf(f)}`);
  const changes: Change[] = [];
  const cmds: Argv[] = [];
  const attrs = attrChanges(args, f.exists ? st : undefined, true);
  const mode = attrs.length === 1 && attrs[0]!.property === 'mode' ? (attrs[0]!.after as string) : undefined;
  // a new directory's symbolic mode was computed without the setgid bit it may inherit (attrCommands)
  const keepInherited = !f.exists && args.mode !== undefined && !isNumericMode(args.mode);
  if (!f.exists) {
    changes.push({ property: 'state', before: 'absent', after: 'directory' });
    // A new directory with only a plain mode (no setuid/setgid/sticky, no owner): mkdir sets it
    // as it creates it, one program on the host instead of mkdir and chmod. Both give the last
    // directory exactly this mode whatever the umask (five digits: without an inherited setgid
    // bit, as Ansible's os.chmod leaves it) and leave the parents it creates as `mkdir -p` does.
    if (mode !== undefined && /^0?[0-7]{3}$/.test(mode)) {
      changes.push(...attrs);
      return done(changes, [['mkdir', '-p', '-m', modeOperand(mode, keepInherited), '--', args.path]], args.path, 'directory');
    }
    cmds.push(['mkdir', '-p', '--', args.path]);
  }
  changes.push(...attrs);
  cmds.push(...attrCommands(args.path, attrs, { keepInherited }));
  if (args.recurse && cur.belowDiffers) {
    const spec = Object.fromEntries(Object.entries({ mode: args.mode, owner: args.owner, group: args.group }).filter(([, v]) => v !== undefined));
    changes.push({ property: 'recurse', before: 'entries below differ', after: spec });
    if (args.owner !== undefined || args.group !== undefined) {
      cmds.push(['chown', '-R', '--', `${args.owner ?? ''}${args.group !== undefined ? `:${args.group}` : ''}`, args.path]);
    }
    if (args.mode !== undefined) cmds.push(['chmod', '-R', '--', String(typeof args.mode === 'number' ? args.mode.toString(8) : args.mode), args.path]);
  }
  return done(changes, cmds, args.path, 'directory');
}

function planLink(args: Args, cur: FileCurrent): Plan<FilePayload> {
  const f = cur.file;
  const src = args.src!;
  const kind = kindOf(f);
  const changes: Change[] = [];
  const cmds: Argv[] = [];
  if (kind === 'link' && f.linkTarget === src) {
    // fall through to ownership of the link itself
  } else if (kind === 'absent' || kind === 'link' || (kind === 'file' && args.force)) {
    changes.push({ property: 'src', before: kind === 'link' ? (f.linkTarget ?? null) : kind, after: src });
    cmds.push(['ln', '-sfn', '--', src, args.path]);
  } else if (kind === 'directory') {
    return fail(`refusing to convert from directory to symlink for ${args.path}`);
  } else {
    return fail(`refusing to convert from ${kind} to symlink for ${args.path} (use force: yes)`);
  }
  // A link's mode is meaningless on Linux; owner/group apply to the link itself (chown -h).
  const attrs = attrChanges({ owner: args.owner, group: args.group }, kind === 'link' && f.linkTarget === src ? f.stat : undefined, false);
  changes.push(...attrs);
  cmds.push(...attrCommands(args.path, attrs, { noFollow: true }));
  return done(changes, cmds, args.path, 'link');
}

/** planFile decides from the file as read, without touching the host, what the file module changes and the commands that do it. */
export function planFile(given: Args, cur: FileCurrent): Plan<FilePayload> {
  const f = cur.file;
  // The read expanded `~` in the path; every command must use what it found.
  const args = { ...given, path: f.path };
  const state = args.state ?? (f.exists ? (effective(f)?.type === 'directory' ? 'directory' : 'file') : 'file');
  try {
    switch (state) {
      case 'absent':
        if (!f.exists) return { changes: [], reason: `${args.path} is already absent`, result: { path: args.path, state: 'absent' } };
        return done([{ property: 'state', before: kindOf(f), after: 'absent' }], [['rm', '-rf', '--', args.path]], args.path, 'absent');
      case 'directory':
        return planDirectory(args, cur);
      case 'link':
        return planLink(args, cur);
      case 'touch': {
        const st = effective(f);
        const attrs = attrChanges(args, f.exists ? st : undefined, st?.type === 'directory');
        // Touching updates the times, so Ansible reports it changed every time.
        const changes: Change[] = [{ property: 'state', before: kindOf(f), after: 'touch' }, ...attrs];
        return done(changes, [['touch', '--', args.path], ...attrCommands(args.path, attrs)], args.path, 'file');
      }
      case 'file': {
        if (!f.exists) return fail(`file (${args.path}) is absent, cannot continue`);
        const st = effective(f);
        if (st === undefined) return fail(`file (${args.path}) is a dangling link, cannot continue`);
        const attrs = attrChanges(args, st, st.type === 'directory');
        return done(attrs, attrCommands(args.path, attrs), args.path, st.type === 'directory' ? 'directory' : 'file');
      }
    }
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** fileModule manages a path's existence, type (file, directory, link), mode and ownership. */
export const fileModule: ModuleDef<Args, FileCurrent, FilePayload> = {
  name: 'file',
  doc: 'Ensure a path is a file, directory, symlink, touched or absent, with mode/owner/group (recurse for directories).',
  example: "- name: Image directory\n  file:\n    path: /var/lib/libvirt/images/lab\n    state: directory\n    mode: '0755'\n",
  schema,
  writeKeys: (args) => [args.path],
  readAhead: true,
  async read(ctx, args) {
    const probe = args.recurse && args.state === 'directory' ? recurseProbe(args) : undefined;
    const { states, extra } = await readFileStatesAnd(ctx, [args.path], {}, probe ? [probe] : []);
    const file = states[0]!;
    // find fails harmlessly when the directory does not exist yet; then there is nothing below.
    if (!probe || !file.exists) return { file };
    return { file, belowDiffers: (extra[0]?.stdout.trim() ?? '') !== '' };
  },
  plan(args, current) {
    return planFile(args, current);
  },
  async apply(ctx, _args, plan) {
    await runAll(ctx, plan.payload?.commands ?? []);
    return { changed: true };
  },
};
