// Ansible's variable precedence, lowest first, as data: the README renders this table and the
// engine merges variable layers by it, so the documentation cannot drift from the behaviour.
import { setVar } from './combine-vars.ts';
import type { Vars } from './types.ts';

/** PRECEDENCE lists Ansible's 22 precedence levels, lowest first, and which of them tsplay implements. */
export const PRECEDENCE = [
  { level: 'command_line_values', label: 'command line values (for example, -u my_user; these are not variables)', implemented: true, where: 'CLI options' },
  { level: 'role_defaults', label: 'role defaults (roles/x/defaults/main.yml)', implemented: true, where: 'loader' },
  { level: 'inventory_file_group_vars', label: 'inventory file group vars ([g:vars], YAML `vars:`)', implemented: true, where: 'inventory' },
  { level: 'inventory_group_vars_all', label: 'inventory group_vars/all', implemented: true, where: 'inventory' },
  { level: 'playbook_group_vars_all', label: 'playbook group_vars/all', implemented: true, where: 'inventory, beside the playbook' },
  { level: 'inventory_group_vars', label: 'inventory group_vars/*', implemented: true, where: 'inventory' },
  { level: 'playbook_group_vars', label: 'playbook group_vars/*', implemented: true, where: 'inventory, beside the playbook' },
  { level: 'inventory_file_host_vars', label: 'inventory file host vars (host line, YAML host mapping)', implemented: true, where: 'inventory' },
  { level: 'inventory_host_vars', label: 'inventory host_vars/*', implemented: true, where: 'inventory' },
  { level: 'playbook_host_vars', label: 'playbook host_vars/*', implemented: true, where: 'inventory, beside the playbook' },
  { level: 'host_facts', label: 'host facts / cached set_facts', implemented: true, where: 'executor' },
  { level: 'play_vars', label: 'play vars', implemented: true, where: 'loader' },
  { level: 'play_vars_prompt', label: 'play vars_prompt', implemented: false, where: '' },
  { level: 'play_vars_files', label: 'play vars_files', implemented: true, where: 'loader' },
  { level: 'role_vars', label: 'role vars (roles/x/vars/main.yml)', implemented: true, where: 'loader' },
  { level: 'block_vars', label: 'block vars (only for tasks in the block)', implemented: true, where: 'loader' },
  { level: 'task_vars', label: 'task vars (only for the task)', implemented: true, where: 'loader' },
  { level: 'include_vars', label: 'include_vars', implemented: true, where: 'include_vars module' },
  { level: 'set_facts_registered', label: 'set_facts / registered vars', implemented: true, where: 'executor' },
  { level: 'role_params', label: 'role (and include_role) params', implemented: true, where: 'loader' },
  { level: 'include_params', label: 'include params', implemented: true, where: 'loader' },
  { level: 'extra_vars', label: 'extra vars (-e "user=my_user"; always win)', implemented: true, where: 'CLI -e' },
] as const satisfies readonly { level: string; label: string; implemented: boolean; where: string }[];

/** PrecedenceLevel names one row of PRECEDENCE. */
export type PrecedenceLevel = (typeof PRECEDENCE)[number]['level'];

const RANK = new Map<string, number>(PRECEDENCE.map((p, i) => [p.level, i]));

/** precedenceRank is a level's position in PRECEDENCE (higher wins). */
export function precedenceRank(level: PrecedenceLevel): number {
  return RANK.get(level) ?? -1;
}

/** VarLayer is a set of variables that all come from one precedence level. */
export interface VarLayer {
  readonly level: PrecedenceLevel;
  readonly vars: Vars;
}

/**
 * mergeVarLayers merges layers by precedence (a stable sort, so layers of one level keep their
 * order) with Ansible's default hash_behaviour=replace: a higher layer replaces a key entirely.
 */
export function mergeVarLayers(layers: readonly VarLayer[]): Vars {
  const sorted = layers.map((l, i) => ({ l, i })).sort((a, b) => precedenceRank(a.l.level) - precedenceRank(b.l.level) || a.i - b.i);
  // one object updated layer by layer is combineVars applied in turn (same keys, order, marks and
  // positions) without a full copy per layer: this runs for every task on every host
  const out: Vars = {};
  for (const { l } of sorted) for (const k of Object.keys(l.vars)) setVar(out, k, l.vars, k);
  return out;
}

/** precedenceMarkdown renders PRECEDENCE as the markdown table the README shows. */
export function precedenceMarkdown(): string {
  // widened: with today's rows TypeScript would narrow a not-implemented row's `where` to ''
  const rows = PRECEDENCE.map(
    (p: { readonly label: string; readonly implemented: boolean; readonly where: string }, i) =>
      `| ${i + 1} | ${p.label} | ${p.implemented ? `yes (${p.where})` : p.where ? `no: ${p.where}` : 'no'} |`,
  );
  return ['| # (lowest first) | Ansible level | tsplay |', '|---|---|---|', ...rows].join('\n');
}
