import { createRequire } from 'node:module';
import type { ModuleDef } from './types.ts';

/**
 * MODULE_FILES names each module (and its aliases) with the file and export that define it.
 * Why a table and not imports: importing all 29 modules loads some 90 files (their read/apply
 * code, probes, the virt XML support) on every start, while a playbook uses a few of them; a
 * module's file is required on first use instead. test/modules/registry.test.ts proves the table
 * matches the definitions.
 */
export const MODULE_FILES: Readonly<Record<string, { readonly file: string; readonly exported: string; readonly aliases?: readonly string[] }>> = {
  assert: { file: './assert.ts', exported: 'assertModule' },
  blockinfile: { file: './blockinfile.ts', exported: 'blockinfileModule' },
  command: { file: './command.ts', exported: 'commandModule' },
  copy: { file: './copy.ts', exported: 'copyModule' },
  debug: { file: './debug.ts', exported: 'debugModule' },
  fail: { file: './fail.ts', exported: 'failModule' },
  file: { file: './file.ts', exported: 'fileModule' },
  gather_facts: { file: './gather-facts.ts', exported: 'gatherFactsModule', aliases: ['setup'] },
  include_vars: { file: './include-vars.ts', exported: 'includeVarsModule' },
  lineinfile: { file: './lineinfile.ts', exported: 'lineinfileModule' },
  meta: { file: './meta.ts', exported: 'metaModule' },
  modprobe: { file: './modprobe.ts', exported: 'modprobeModule', aliases: ['community.general.modprobe'] },
  nm_team: { file: './nm-team.ts', exported: 'nmTeamModule' },
  package: { file: './package.ts', exported: 'packageModule' },
  ping: { file: './ping.ts', exported: 'pingModule' },
  raw: { file: './raw.ts', exported: 'rawModule' },
  service: { file: './service.ts', exported: 'serviceModule', aliases: ['systemd', 'systemd_service'] },
  set_fact: { file: './set-fact.ts', exported: 'setFactModule' },
  shell: { file: './shell.ts', exported: 'shellModule' },
  slurp: { file: './slurp.ts', exported: 'slurpModule' },
  stat: { file: './stat.ts', exported: 'statModule' },
  sysctl: { file: './sysctl.ts', exported: 'sysctlModule', aliases: ['ansible.posix.sysctl'] },
  teamd_state: { file: './teamd-state.ts', exported: 'teamdStateModule' },
  template: { file: './template.ts', exported: 'templateModule' },
  wait_for: { file: './wait-for.ts', exported: 'waitForModule' },
  virt_network: { file: './virt/network.ts', exported: 'virtNetworkModule' },
  virt_nic_bandwidth: { file: './virt/nic-bandwidth.ts', exported: 'virtNicBandwidthModule' },
  virt_domain: { file: './virt-domain.ts', exported: 'virtDomainModule' },
  virt_install: { file: './virt-install.ts', exported: 'virtInstallModule' },
};

const canonical = new Map<string, string>();
for (const [name, f] of Object.entries(MODULE_FILES)) {
  canonical.set(name, name);
  for (const a of f.aliases ?? []) canonical.set(a, name);
}
const loaded = new Map<string, ModuleDef>();
const requireModule = createRequire(import.meta.url);

// require() of an ES module is synchronous (Node >= 22.12), so getModule stays synchronous for the
// loader, which checks each task's arguments against the module's schema as it reads the task
function load(name: string): ModuleDef {
  let m = loaded.get(name);
  if (!m) {
    const f = MODULE_FILES[name] as (typeof MODULE_FILES)[string];
    m = (requireModule(f.file) as Record<string, ModuleDef>)[f.exported] as ModuleDef;
    loaded.set(name, m);
  }
  return m;
}

const byName = {
  get(name: string): ModuleDef | undefined {
    const c = canonical.get(name);
    return c === undefined ? undefined : load(c);
  },
};

/** FQCN_PREFIXES are collection prefixes that name the same builtin modules. */
const FQCN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.'];

/** getModule finds a module by its short name, an alias, or its `ansible.builtin.X` name. */
export function getModule(name: string): ModuleDef | undefined {
  const direct = byName.get(name);
  if (direct) return direct;
  for (const p of FQCN_PREFIXES) {
    if (name.startsWith(p)) return byName.get(name.slice(p.length));
  }
  return undefined;
}

/** moduleNames lists every module's short name, sorted, for error hints and the README. */
export function moduleNames(): string[] {
  return Object.keys(MODULE_FILES).sort();
}
