import { Command } from 'commander';
import { resolve } from 'node:path';
import { TsplayError, TsplayErrors } from '../../errors/index.ts';
import { EXIT } from '../../executor/exit-codes.ts';
import { jsonStringify } from '../../py/json.ts';
import { parseCommand } from '../parse-command.ts';
import { addRunOptions, runOptionsFrom } from './playbook.ts';
import type { AdhocRun } from './playbook-run.ts';

/** ADHOC_FILE names the in-memory playbook of an ad-hoc run; errors inside it are about -m/-a. */
const ADHOC_FILE = '<ad-hoc -m/-a>';

// the run options that take a value: the word after them is that value, never a flag
const VALUE_FLAGS = new Set([
  '-i',
  '--inventory',
  '-l',
  '--limit',
  '-e',
  '--extra-vars',
  '-t',
  '--tags',
  '--skip-tags',
  '-f',
  '--forks',
  '-u',
  '--user',
  '--private-key',
  '-T',
  '--timeout',
  '--become-user',
  '--output',
  '--junit',
  '--host-key-checking',
  '--start-at-task',
]);

/** isAdhoc tells whether argv is ansible's ad-hoc form: a -m or -a flag (alone or in a bundle like -bm). */
export function isAdhoc(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const w = argv[i] as string;
    if (w === '--') return false;
    if (VALUE_FLAGS.has(w)) i++;
    else if (/^--(module-name|args)(=|$)/.test(w) || /^-[bCDKv]*[ma]/.test(w)) return true;
  }
  return false;
}

/** buildAdhocCommand declares `ansible`'s ad-hoc options: the run options plus -m and -a. */
export function buildAdhocCommand(): Command {
  return addRunOptions(
    new Command('tsplay')
      .usage('PATTERN -i INVENTORY -m MODULE [-a ARGS] [options]')
      .description("Run one module on the hosts PATTERN matches, in parallel (ansible's ad-hoc mode).")
      .argument('<pattern>', 'host pattern (all, a group, h1:h2, web*, ...)'),
  )
    .option('-m, --module-name <module>', 'the module to run', 'command')
    .option('-a, --args <args>', 'its arguments: k=v words (free-form text for command, shell, raw) or a JSON object');
}

/** adhocTask renders the one task of an ad-hoc run as YAML: `-a` JSON becomes a mapping, k=v text stays free-form. */
export function adhocTask(module: string, args: string | undefined): string {
  const a = args?.trim() ?? '';
  let value = a === '' ? '{}' : jsonStringify(args);
  if (a.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(a);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) value = a;
    } catch {
      // not JSON: k=v words, as ansible falls back to
    }
  }
  return `${jsonStringify(module)}: ${value}`;
}

/** adhocPlaybook is the in-memory playbook of an ad-hoc run: one play on PATTERN, no facts, one task. */
export function adhocPlaybook(pattern: string, module: string, args: string | undefined): string {
  return `- hosts: ${jsonStringify(pattern)}\n  gather_facts: false\n  tasks:\n    - ${adhocTask(module, args)}\n`;
}

/** aboutFlags rewrites errors found in the in-memory playbook to name -m or -a instead of a position in it. */
function aboutFlags(err: unknown): unknown {
  const fix = (e: TsplayError): TsplayError => {
    if (!e.pos?.file.includes(ADHOC_FILE)) return e;
    const flag = e.code === 'E_UNKNOWN_MODULE' || e.code === 'E_MULTIPLE_MODULES' ? '-m' : '-a';
    return new TsplayError({ code: e.code, message: `${flag}: ${e.message}`, hint: e.hint });
  };
  if (err instanceof TsplayErrors) return new TsplayErrors(err.errors.map(fix));
  if (err instanceof TsplayError) return fix(err);
  return err;
}

/** run is the ad-hoc command: parse, build the one-task playbook, run it like a playbook with the ad-hoc reporter. */
export async function run(argv: string[]): Promise<number> {
  const cmd = buildAdhocCommand();
  if (parseCommand(cmd, argv) === 'exit-ok') return EXIT.OK;
  if (cmd.args.length !== 1) throw new TsplayError({ code: 'E_OPTION', message: `ad-hoc mode takes one host pattern, got ${cmd.args.length} (usage: tsplay PATTERN -i INVENTORY -m MODULE -a ARGS)` });
  const pattern = cmd.args[0] as string;
  const o = cmd.opts();
  const file = resolve(ADHOC_FILE);
  const adhoc: AdhocRun = { file, pattern, text: adhocPlaybook(pattern, o['moduleName'] as string, o['args'] as string | undefined) };
  const { runPlaybooks } = await import('./playbook-run.ts');
  try {
    return await runPlaybooks(runOptionsFrom(o, [file]), adhoc);
  } catch (e) {
    throw aboutFlags(e);
  }
}
