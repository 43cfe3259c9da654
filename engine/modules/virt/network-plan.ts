// The pure plan of virt_network: desired network against the three layers read from the host
// (inactive XML, live XML, net-info + the bridge's sysfs), each change with its class.
import type { Argv } from '../../connection/types.ts';
import { parseAgeing, parseBridgeLinks } from '../../probes/bridge.ts';
import { parseDomiflist, parseNetInfo, virshArgv } from '../../probes/virsh.ts';
import type { Change, Plan } from '../types.ts';
import { specOf, type NetworkArgs } from './network-args.ts';
import { buildNetworkTree, carryOver, diffRest, normalizeNetwork, updateOps, type NetModel, type UpdateOp } from './network-xml.ts';
import { DISRUPTIVE, type Step, type VirtPayload } from './steps.ts';
import { buildXml, kid, parseXmlRoot, textOf, type XNode } from './xml-tree.ts';

/** NetworkCurrent is what read found, as the tools printed it (null: the object or file is missing). */
export interface NetworkCurrent {
  /** `virsh net-info NET` */
  readonly info: string | null;
  /** `virsh net-dumpxml --inactive NET` */
  readonly inactive: string | null;
  /** `virsh net-dumpxml NET` (only while active) */
  readonly live: string | null;
  /** /sys/class/net/BR/bridge/ageing_time */
  readonly ageing: string | null;
  /** the ageing hook script and this network's value file */
  readonly hook: string | null;
  readonly ageingConf: string | null;
  /** `virsh domiflist DOM` of every running domain */
  readonly guests: readonly { readonly domain: string; readonly domiflist: string }[];
  /** `bridge -j link show` (read while the network is active) */
  readonly links?: string | null | undefined;
  /** `virsh net-port-list NET --uuid` (read while the network is active) */
  readonly ports?: string | null | undefined;
}

/** AGEING_HOOK is where the libvirt network hook that re-applies bridge ageing lives (libvirt ≥ 6.5 runs hooks/network.d/*). */
export const AGEING_HOOK = '/etc/libvirt/hooks/network.d/tsplay-bridge-ageing';
/** AGEING_DIR holds one file per network: "BRIDGE CENTISECONDS". */
export const AGEING_DIR = '/etc/tsplay/bridge-ageing';

// Why a fixed script reading a value file: the network and bridge names never enter script
// text, so nothing a user writes can be run by the hook.
/** AGEING_HOOK_SCRIPT is the hook's fixed content. */
export const AGEING_HOOK_SCRIPT = `#!/bin/sh
# Written by tsplay. libvirt resets a bridge's ageing time whenever it starts the network;
# re-apply the value recorded in ${AGEING_DIR}/<network> ("BRIDGE CENTISECONDS").
[ "$2" = started ] || exit 0
f=${AGEING_DIR}/$1
[ -r "$f" ] || exit 0
read -r br cs < "$f" || exit 0
exec ip link set dev "$br" type bridge ageing_time "$cs"
`;

/** AttachedGuest is one guest interface on the network: it loses its link when the network restarts. */
export interface AttachedGuest {
  readonly domain: string;
  readonly tap: string | null;
  readonly mac: string;
}

/** attachedGuests lists the running guests' interfaces whose source is the network. */
export function attachedGuests(name: string, cur: NetworkCurrent): AttachedGuest[] {
  return cur.guests.flatMap((g) =>
    parseDomiflist({ rc: 0, stdout: g.domiflist, stderr: '' })
      .filter((i) => i.type === 'network' && i.source === name)
      .map((i) => ({ domain: g.domain, tap: i.target, mac: i.mac })),
  );
}

const fail = (msg: string, changes: Change[] = []): Plan<VirtPayload> => ({ changes, failed: true, msg });
const defineStep = (xml: string): Step => ({ run: virshArgv('net-define', '/dev/stdin'), stdin: xml });

function updateArgv(name: string, op: UpdateOp, live: boolean, config: boolean, ips: number): Argv {
  return virshArgv(
    'net-update',
    name,
    op.command,
    op.section,
    op.xml,
    ...(ips > 1 && op.section !== 'dns-host' ? ['--parent-index', String(op.ipIndex)] : []),
    ...(live ? ['--live'] : []),
    ...(config ? ['--config'] : []),
  );
}

