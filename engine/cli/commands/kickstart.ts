import { readUserFile } from '../../files/read-file.ts';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { formatError, TsplayError, TsplayErrors } from '../../errors/index.ts';
import { EXIT } from '../../executor/exit-codes.ts';
import { collect, parseCommand } from '../parse-command.ts';

/** KickstartOptions are `tsplay kickstart`'s options, parsed and typed. */
export interface KickstartOptions {
  readonly inventories: readonly string[];
  readonly limit?: string | undefined;
  readonly out?: string | undefined;
  readonly check: boolean;
  readonly diff: boolean;
  readonly serve?: string | undefined;
  readonly templates?: string | undefined;
  readonly lint?: string | undefined;
  readonly os?: string | undefined;
}

/** buildKickstartCommand declares `tsplay kickstart`'s options; shared by parsing and --help. */
export function buildKickstartCommand(): Command {
  return new Command('tsplay kickstart')
    .usage('-i INVENTORY --out DIR [-l LIMIT] [--check] [--diff] [--serve [ADDR:]PORT]\n       tsplay kickstart --lint FILE --os rhel8')
    .description('Write per-guest kickstarts and PXE entries (pxelinux, GRUB2, iPXE) from the inventory, linted per OS version.')
    .option('-i, --inventory <source>', 'inventory file, directory or name under inventories/ (repeatable)', collect, [])
    .option('-l, --limit <pattern>', 'only these guests (host pattern)')
    .option('--out <dir>', 'the PXE tree to write (ks/, pxelinux.cfg/, grub2/, ipxe/, index.json)')
    .option('-C, --check', 'generate and lint, report what would change, write nothing', false)
    .option('-D, --diff', 'show a unified diff against what DIR holds', false)
    .option('--serve <addr>', 'then serve DIR over HTTP on [ADDR:]PORT (default address 127.0.0.1), logging each request')
    .option('--templates <dir>', 'a folder of kickstart templates that overrides the built-in ones, file by file')
    .option('--lint <file>', 'lint an existing kickstart file instead of generating (needs --os)')
    .option('--os <target>', 'OS target for --lint: rhel7..rhel10, centos7, alma9, rocky8, fedora40 ...')
    .helpOption('-h, --help');
}

/** parseKickstartArgs turns argv into options; a bad or missing flag is a TsplayError E_OPTION. */
export function parseKickstartArgs(argv: string[]): KickstartOptions | 'exit-ok' {
  const cmd = buildKickstartCommand();
  if (parseCommand(cmd, argv) === 'exit-ok') return 'exit-ok';
  if (cmd.args.length > 0) throw new TsplayError({ code: 'E_OPTION', message: `unexpected argument "${cmd.args[0]}"` });
  const o = cmd.opts();
  const opts: KickstartOptions = {
    inventories: o['inventory'] as string[],
    limit: o['limit'] as string | undefined,
    out: o['out'] as string | undefined,
    check: o['check'] as boolean,
    diff: o['diff'] as boolean,
    serve: o['serve'] as string | undefined,
    templates: o['templates'] as string | undefined,
    lint: o['lint'] as string | undefined,
    os: o['os'] as string | undefined,
  };
  if (opts.lint !== undefined) {
    if (!opts.os) throw new TsplayError({ code: 'E_OPTION', message: '--lint needs --os (e.g. --os rhel8)' });
    if (opts.inventories.length > 0 || opts.out) throw new TsplayError({ code: 'E_OPTION', message: '--lint checks one file; it takes no -i or --out' });
  } else {
    if (opts.os) throw new TsplayError({ code: 'E_OPTION', message: '--os goes with --lint; generated guests take their OS from the inventory' });
    if (!opts.out) throw new TsplayError({ code: 'E_OPTION', message: '--out DIR is required (usage: tsplay kickstart -i INVENTORY --out DIR)' });
    if (opts.inventories.length === 0 && !opts.serve) throw new TsplayError({ code: 'E_OPTION', message: '-i INVENTORY is required (or only --serve to serve DIR)' });
  }
  return opts;
}

