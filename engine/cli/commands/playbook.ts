import { Command, Option } from 'commander';
import { TsplayError } from '../../errors/index.ts';
import { EXIT } from '../../executor/exit-codes.ts';
import { DEFAULT_FORKS, type OutputMode, type PlaybookOptions } from '../../executor/run-options.ts';
import { parseExtraVars } from '../parse-extra-vars.ts';
import { collect, parseCommand } from '../parse-command.ts';

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new TsplayError({ code: 'E_OPTION', message: `${flag}: "${value}" is not a positive integer` });
    return n;
  };
}

/**
 * addRunOptions declares the options a playbook run and an ad-hoc run share (inventory, limit,
 * check/diff, variables, connection, become, output); the caller adds its own around them.
 */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('-i, --inventory <source>', 'inventory file, directory, "h1,h2," list, or a name under inventories/ (repeatable)', collect)
    .option('-l, --limit <pattern>', 'further limit selected hosts to a pattern')
    .option('-C, --check', 'plan only: read state and report what would change, change nothing')
    .option('-D, --diff', 'show differences (unified diff for file content, before/after otherwise)')
    .option('-e, --extra-vars <vars>', 'k=v pairs, JSON/YAML, or @file (repeatable; highest precedence)', collect)
    .option('-f, --forks <n>', 'hosts worked on in parallel', positiveInt('--forks'), DEFAULT_FORKS)
    .option('-u, --user <name>', 'connect as this user')
    .option('--private-key <file>', 'ssh private key file')
    .option('-T, --timeout <seconds>', "connection timeout (TCP connect + SSH handshake); a host's ansible_ssh_timeout wins (default 30)", positiveInt('--timeout'))
    .option('-b, --become', 'run operations with sudo')
    .option('--become-user <name>', 'become this user (default root)')
    .option('-K, --ask-become-pass', 'ask for the sudo password')
    .option('-v, --verbose', 'more output (-vvvv for connection debugging)', (_v: string, prev: number | undefined) => (prev ?? 0) + 1)
    .addOption(new Option('--output <mode>', 'output form (default: tty on a terminal, plain otherwise)').choices(['tty', 'plain', 'json']))
    .option('--junit <file>', 'also write a JUnit XML report')
    .option('--profile', "after the recap, print the slowest tasks and each host's time (as profile_tasks and timer)")
    .addOption(new Option('--host-key-checking <mode>', 'refuse unknown host keys (yes) or record them (accept-new); a mismatch is always refused').choices(['yes', 'accept-new']).default('yes'))
    .version('tsplay (see package.json)', '--version')
    .helpOption('-h, --help');
}

/** buildPlaybookCommand declares ansible-playbook's options; shared by parsing and --help. */
export function buildPlaybookCommand(): Command {
  return addRunOptions(
    new Command('tsplay')
      .usage('PLAYBOOK... -i INVENTORY [options]\n       tsplay PATTERN -i INVENTORY -m MODULE [-a ARGS] [options]\n       tsplay doc|inventory|kickstart|lab --help')
      .description('Run Ansible-style playbooks: read state, plan the difference, apply it.')
      .argument('[playbooks...]', 'playbook files'),
  )
    .option('-t, --tags <tags>', 'only run plays and tasks tagged with these (comma list, repeatable)', collect)
    .option('--skip-tags <tags>', 'skip plays and tasks tagged with these (comma list, repeatable)', collect)
    .option('--list-hosts', 'list the hosts each play would run on, then stop')
    .option('--list-tasks', 'list the tasks each play would run, then stop')
    .option('--list-tags', 'list all tags, then stop')
    .option('--syntax-check', 'check the playbooks, roles and inventory; connect nowhere')
    .option('--start-at-task <name>', 'start at the first task with this name')
    .option('--force-handlers', 'run handlers even if a task fails');
}

/** runOptionsFrom types what addRunOptions parsed, with the playbook-only settings at their defaults. */
export function runOptionsFrom(o: Record<string, unknown>, playbooks: string[]): PlaybookOptions {
  const splitTags = (xs: string[]): string[] =>
    xs
      .flatMap((x) => x.split(','))
      .map((x) => x.trim())
      .filter(Boolean);
  const output: OutputMode = (o['output'] as OutputMode | undefined) ?? (process.stdout.isTTY ? 'tty' : 'plain');
  return {
    playbooks,
    inventories: (o['inventory'] as string[] | undefined) ?? [],
    limit: o['limit'] as string | undefined,
    tags: splitTags((o['tags'] as string[] | undefined) ?? []),
    skipTags: splitTags((o['skipTags'] as string[] | undefined) ?? []),
    check: o['check'] === true,
    diff: o['diff'] === true,
    extraVars: ((o['extraVars'] as string[] | undefined) ?? []).map(parseExtraVars),
    forks: o['forks'] as number,
    user: o['user'] as string | undefined,
    privateKey: o['privateKey'] as string | undefined,
    timeout: o['timeout'] as number | undefined,
    become: o['become'] === true,
    becomeUser: o['becomeUser'] as string | undefined,
    askBecomePass: o['askBecomePass'] === true,
    verbosity: (o['verbose'] as number | undefined) ?? 0,
    listHosts: o['listHosts'] === true,
    listTasks: o['listTasks'] === true,
    listTags: o['listTags'] === true,
    syntaxCheck: o['syntaxCheck'] === true,
    startAtTask: o['startAtTask'] as string | undefined,
    output,
    junit: o['junit'] as string | undefined,
    profile: o['profile'] === true,
    hostKeyChecking: o['hostKeyChecking'] as 'yes' | 'accept-new',
    forceHandlers: o['forceHandlers'] === true,
  };
}

/** parsePlaybookArgs turns argv into typed options; a bad flag is a TsplayError E_OPTION naming it. */
export function parsePlaybookArgs(argv: string[]): PlaybookOptions | 'exit-ok' {
  const cmd = buildPlaybookCommand();
  if (parseCommand(cmd, argv) === 'exit-ok') return 'exit-ok';
  if (cmd.args.length === 0) throw new TsplayError({ code: 'E_OPTION', message: 'no playbook given (usage: tsplay PLAYBOOK... -i INVENTORY)' });
  return runOptionsFrom(cmd.opts(), cmd.args);
}

/** run is the playbook command: parse options, then hand over to the playbook runner. */
export async function run(argv: string[]): Promise<number> {
  const opts = parsePlaybookArgs(argv);
  if (opts === 'exit-ok') return EXIT.OK;
  const { runPlaybooks } = await import('./playbook-run.ts');
  return runPlaybooks(opts);
}