// One net-update per distinct command: an op needed in both layers gets --live --config.
function liveUpdates(name: string, want: NetModel, config: NetModel, live: NetModel | undefined, ips: number): { changes: Change[]; steps: Step[] } {
  const byKey = new Map<string, { op: UpdateOp; live: boolean; config: boolean }>();
  const add = (ops: UpdateOp[], layer: 'live' | 'config'): void => {
    for (const op of ops) {
      const k = `${op.command} ${op.section} ${op.xml}`;
      const e = byKey.get(k) ?? { op, live: false, config: false };
      e[layer] = true;
      byKey.set(k, e);
    }
  };
  add(updateOps(want, config), 'config');
  if (live) add(updateOps(want, live), 'live');
  const changes: Change[] = [];
  const steps: Step[] = [];
  for (const { op, live: l, config: c } of byKey.values()) {
    // Only one layer needing it is a half-applied state; the property says which layer lags.
    const lag = l && c ? '' : l ? ' (live only)' : live ? ' (config only)' : '';
    // config alone: the running network already has it, or none runs; nothing waits for a restart
    changes.push({ property: `${op.section} ${op.key}${lag}`, before: op.before, after: op.after ?? null, ...(l ? { class: 'live' } : { class: 'config', idle: true }) });
    steps.push({ run: updateArgv(name, op, l, c, ips) });
  }
  return { changes, steps };
}

function desiredTree(args: NetworkArgs): XNode | string {
  if (args.xml !== undefined) {
    const root = parseXmlRoot(args.xml, 'network');
    if (!root) return 'xml has no <network> element';
    const named = textOf(kid(root, 'name'));
    if (named !== args.name) return `xml names the network ${JSON.stringify(named)}, the task ${JSON.stringify(args.name)}`;
    return root;
  }
  return buildNetworkTree(specOf(args.name, args.network!, args.hosts));
}

/** planNetwork is the pure plan of virt_network. */
export function planNetwork(args: NetworkArgs, cur: NetworkCurrent): Plan<VirtPayload> {
  const name = args.name;
  const state = args.state ?? 'active';
  const info = cur.info === null ? undefined : parseNetInfo({ rc: 0, stdout: cur.info, stderr: '' });
  const active = info?.active ?? false;
  const guests = attachedGuests(name, cur);
  const guestText =
    guests.length === 0
      ? 'no guests are attached'
      : `guests that lose their link: ${[...new Set(guests.map((g) => g.domain))]
          .map(
            (d) =>
              `${d} (${guests
                .filter((g) => g.domain === d)
                .map((g) => g.tap ?? g.mac)
                .join(', ')})`,
          )
          .join(', ')}`;
  const result = { network: name, guests_affected: guests.map((g) => ({ domain: g.domain, tap: g.tap, mac: g.mac })) };
  const acc: Acc = { changes: [], steps: [] };
  const refuse = (): Plan<VirtPayload> | undefined => {
    const hard = acc.changes.filter((c) => c.class !== undefined && DISRUPTIVE.includes(c.class));
    if (hard.length === 0 || args.allow_restart) return undefined;
    return { ...fail(`network ${name}: ${hard.map((c) => c.property).join(', ')} need a network restart (net-restart), refused without allow_restart: true; ${guestText}`, acc.changes), result };
  };

  if (state === 'absent') {
    if (info === undefined) return { changes: [], reason: `network ${name} does not exist`, result };
    planRemoval(name, active, acc);
    return refuse() ?? { changes: acc.changes, result, payload: { steps: acc.steps } };
  }

  const tree = desiredTree(args);
  if (typeof tree === 'string') return fail(tree);
  const wantActive = state === 'active' || (state === 'present' && active);
  const existing = cur.inactive === null ? undefined : parseXmlRoot(cur.inactive, 'network');
  const desired = carryOver(tree, existing);
  const want = normalizeNetwork(desired);
  const restarting = planDefinition({ name, cur, active, wantActive, guests, desired, want, existing }, acc);
  if (active && wantActive && !restarting && want.bridge) planPorts(name, want.bridge, cur, guests, acc);
  planState(name, info, active, wantActive, args.autostart, acc);
  const ageingProblem = planAgeing(args, cur, { name, bridge: want.bridge, active, wantActive, restarting }, acc);
  if (ageingProblem) return fail(ageingProblem);

  if (acc.changes.length === 0) return { changes: acc.changes, reason: `network ${name} is ${active ? 'active' : 'defined'} as described (libvirt-added uuid, MAC and defaults ignored)`, result };
  return refuse() ?? { changes: acc.changes, result, payload: { steps: acc.steps } };
}

