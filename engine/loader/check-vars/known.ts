import type { Inventory, Vars } from '../../inventory/types.ts';
import { mergeVarLayers, type VarLayer } from '../../inventory/precedence.ts';
import { LOCALHOST_NAMES } from '../../py/localhost.ts';

/**
 * MAGIC_VARS are the names Ansible 2.14 defines on its own (its "special variables") and those
 * tsplay's executor adds to every task (engine/executor/host-vars.ts taskVars): always known.
 */
export const MAGIC_VARS: ReadonlySet<string> = new Set([
  'inventory_hostname',
  'inventory_hostname_short',
  'inventory_dir',
  'inventory_file',
  'hostvars',
  'groups',
  'group_names',
  'play_hosts',
  'ansible_play_hosts',
  'ansible_play_batch',
  'ansible_play_hosts_all',
  'ansible_play_name',
  'ansible_play_role_names',
  'ansible_check_mode',
  'ansible_diff_mode',
  'ansible_verbosity',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_limit',
  'ansible_forks',
  'ansible_facts',
  'ansible_local',
  'ansible_version',
  'ansible_config_file',
  'ansible_playbook_python',
  'ansible_inventory_sources',
  'ansible_search_path',
  'ansible_collection_name',
  'ansible_role_names',
  'ansible_role_name',
  'ansible_parent_role_names',
  'ansible_parent_role_paths',
  'ansible_dependent_role_names',
  'ansible_loop',
  'ansible_loop_var',
  'ansible_index_var',
  'ansible_failed_task',
  'ansible_failed_result',
  'ansible_play_batch',
  'omit',
  'playbook_dir',
  'role_name',
  'role_names',
  'role_path',
  'vars',
  'environment',
]);

/** CONNECTION_VAR matches Ansible's connection and become variables, which the inventory or the connection plugin may supply. */
export const CONNECTION_VAR =
  /^ansible_(host|port|user|connection|password|pass|ssh_\w+|scp_\w+|sftp_\w+|become\w*|sudo\w*|\w*interpreter|shell_\w+|private_key_file|remote_tmp|timeout|pipelining|module_compression|paramiko_\w+|network_os|winrm_\w+|psrp_\w+|docker_\w+|local_\w+)$/;

/** FACT_VAR is any name gathered facts may supply (every fact is `ansible_<name>`). */
export const FACT_VAR = /^ansible_/;

/**
 * inventoryNames is every variable any host or group of the inventory defines, group_vars/ and
 * host_vars/ beside the playbook included; undefined when those files cannot be read (the run says why).
 */
export function inventoryNames(inv: Inventory, playbookDir: string): Set<string> | undefined {
  const layered = inv as Inventory & { hostVarLayers?: (name: string, dirs: readonly string[]) => VarLayer[] };
  const out = new Set<string>();
  try {
    for (const host of [...inv.hosts.keys(), ...LOCALHOST_NAMES]) {
      const vars: Vars = typeof layered.hostVarLayers === 'function' ? mergeVarLayers(layered.hostVarLayers(host, [playbookDir])) : inv.hostVars(host);
      for (const k of Object.keys(vars)) out.add(k);
    }
  } catch {
    return undefined;
  }
  for (const g of inv.groups.values()) for (const k of Object.keys(g.vars)) out.add(k);
  return out;
}
