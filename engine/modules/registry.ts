import type { ModuleDef } from './types.ts';
import { assertModule } from './assert.ts';
import { blockinfileModule } from './blockinfile.ts';
import { commandModule } from './command.ts';
import { copyModule } from './copy.ts';
import { debugModule } from './debug.ts';
import { failModule } from './fail.ts';
import { fileModule } from './file.ts';
import { gatherFactsModule } from './gather-facts.ts';
import { includeVarsModule } from './include-vars.ts';
import { lineinfileModule } from './lineinfile.ts';
import { metaModule } from './meta.ts';
import { modprobeModule } from './modprobe.ts';
import { nmTeamModule } from './nm-team.ts';
import { packageModule } from './package.ts';
import { pingModule } from './ping.ts';
import { rawModule } from './raw.ts';
import { serviceModule } from './service.ts';
import { setFactModule } from './set-fact.ts';
import { shellModule } from './shell.ts';
import { slurpModule } from './slurp.ts';
import { statModule } from './stat.ts';
import { sysctlModule } from './sysctl.ts';
import { teamdStateModule } from './teamd-state.ts';
import { templateModule } from './template.ts';
import { waitForModule } from './wait-for.ts';
import { virtNetworkModule } from './virt/network.ts';
import { virtNicBandwidthModule } from './virt/nic-bandwidth.ts';
import { virtDomainModule } from './virt-domain.ts';
import { virtInstallModule } from './virt-install.ts';

const MODULES: readonly ModuleDef[] = [
  assertModule,
  blockinfileModule,
  commandModule,
  copyModule,
  debugModule,
  failModule,
  fileModule,
  gatherFactsModule,
  includeVarsModule,
  lineinfileModule,
  metaModule,
  modprobeModule,
  nmTeamModule,
  packageModule,
  pingModule,
  rawModule,
  serviceModule,
  setFactModule,
  shellModule,
  slurpModule,
  statModule,
  sysctlModule,
  teamdStateModule,
  templateModule,
  waitForModule,
  virtNetworkModule,
  virtNicBandwidthModule,
  virtDomainModule,
  virtInstallModule,
];

const byName = new Map<string, ModuleDef>();
for (const m of MODULES) {
  byName.set(m.name, m);
  for (const a of m.aliases ?? []) byName.set(a, m);
}

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
  return MODULES.map((m) => m.name).sort();
}
