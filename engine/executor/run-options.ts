/** OutputMode picks the reporter: listr2 tree, plain Ansible-like lines, or NDJSON events. */
export type OutputMode = 'tty' | 'plain' | 'json';

/** PlaybookOptions are ansible-playbook's options, parsed and typed; nothing here is validated against files yet. */
export interface PlaybookOptions {
  readonly playbooks: readonly string[];
  readonly inventories: readonly string[];
  readonly limit?: string;
  readonly tags: readonly string[];
  readonly skipTags: readonly string[];
  readonly check: boolean;
  readonly diff: boolean;
  /** -e values in order; later ones win */
  readonly extraVars: readonly Record<string, unknown>[];
  readonly forks: number;
  readonly user?: string;
  readonly privateKey?: string;
  /** `-T/--timeout` in seconds: the connect timeout (the CLI hands it to the connections; ansible_ssh_timeout beats it) */
  readonly timeout?: number;
  readonly become: boolean;
  readonly becomeUser?: string;
  readonly askBecomePass: boolean;
  readonly verbosity: number;
  readonly listHosts: boolean;
  readonly listTasks: boolean;
  readonly listTags: boolean;
  readonly syntaxCheck: boolean;
  readonly startAtTask?: string;
  readonly output: OutputMode;
  readonly junit?: string;
  /** `--profile`: after the recap, the slowest tasks and each host's time (a reporter concern only) */
  readonly profile?: boolean;
  /** like OpenSSH StrictHostKeyChecking: 'yes' refuses unknown keys, 'accept-new' records them */
  readonly hostKeyChecking: 'yes' | 'accept-new';
  readonly forceHandlers: boolean;
}

/**
 * DEFAULT_FORKS is higher than Ansible's 5 because a tsplay host costs one socket, not a process:
 * with 50, a 50-host lab converges in one wave while the controller stays far below its 200 MB
 * budget (measured: about 150 MB RSS for 50 hosts); forks bound host×task jobs in flight.
 */
export const DEFAULT_FORKS = 50;

/**
 * playbookOptions returns the options the CLI produces when no flag is given, with `over` laid
 * on top; for code that runs playbooks without parsing argv (tests, the benchmark).
 */
export function playbookOptions(over: Partial<PlaybookOptions> = {}): PlaybookOptions {
  return {
    playbooks: [],
    inventories: [],
    tags: [],
    skipTags: [],
    check: false,
    diff: false,
    extraVars: [],
    forks: DEFAULT_FORKS,
    become: false,
    askBecomePass: false,
    verbosity: 0,
    listHosts: false,
    listTasks: false,
    listTags: false,
    syntaxCheck: false,
    output: 'plain',
    hostKeyChecking: 'yes',
    forceHandlers: false,
    ...over,
  };
}
