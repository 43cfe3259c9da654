import { Command } from 'commander';
import { TsplayError } from '../../errors/index.ts';
import { EXIT } from '../../executor/exit-codes.ts';
import { didYouMean } from '../../loader/suggest.ts';
import { getModule, moduleNames } from '../../modules/registry.ts';
import { parseCommand } from '../parse-command.ts';

/** run is `tsplay doc MODULE` / `tsplay doc --list` (ansible-doc's two everyday forms). */
export async function run(argv: string[]): Promise<number> {
  const cmd = new Command('tsplay doc')
    .usage('MODULE | --list')
    .description("Show a module's arguments, rules and an example, generated from its schema.")
    .argument('[module]', 'module name (short, alias or ansible.builtin.X)')
    .option('-l, --list', 'list every module with a one-line description')
    .option('--update-readme <file>', "regenerate the module table between the README's markers (npm run docs:modules)")
    .helpOption('-h, --help');
  if (parseCommand(cmd, argv) === 'exit-ok') return EXIT.OK;
  const { formatModuleDoc, docListing, withModuleTable } = await import('../module-doc.ts');
  const readme = cmd.opts()['updateReadme'] as string | undefined;
  if (readme !== undefined) {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const next = withModuleTable(readFileSync(readme, 'utf8'));
    if (next === undefined) throw new TsplayError({ code: 'E_OPTION', message: `--update-readme: ${readme} has no module table markers` });
    writeFileSync(readme, next);
    return EXIT.OK;
  }
  if (cmd.opts()['list'] === true) {
    process.stdout.write(docListing());
    return EXIT.OK;
  }
  const name = cmd.args[0];
  if (name === undefined) throw new TsplayError({ code: 'E_OPTION', message: 'no module given (usage: tsplay doc MODULE, or tsplay doc --list)' });
  const mod = getModule(name);
  if (!mod) throw new TsplayError({ code: 'E_UNKNOWN_MODULE', message: `module "${name}" not found`, hint: didYouMean(name, moduleNames()) ?? 'tsplay doc --list shows every module' });
  process.stdout.write(formatModuleDoc(mod));
  return EXIT.OK;
}
