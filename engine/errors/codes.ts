/**
 * ERROR_CODES is the closed set of error codes tsplay can report, with a one-line meaning each.
 * Why one table: users grep for codes, tests assert them, and the README lists them from here.
 * Add a code here (never invent one inline) when a new kind of mistake needs its own name.
 */
export const ERROR_CODES = {
  // CLI and options
  E_OPTION: 'unknown option or bad option value',
  // YAML and files
  E_YAML_SYNTAX: 'the YAML does not parse',
  E_YAML_DUPLICATE_KEY: 'a mapping has the same key twice',
  E_YAML_TAB: 'a tab character is used for indentation',
  E_FILE_NOT_FOUND: 'a referenced file does not exist',
  E_FILE_READ: 'a file exists but cannot be read (or is a device, FIFO or socket, not a regular file)',
  E_INPUT_TOO_LARGE: 'a file is larger than the size cap (TSPLAY_MAX_FILE_SIZE, default 16 MiB)',
  E_YAML_LIMIT: 'a YAML document nests too deep or its aliases expand too far',
  // inventory
  E_INV_SYNTAX: 'an inventory line or entry is malformed',
  E_INV_RANGE: 'a host range is malformed',
  E_INV_SOURCE: 'an inventory source cannot be used',
  E_INV_GROUP: 'a group is referenced but never defined, or defined badly',
  E_PATTERN: 'a host pattern is malformed',
  // playbook structure
  E_PLAY_SHAPE: 'a play is not a mapping or lacks hosts',
  E_UNKNOWN_KEYWORD: 'a play, block or task uses a keyword that does not exist there',
  E_KEYWORD_TYPE: 'a keyword has a value of the wrong type',
  E_NO_MODULE: 'a task names no module',
  E_MULTIPLE_MODULES: 'a task names more than one module',
  E_UNKNOWN_MODULE: 'a task names a module that does not exist',
  E_ARG_UNKNOWN: 'a module argument does not exist',
  E_ARG_TYPE: 'a module argument has the wrong type or value',
  E_ARG_REQUIRED: 'a required module argument is missing',
  E_ARG_CONFLICT: 'two module arguments exclude each other',
  E_ARG_KV: 'a k=v argument string does not parse',
  E_UNKNOWN_ROLE: 'a role cannot be found',
  E_ROLE_LAYOUT: 'a role directory holds something malformed',
  E_INCLUDE_CYCLE: 'files include each other in a cycle',
  E_LOOP: 'a loop is malformed',
  E_UNDEFINED_HANDLER: 'notify names a handler or topic that does not exist',
  E_WHEN_SYNTAX: 'a conditional expression does not parse',
  E_TEMPLATE_SYNTAX: 'a template does not parse',
  E_UNDEFINED_VAR: 'a template or expression uses an undefined variable',
  E_TEMPLATE_HELPER: 'a template helper was called badly',
  E_TEMPLATE_LOOP: 'variables refer to each other in a loop while being templated',
  E_EXPR_EVAL: 'an expression failed while being evaluated',
  E_VARS_FILE: 'a vars file is not a mapping',
  E_START_AT_TASK: '--start-at-task names no task',
  // running
  E_UNREACHABLE: 'a host cannot be reached',
  E_HOST_KEY: 'a host key is unknown or does not match known_hosts',
  E_AUTH: 'authentication failed',
  E_COMMAND: 'a remote command failed',
  E_MODULE: 'a module failed',
  E_WRITE_CONFLICT: 'a file changed on the host between being read and being replaced',
  E_BECOME: 'privilege escalation failed',
  E_TIMEOUT: 'an operation timed out',
  E_INTERRUPTED: 'the run was interrupted',
  // kickstart
  E_KS_LINT: 'a generated or given kickstart breaks a rule for its OS version',
  E_KS_DATA: "a guest description (`guest`) or a hypervisor's `libvirt_networks` in the inventory is incomplete or contradictory",
  // lab
  E_LAB: 'a lab step failed',
  E_INTERNAL: 'a bug in tsplay',
} as const;

/** ErrorCode is one of the codes in ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;