/** Acc gathers a plan's changes and the steps that make them, in order. */
interface Acc {
  readonly changes: Change[];
  readonly steps: Step[];
}

function planRemoval(name: string, active: boolean, acc: Acc): void {
  if (active) {
    acc.changes.push({ property: 'state', before: 'active', after: 'absent', class: 'net-restart' });
    acc.steps.push({ run: virshArgv('net-destroy', name) });
  } else acc.changes.push({ property: 'state', before: 'inactive', after: 'absent', class: 'config', idle: true });
  acc.steps.push({ run: virshArgv('net-undefine', name) });
}

interface DefinitionInput {
  readonly name: string;
  readonly cur: NetworkCurrent;
  readonly active: boolean;
  readonly wantActive: boolean;
  readonly guests: ReturnType<typeof attachedGuests>;
  readonly desired: ReturnType<typeof carryOver>;
  readonly want: NetModel;
  readonly existing: XNode | undefined;
}

/**
 * planDefinition compares the definition with the config and live layers: a new network is
 * defined; a running one that differs is restarted (its guests re-attached); a defined one takes
 * the new definition for its next start; otherwise only what net-update can change goes live.
 * Returns whether the network restarts.
 */
function planDefinition(d: DefinitionInput, acc: Acc): boolean {
  const { name, cur, active, wantActive, guests, desired, want, existing } = d;
  if (!existing) {
    acc.changes.push({ property: 'definition', before: null, after: name, class: 'config', idle: true });
    acc.steps.push(defineStep(buildXml('network', desired)));
    return false;
  }
  const config = normalizeNetwork(existing);
  const liveRoot = active && cur.live !== null ? parseXmlRoot(cur.live, 'network') : undefined;
  const live = liveRoot ? normalizeNetwork(liveRoot) : undefined;
  const configDiff = diffRest(want, config);
  const liveDiff = live ? diffRest(want, live) : [];
  if (configDiff.length > 0) acc.steps.push(defineStep(buildXml('network', desired)));
  if (active && (configDiff.length > 0 || liveDiff.length > 0)) {
    // A definition that differs from the running network (or was changed but never restarted).
    const props = new Map<string, Change>();
    for (const x of [...liveDiff, ...configDiff]) if (!props.has(x.property)) props.set(x.property, { property: x.property, before: x.before, after: x.after, class: 'net-restart' });
    acc.changes.push(...props.values());
    if (!wantActive) return false;
    acc.steps.push({ run: virshArgv('net-destroy', name) }, { run: virshArgv('net-start', name) });
    const on = guests.flatMap((g) => (g.tap === null ? [] : [{ domain: g.domain, mac: g.mac, tap: g.tap }]));
    if (on.length > 0 && want.bridge) acc.steps.push({ reattach: { network: name, bridge: want.bridge, guests: on } });
    return true;
  }
  if (configDiff.length > 0) {
    // reached for an inactive network only: it takes the definition at its next start, nothing waits
    acc.changes.push(...configDiff.map((x): Change => ({ property: x.property, before: x.before, after: x.after, class: 'config', idle: true })));
    return false;
  }
  const ips = Array.isArray(desired['ip']) ? desired['ip'].length : 1;
  const u = liveUpdates(name, want, config, live, ips);
  acc.changes.push(...u.changes);
  acc.steps.push(...u.steps);
  return false;
}

/**
 * planPorts puts back guest interfaces a network restart made by someone else left behind: libvirt
 * 9.0 forgets the network's ports and unplugs the taps at net-destroy and restores neither at
 * net-start, so the guests stay cut off. Taps off the bridge or fewer ports than attached
 * interfaces are re-attached live, as after tsplay's own restart (reattach.ts).
 */
