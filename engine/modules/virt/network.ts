import type { ModuleContext, ModuleDef } from '../types.ts';
import { parseList, parseNetworkXml, virshArgv } from '../../probes/virsh.ts';
import { taskOpts } from '../support/task-opts.ts';
import { networkArgsSchema, type NetworkArgs } from './network-args.ts';
import { AGEING_DIR, AGEING_HOOK, planNetwork, type NetworkCurrent } from './network-plan.ts';
import { runSteps } from './run-steps.ts';
import type { VirtPayload } from './steps.ts';

const ok = (r: { rc: number; stdout: string }): string | null => (r.rc === 0 ? r.stdout : null);

/** readNetwork reads the network's three layers, the ageing hook and the running guests' interfaces in two round trips. */
export async function readNetwork(ctx: ModuleContext, args: NetworkArgs): Promise<NetworkCurrent> {
  const opts = taskOpts(ctx);
  const name = args.name;
  const [info, inactive, live, hook, conf, list] = await ctx.conn.batch(
    [
      virshArgv('net-info', name),
      virshArgv('net-dumpxml', '--inactive', name),
      virshArgv('net-dumpxml', name),
      ['cat', AGEING_HOOK],
      ['cat', `${AGEING_DIR}/${name}`],
      virshArgv('list', '--state-running'),
    ],
    opts,
  );
  const inactiveText = ok(inactive!);
  const bridge = inactiveText === null ? null : parseNetworkXml({ rc: 0, stdout: inactiveText, stderr: '' }).bridge.name;
  const domains = parseList(list!).map((d) => d.name);
  const infoText = ok(info!);
  const active = infoText !== null && /Active:\s+yes/.test(infoText);
  // with guests on an active network: whether their taps are on the bridge and libvirt still has their ports
  const ports = active && bridge && domains.length > 0 ? [['bridge', '-j', 'link', 'show'], virshArgv('net-port-list', name, '--uuid')] : [];
  const second = await ctx.conn.batch([...(bridge ? [['cat', `/sys/class/net/${bridge}/bridge/ageing_time`]] : []), ...ports, ...domains.map((d) => virshArgv('domiflist', d))], opts);
  const ageing = bridge ? second.shift()! : undefined;
  const [links, portList] = ports.length > 0 ? second.splice(0, 2) : [];
  return {
    info: infoText,
    inactive: inactiveText,
    live: active ? ok(live!) : null,
    ageing: ageing && ageing.rc === 0 ? ageing.stdout : null,
    hook: ok(hook!),
    ageingConf: ok(conf!),
    guests: domains.map((domain, i) => ({ domain, domiflist: ok(second[i]!) ?? '' })),
    links: links ? ok(links) : null,
    ports: portList ? ok(portList) : null,
  };
}

/** virtNetworkModule converges a libvirt network: definition, live DHCP/DNS entries, state, autostart and bridge ageing. */
export const virtNetworkModule: ModuleDef<NetworkArgs, NetworkCurrent, VirtPayload> = {
  name: 'virt_network',
  doc: 'Converge a libvirt network (a libvirt_networks entry or full XML): DHCP/DNS hosts live with net-update, other changes by a restart only with allow_restart; state, autostart, bridge ageing.',
  classes: ['live', 'config', 'net-restart'],
  schema: networkArgsSchema,
  read: readNetwork,
  plan(args, current) {
    return planNetwork(args, current);
  },
  async apply(ctx, args, plan) {
    return runSteps(ctx, `network ${args.name}`, plan.payload?.steps ?? []);
  },
};
