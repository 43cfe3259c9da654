import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { TsplayError } from '../../errors/index.ts';
import { EXIT } from '../../executor/exit-codes.ts';
import { collect, parseCommand } from '../parse-command.ts';

/** buildInventoryCommand declares ansible-inventory's options; shared by parsing and --help. */
export function buildInventoryCommand(): Command {
  return new Command('tsplay inventory')
    .usage('-i INVENTORY (--list [--export] | --graph [--vars] [GROUP] | --host NAME)')
    .description('Show the inventory as tsplay (and ansible-inventory) sees it.')
    .argument('[group]', 'group to start the graph at (default all)')
    .option('-i, --inventory <source>', 'inventory file, directory, "h1,h2," list, or a name under inventories/ (repeatable)', collect, [])
    .option('--list', 'print all groups and host variables as JSON', false)
    .option('--host <name>', 'print the variables of one host as JSON')
    .option('--graph', 'print the group tree', false)
    .option('--vars', 'with --graph: show variables too', false)
    .option('--export', 'with --list: show group vars per group and only host-level vars per host', false)
    .option('--output <file>', 'with --list: write to this file instead of stdout')
    .option('--playbook-dir <dir>', "treat this directory's group_vars/ and host_vars/ as a playbook's")
    .helpOption('-h, --help');
}

/** InventoryCliOptions are the parsed `tsplay inventory` options. */
export interface InventoryCliOptions {
  readonly inventories: string[];
  readonly action: 'list' | 'graph' | 'host';
  readonly host: string | undefined;
  readonly group: string;
  readonly vars: boolean;
  readonly exportMode: boolean;
  readonly output: string | undefined;
  readonly playbookDir: string | undefined;
}

/** parseInventoryArgs parses argv; a bad flag or a missing/conflicting action is a TsplayError E_OPTION. */
export function parseInventoryArgs(argv: string[]): InventoryCliOptions | 'exit-ok' {
  const cmd = buildInventoryCommand();
  if (parseCommand(cmd, argv) === 'exit-ok') return 'exit-ok';
  const o = cmd.opts();
  const host = o['host'] as string | undefined;
  const used = [o['list'] as boolean, host !== undefined, o['graph'] as boolean].filter(Boolean).length;
  if (used === 0) throw new TsplayError({ code: 'E_OPTION', message: 'No action selected, at least one of --host, --graph or --list needs to be specified.' });
  if (used > 1) throw new TsplayError({ code: 'E_OPTION', message: 'Conflicting options used, only one of --host, --graph or --list can be used at the same time.' });
  return {
    inventories: o['inventory'] as string[],
    action: o['list'] ? 'list' : o['graph'] ? 'graph' : 'host',
    host,
    group: cmd.args[0] ?? 'all',
    vars: o['vars'] as boolean,
    exportMode: o['export'] as boolean,
    output: o['output'] as string | undefined,
    playbookDir: o['playbookDir'] as string | undefined,
  };
}

/**
 * inventoryOutput computes what `tsplay inventory ARGV` prints (without the final newline), or
 * 'exit-ok' after --help; a bare -i name is looked up under `<baseDir>/inventories/`.
 */
export async function inventoryOutput(argv: string[], baseDir: string = process.cwd()): Promise<{ text: string; opts: InventoryCliOptions } | 'exit-ok'> {
  const opts = parseInventoryArgs(argv);
  if (opts === 'exit-ok') return 'exit-ok';
  const { loadInventory } = await import('../../inventory/index.ts');
  const render = await import('../../inventory/render.ts');
  const inv = loadInventory(opts.inventories, { baseDir });
  const ro = { exportMode: opts.exportMode, playbookDirs: opts.playbookDir !== undefined ? [opts.playbookDir] : [] };
  if (opts.action === 'list') return { text: render.renderList(inv, ro), opts };
  if (opts.action === 'graph') {
    const g = render.renderGraph(inv, opts.group, opts.vars, ro);
    if (g === undefined) throw new TsplayError({ code: 'E_OPTION', message: 'Pattern must be valid group name when using --graph', hint: `no group named "${opts.group}"` });
    return { text: g, opts };
  }
  const names = opts.host ? inv.match(opts.host) : [];
  const node = names.length === 1 && names[0] !== undefined ? inv.hostNode(names[0]) : undefined;
  if (!node) throw new TsplayError({ code: 'E_OPTION', message: 'You must pass a single valid host to --host parameter', hint: `"${opts.host}" matches ${names.length} hosts` });
  return { text: render.renderHost(inv, node, ro), opts };
}

/** run is the `tsplay inventory` subcommand: prints what `ansible-inventory` prints for the same arguments. */
export async function run(argv: string[]): Promise<number> {
  const out = await inventoryOutput(argv);
  if (out === 'exit-ok') return EXIT.OK;
  if (out.opts.output !== undefined && out.opts.action === 'list') writeFileSync(out.opts.output, out.text);
  else process.stdout.write(`${out.text}\n`);
  return EXIT.OK;
}