function planPorts(name: string, bridge: string, cur: NetworkCurrent, guests: readonly AttachedGuest[], acc: Acc): void {
  if (cur.links == null || cur.ports == null) return;
  const on = guests.flatMap((g) => (g.tap === null ? [] : [{ domain: g.domain, mac: g.mac, tap: g.tap }]));
  if (on.length === 0) return;
  const links = parseBridgeLinks({ rc: 0, stdout: cur.links, stderr: '' });
  const off = on.filter((g) => !links.some((l) => l.ifname === g.tap && l.master === bridge)).map((g) => g.tap);
  const ports = cur.ports.split('\n').filter((l) => l.trim() !== '').length;
  if (off.length === 0 && ports >= on.length) return;
  acc.changes.push({ property: 'guest ports', before: { taps_off_bridge: off, network_ports: ports }, after: { taps_off_bridge: [], network_ports: on.length }, class: 'live' });
  acc.steps.push({ reattach: { network: name, bridge, guests: on } });
}

function planState(name: string, info: ReturnType<typeof parseNetInfo> | undefined, active: boolean, wantActive: boolean, autostart: boolean | undefined, acc: Acc): void {
  if (wantActive && !active) {
    acc.changes.push({ property: 'state', before: info ? 'inactive' : 'absent', after: 'active', class: 'live' });
    acc.steps.push({ run: virshArgv('net-start', name) });
  } else if (!wantActive && active) {
    acc.changes.push({ property: 'state', before: 'active', after: 'inactive', class: 'net-restart' });
    acc.steps.push({ run: virshArgv('net-destroy', name) });
  }
  if (autostart !== undefined && autostart !== (info?.autostart ?? false)) {
    acc.changes.push({ property: 'autostart', before: info?.autostart ?? false, after: autostart, class: 'live' });
    acc.steps.push({ run: virshArgv('net-autostart', name, ...(autostart ? [] : ['--disable'])) });
  }
}

/** planAgeing keeps the bridge's ageing time: a libvirt hook for every (re)start, and now on a running bridge. Returns a problem, if any. */
function planAgeing(args: NetworkArgs, cur: NetworkCurrent, n: { name: string; bridge: string | undefined; active: boolean; wantActive: boolean; restarting: boolean }, acc: Acc): string | undefined {
  const ageing = args.network?.bridge?.ageing;
  if (ageing === undefined) return undefined;
  const { name, bridge, active, wantActive, restarting } = n;
  if (bridge === undefined) return `network ${name}: bridge.ageing needs a bridge name`;
  const cs = ageing * 100;
  const conf = `${bridge} ${cs}\n`;
  if (cur.hook !== AGEING_HOOK_SCRIPT || cur.ageingConf !== conf) {
    // the hook serves (re)starts; a running bridge gets the value now (below): nothing waits
    acc.changes.push({ property: 'bridge.ageing (network hook)', before: cur.ageingConf?.trim() ?? null, after: conf.trim(), class: 'config', idle: true });
    // libvirtd finds a new hook script only when it starts or reloads (seen on libvirt 9.0: a
    // hook written to a running daemon was not run by net-start until a SIGHUP).
    const reload: Step[] = cur.hook !== AGEING_HOOK_SCRIPT ? [{ reloadHooks: true }] : [];
    acc.steps.unshift({ put: AGEING_HOOK, content: AGEING_HOOK_SCRIPT, mode: '0755' }, { put: `${AGEING_DIR}/${name}`, content: conf, mode: '0644' }, ...reload);
  }
  // A (re)start runs the hook; otherwise a running bridge gets the value now.
  const now = cur.ageing === null ? null : parseAgeing({ rc: 0, stdout: cur.ageing, stderr: '' });
  if (wantActive && active && !restarting && now !== ageing) {
    acc.changes.push({ property: 'bridge.ageing', before: now, after: ageing, class: 'live' });
    acc.steps.push({ run: ['ip', 'link', 'set', 'dev', bridge, 'type', 'bridge', 'ageing_time', String(cs)] });
  }
  if (wantActive && acc.steps.length > 0) acc.steps.push({ verifyAgeing: { bridge, centiseconds: cs } });
  return undefined;
}