async function runLint(file: string, osSpelled: string): Promise<number> {
  const { parseOsTarget } = await import('../../kickstart/os-target.ts');
  const { lintKickstart } = await import('../../kickstart/lint/lint-kickstart.ts');
  const { findingToError, formatFinding } = await import('../../kickstart/lint/finding.ts');
  const os = parseOsTarget(osSpelled);
  if ('error' in os) throw new TsplayError({ code: 'E_OPTION', message: `--os: ${os.error}` });
  const text = readUserFile(file);
  const { includeBeside } = await import('../../kickstart/lint/include-beside.ts');
  const findings = lintKickstart(text, os, { file, readInclude: includeBeside(file) });
  for (const f of findings.filter((x) => x.severity !== 'error')) process.stderr.write(`${formatFinding(f)}\n`);
  const errors = findings.filter((x) => x.severity === 'error');
  if (errors.length > 0) throw new TsplayErrors(errors.map(findingToError));
  process.stdout.write(`${file}: ok for ${os.name}\n`);
  return EXIT.OK;
}

async function serveUntilSignal(dir: string, addrText: string): Promise<number> {
  const { parseServeAddress, serveTree } = await import('../../kickstart/serve.ts');
  const server = await serveTree(dir, parseServeAddress(addrText), (line) => process.stdout.write(`${line}\n`));
  const a = server.address();
  const where = typeof a === 'object' && a ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : addrText;
  process.stdout.write(`serving ${dir} on http://${where}/ (Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close(() => done());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.OK;
}

/**
 * run is the `tsplay kickstart` subcommand: generate + lint + write the PXE tree, lint a file, or serve.
 * Collected data and lint errors are printed here, because the shared fatal report says "nothing was
 * run" and a kickstart run has nothing to run: what it guarantees is that nothing was written.
 */
export async function run(argv: string[]): Promise<number> {
  try {
    return await runKickstart(argv);
  } catch (err) {
    if (!(err instanceof TsplayErrors) || err.errors.every((e) => e.code === 'E_OPTION')) throw err;
    for (const e of err.errors) process.stderr.write(`${formatError(e)}\n`);
    process.stderr.write(`tsplay kickstart: ${err.errors.length} error(s), nothing was written\n`);
    return EXIT.UNREACHABLE_OR_PARSE;
  }
}

async function runKickstart(argv: string[]): Promise<number> {
  const opts = parseKickstartArgs(argv);
  if (opts === 'exit-ok') return EXIT.OK;
  if (opts.lint !== undefined) return runLint(opts.lint, opts.os!);
  const out = resolve(opts.out!);
  if (opts.inventories.length > 0) {
    const { generateTree } = await import('../../kickstart/generate.ts');
    const { planTree, renderDiff, writeTree } = await import('../../kickstart/tree.ts');
    const { formatFinding } = await import('../../kickstart/lint/finding.ts');
    const tree = await generateTree({ inventories: opts.inventories, limit: opts.limit, templates: opts.templates, cwd: process.cwd() });
    for (const w of tree.warnings) process.stderr.write(`${formatFinding(w)}\n`);
    const plan = planTree(out, tree);
    const { changes } = plan;
    for (const k of plan.kept) process.stderr.write(`warning: kept ${k}\n`);
    if (opts.diff) process.stdout.write(renderDiff(changes));
    if (!opts.check) writeTree(out, changes);
    const verb = {
      create: opts.check ? 'would create' : 'created',
      change: opts.check ? 'would change' : 'changed',
      delete: opts.check ? 'would remove' : 'removed',
      ok: 'ok',
    };
    for (const c of changes) process.stdout.write(`${verb[c.status]}: ${c.path}\n`);
    const n = (s: string): number => changes.filter((c) => c.status === s).length;
    const removed = n('delete') > 0 ? `, ${n('delete')} ${opts.check ? 'to remove' : 'removed'}` : '';
    const foreign = plan.foreign > 0 ? `; ${plan.foreign} file(s) not written by tsplay (not in ${out}/index.json) left alone` : '';
    process.stdout.write(
      `${tree.hosts.length} guest(s): ${n('create')} ${opts.check ? 'to create' : 'created'}, ${n('change')} ${opts.check ? 'to change' : 'changed'}${removed}, ${n('ok')} ok${opts.check ? ' (check: nothing written)' : ''} in ${out}${foreign}\n`,
    );
  }
  if (opts.serve !== undefined) return serveUntilSignal(out, opts.serve);
  return EXIT.OK;
}
