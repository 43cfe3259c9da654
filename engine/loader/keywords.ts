/** PLAY_KEYWORDS are the keys a play may have (those tsplay implements). */
export const PLAY_KEYWORDS: ReadonlySet<string> = new Set([
  'name',
  'hosts',
  'vars',
  'vars_files',
  'pre_tasks',
  'roles',
  'tasks',
  'post_tasks',
  'handlers',
  'become',
  'become_user',
  'gather_facts',
  'serial',
  'strategy',
  'tags',
  'any_errors_fatal',
  'max_fail_percentage',
  'force_handlers',
  'connection',
  'remote_user',
  'environment',
]);

/** COMMON_KEYWORDS are the keywords blocks, tasks, includes and role entries share. */
export const COMMON_KEYWORDS: ReadonlySet<string> = new Set([
  'name',
  'when',
  'tags',
  'vars',
  'become',
  'become_user',
  'environment',
  'ignore_errors',
  'ignore_unreachable',
  'delegate_to',
  'run_once',
  'no_log',
  'check_mode',
  'diff',
]);

/** TASK_KEYWORDS are the keys of a module task besides the module itself. */
export const TASK_KEYWORDS: ReadonlySet<string> = new Set([
  ...COMMON_KEYWORDS,
  'args',
  'loop',
  'loop_control',
  'register',
  'notify',
  'changed_when',
  'failed_when',
  'until',
  'retries',
  'delay',
  'action',
  'local_action',
]);

/** HANDLER_KEYWORDS adds `listen` to the task keywords. */
export const HANDLER_KEYWORDS: ReadonlySet<string> = new Set([...TASK_KEYWORDS, 'listen']);

/** BLOCK_KEYWORDS are the keys of a block. */
export const BLOCK_KEYWORDS: ReadonlySet<string> = new Set([...COMMON_KEYWORDS, 'block', 'rescue', 'always']);

/** INCLUDE_KEYWORDS are the keys of include_tasks/include_role (which may loop). */
export const INCLUDE_KEYWORDS: ReadonlySet<string> = new Set([...COMMON_KEYWORDS, 'loop', 'loop_control', 'args']);

/** INCLUDE_ACTIONS are the task-list entries that pull in other files or roles. */
const INCLUDE_SHORT = ['import_tasks', 'include_tasks', 'import_role', 'include_role'];
// their FQCNs too: Ansible's C._ACTION_* sets list each under ansible.builtin. and ansible.legacy.
export const INCLUDE_ACTIONS: ReadonlySet<string> = new Set(INCLUDE_SHORT.flatMap((a) => [a, `ansible.builtin.${a}`, `ansible.legacy.${a}`]));

/** LOOP_CONTROL_KEYS are the keys loop_control accepts. */
export const LOOP_CONTROL_KEYS: ReadonlySet<string> = new Set(['loop_var', 'index_var', 'label', 'pause', 'extended']);

/** ROLE_ENTRY_KEYWORDS are keywords of a `roles:` entry; any other key is a role parameter. */
export const ROLE_ENTRY_KEYWORDS: ReadonlySet<string> = new Set([...COMMON_KEYWORDS, 'role']);

/** ALL_KEYWORDS is every keyword, used to tell a misspelt keyword from a misspelt module. */
export const ALL_KEYWORDS: ReadonlySet<string> = new Set([...PLAY_KEYWORDS, ...HANDLER_KEYWORDS, ...BLOCK_KEYWORDS, ...INCLUDE_ACTIONS, 'import_playbook', 'with_items', 'with_list']);

/** UNSUPPORTED_KEYWORDS are real Ansible keywords tsplay does not implement; they get their own message. */
export const UNSUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  'any_errors_fatal',
  'async',
  'poll',
  'throttle',
  'timeout',
  'connection',
  'remote_user',
  'collections',
  'module_defaults',
  'debugger',
  'port',
  'become_method',
  'become_flags',
  'become_exe',
  'vars_prompt',
  'order',
  'fact_path',
  'gather_subset',
  'gather_timeout',
  'max_fail_percentage',
  'serial',
  'strategy',
  'force_handlers',
  'ignore_errors',
  'ignore_unreachable',
  'check_mode',
  'diff',
  'no_log',
  'run_once',
]);

/** unknownKeywordMessage says why a key is refused: not Ansible at all, or Ansible but not here. */
export function unknownKeywordMessage(key: string, where: string): string {
  return UNSUPPORTED_KEYWORDS.has(key) ? `"${key}" is an Ansible keyword that tsplay does not support on ${where}` : `"${key}" is not a valid keyword for ${where}`;
}
