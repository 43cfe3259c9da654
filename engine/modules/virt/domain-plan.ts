// The pure plan of virt_domain: the desired domain against `dumpxml --inactive` (config),
// `dumpxml` (running) and `domstate`/`dominfo`, each change with its class: NIC link, hot-plug
// and bandwidth live; everything else written for the next start (pending restart); machine
// type, architecture and domain type only through a restart the task must allow.
import { parseDominfo, parseDomstate, virshArgv } from '../../probes/virsh.ts';
import { z } from 'zod';
import { abool, astr, moduleArgs } from '../support/args.ts';
import type { Change, Plan, PlanContext } from '../types.ts';
import { tuneWords } from './bandwidth-plan.ts';
import { domainShape, specProblems, type DomainSpec } from './domain-args.ts';
import type { DomainPayload, DomainStep } from './domain-steps.ts';
import { adoptMacs, buildDomainTree, deviceNode, fillFrom, interfacesOf, normalizeDomain, subsetDiff, undescribed, type IfaceState } from './domain-xml.ts';
import { buildXml, kid, parseXmlRoot, textOf, type XNode } from './xml-tree.ts';

/** domainArgsSchema is virt_domain's argument schema: a description (or a full xml) and the lifecycle. */
export const domainArgsSchema = moduleArgs(
  {
    ...domainShape,
    xml: astr,
    state: z.enum(['running', 'shutoff', 'absent']),
    autostart: abool,
    /** a change only a restart applies (machine type) is refused without it */
    allow_restart: abool,
    /** seconds a graceful shutdown may take before the domain is destroyed */
    shutdown_timeout: z.number().int().min(0).max(3600),
    /** absent: also drop managed save, snapshot/checkpoint metadata and nvram (Ansible's virt `force`) */
    force: abool,
  },
  {
    required: ['name'],
    exclusive: [
      ['xml', 'memory'],
      ['xml', 'nics'],
      ['xml', 'disks'],
      ['xml', 'boot'],
      ['xml', 'vcpus'],
    ],
    custom: specProblems,
  },
);

/** DomainArgs are virt_domain's checked arguments. */
export type DomainArgs = z.output<typeof domainArgsSchema>;

/** DomainCurrent is what read found, as virsh printed it. */
export interface DomainCurrent {
  /** `virsh domstate --reason DOM`: stdout, or null when the domain does not exist */
  readonly domstate: string | null;
  readonly inactive: string | null;
  /** `virsh dumpxml DOM` while it runs */
  readonly live: string | null;
  readonly dominfo: string | null;
  /** a virsh failure other than "no such domain": its own message */
  readonly error?: string | null | undefined;
}

const out = (text: string) => ({ rc: 0, stdout: text, stderr: '' });
const RESTART = [/^@type$/, /^os\.type@(machine|arch)$/];
/** UNDEFINE_FORCE are the flags Ansible's virt module passes for `force: true` (23 = 1+2+4+16). */
export const UNDEFINE_FORCE = ['--managed-save', '--snapshots-metadata', '--nvram', '--checkpoints-metadata'];

type Layer = 'live' | 'config';
interface NicOp {
  readonly kind: 'attach' | 'detach' | 'update' | 'setlink' | 'tune';
  readonly mac: string;
  readonly property: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly xml?: string;
  readonly link?: 'up' | 'down';
  readonly tune?: { inbound: string; outbound: string };
  readonly layers: Set<Layer>;
}

const bwOf = (i: IfaceState | undefined) => (i ? { inbound: i.inbound, outbound: i.outbound } : null);
const xmlOf = (n: XNode): string => buildXml('interface', n).trim();

// The operations that turn one layer's NICs into the desired ones (matched by MAC).
function nicOps(want: IfaceState[], have: IfaceState[], layer: Layer, ops: Map<string, NicOp>): void {
  const add = (op: Omit<NicOp, 'layers'>): void => {
    const k = `${op.kind} ${op.mac} ${JSON.stringify(op.after)}`;
    const e = ops.get(k) ?? { ...op, layers: new Set<Layer>() };
    e.layers.add(layer);
    ops.set(k, e);
  };
  for (const w of want) {
    const h = have.find((x) => x.mac === w.mac);
    const iface = `interface ${w.mac}`;
    if (!h || h.model !== w.model) {
      // a new NIC, or a model change: libvirt cannot change a model in place, so unplug and plug
      if (h) add({ kind: 'detach', mac: w.mac, property: `${iface} model`, before: h.model, after: w.model, xml: xmlOf(deviceNode(h)) });
      add({
        kind: 'attach',
        mac: w.mac,
        property: h ? `${iface} (re-plugged)` : iface,
        before: h ? 'unplugged' : null,
        after: { network: w.network, model: w.model, link: w.link },
        xml: xmlOf(w.node),
      });
      continue;
    }
    if (h.network !== w.network) add({ kind: 'update', mac: w.mac, property: `${iface} network`, before: h.network, after: w.network, xml: xmlOf(w.node) });
    if (h.link !== w.link) add({ kind: 'setlink', mac: w.mac, property: `${iface} link`, before: h.link, after: w.link, link: w.link });
    if (JSON.stringify(bwOf(h)) !== JSON.stringify(bwOf(w))) {
      add({ kind: 'tune', mac: w.mac, property: `${iface} bandwidth`, before: bwOf(h), after: bwOf(w), tune: { inbound: tuneWords(w.inbound), outbound: tuneWords(w.outbound) } });
    }
  }
  for (const h of have) {
    if (!want.some((w) => w.mac === h.mac)) add({ kind: 'detach', mac: h.mac, property: `interface ${h.mac}`, before: { network: h.network, model: h.model }, after: null, xml: xmlOf(deviceNode(h)) });
  }
}

function opSteps(name: string, op: NicOp, layers: Set<Layer>): DomainStep[] {
  const flags = [...(layers.has('live') ? ['--live'] : []), ...(layers.has('config') ? ['--config'] : [])];
  switch (op.kind) {
    case 'attach':
      return [{ run: virshArgv('attach-device', name, '/dev/stdin', ...flags), stdin: op.xml! }];
    case 'detach':
      return [{ run: virshArgv('detach-device', name, '/dev/stdin', ...flags), stdin: op.xml! }];
    case 'update':
      return [{ run: virshArgv('update-device', name, '/dev/stdin', ...flags), stdin: op.xml! }];
    case 'tune':
      return [{ run: virshArgv('domiftune', name, op.mac, '--inbound', op.tune!.inbound, '--outbound', op.tune!.outbound, ...flags) }];
    // domif-setlink has no --live: without --config it changes the running domain
    case 'setlink':
      return [...layers].sort().map((l): DomainStep => ({ run: virshArgv('domif-setlink', name, op.mac, op.link!, ...(l === 'config' ? ['--config'] : [])) }));
  }
}

const SHAPE_KEYS = Object.keys(domainShape).filter((k) => k !== 'name');

function desiredTree(args: DomainArgs): XNode | string | null {
  // only a name and a state: the definition is not the task's business
  if (args.xml === undefined && !SHAPE_KEYS.some((k) => (args as Record<string, unknown>)[k] !== undefined)) return null;
  if (args.xml === undefined) return buildDomainTree(args as DomainSpec);
  const root = parseXmlRoot(args.xml, 'domain');
  if (!root) return 'xml has no <domain> element';
  const named = textOf(kid(root, 'name'));
  if (named !== args.name) return `xml names the domain ${JSON.stringify(named)}, the task ${JSON.stringify(args.name)}`;
  return root;
}

/** planDomain is the pure plan of virt_domain. */
export function planDomain(args: DomainArgs, cur: DomainCurrent, ctx: Pick<PlanContext, 'host'>): Plan<DomainPayload> {
  const name = args.name;
  const where = `host ${ctx.host}: domain ${name}`;
  const want = args.state ?? 'running';
  const timeout = args.shutdown_timeout ?? 120;
  if (cur.error) return { changes: [], failed: true, msg: `${where}: ${cur.error}` };
  const ds = cur.domstate === null ? undefined : parseDomstate(out(cur.domstate));
  const state = ds?.state;
  const running = state !== undefined && state !== 'shut off' && state !== 'crashed';
  const changes: Change[] = [];
  const steps: DomainStep[] = [];
  const result: Record<string, unknown> = { domain: name, state: state ?? 'absent' };

  if (want === 'absent') {
    if (ds === undefined) return { changes, reason: `domain ${name} does not exist`, result };
    const disks =
      cur.inactive === null
        ? []
        : ((kid(parseXmlRoot(cur.inactive, 'domain'), 'devices')?.['disk'] as XNode[] | undefined) ?? [])
            .map((d) => kid(d, 'source')?.['@file'] as string | undefined)
            .filter((f): f is string => f !== undefined);
    changes.push({ property: 'state', before: state, after: 'absent', class: 'live' });
    if (running) steps.push({ stop: { domain: name, timeout } });
    // Ansible's virt never deletes storage: the disks stay, and only `force` drops the metadata
    steps.push({ run: virshArgv('undefine', name, ...(args.force ? UNDEFINE_FORCE : [])) });
    return { changes, result: { ...result, disks_kept: disks }, payload: { steps } };
  }

  const desired = desiredTree(args);
  if (typeof desired === 'string') return { changes, failed: true, msg: `${where}: ${desired}` };
  if (desired === null && ds === undefined) return { changes, failed: true, msg: `${where}: does not exist, and the task describes no domain to define` };
  const pending: string[] = [];
  if (desired !== null) {
    const refused = planDefinition(args, cur, desired, { where, want, running, timeout }, changes, steps, pending);
    if (refused) return { ...refused, result };
  }

  planDomainState({ name, want, state, running, timeout, autostart: args.autostart, dominfo: cur.dominfo }, changes, steps);
  if (pending.length > 0 && want === 'running') result['pending_restart'] = pending;
  if (changes.length === 0) return { changes, reason: `domain ${name} is ${state} as described (libvirt-added uuid, addresses and defaults ignored)`, result };
  return { changes, result, payload: { steps } };
}

/** planDefinition compares the described domain with the existing one (both layers) and adds the changes and steps; it returns a refusal when one needs a restart the task does not allow. */
function planDefinition(
  args: DomainArgs,
  cur: DomainCurrent,
  desired: XNode,
  d: { where: string; want: string; running: boolean; timeout: number },
  changes: Change[],
  steps: DomainStep[],
  pending: string[],
): { changes: Change[]; failed: true; msg: string } | undefined {
  const { where, want, running, timeout } = d;
  const name = args.name;
  // a task that leaves out the boot, disks or NICs keeps them as they are
  const keep = args.xml === undefined ? undescribed(args as DomainSpec) : new Set<string>();
  normalizeDomain(desired);
  const existing = cur.inactive === null ? undefined : parseXmlRoot(cur.inactive, 'domain');
  if (existing) normalizeDomain(existing);
  const wantUuid = textOf(kid(desired, 'uuid'));
  if (existing && wantUuid !== '' && wantUuid !== textOf(kid(existing, 'uuid'))) {
    return { changes, failed: true, msg: `${where}: xml has uuid ${wantUuid}, the existing domain ${textOf(kid(existing, 'uuid'))}; refusing to redefine it` };
  }
  adoptMacs(desired, existing);
  if (!existing) {
    if (desired['@type'] === undefined) desired['@type'] = 'kvm';
    // started in this same task: it takes effect now; defined only, no running copy waits for it
    changes.push({ property: 'definition', before: null, after: name, ...(want === 'running' ? { class: 'live' } : { class: 'config', idle: true }) });
    steps.push({ run: virshArgv('define', '/dev/stdin'), stdin: buildXml('domain', desired) });
    return undefined;
  }
  const rest = subsetDiff(desired, existing, true, keep);
  const ops = new Map<string, NicOp>();
  const liveRoot = running && cur.live !== null ? parseXmlRoot(cur.live, 'domain') : undefined;
  if (!keep.has('devices/interface')) {
    const wantIfs = interfacesOf(desired);
    nicOps(wantIfs, interfacesOf(existing), 'config', ops);
    if (liveRoot) nicOps(wantIfs, interfacesOf(normalizeDomain(liveRoot)), 'live', ops);
  }
  // what the running domain already has (the config put back as it runs) waits for no restart
  const liveDiff = liveRoot ? new Set(subsetDiff(desired, normalizeDomain(structuredClone(liveRoot)), true, keep).map((c) => c.property)) : undefined;
  const inEffect = new Set(liveDiff ? rest.map((c) => c.property).filter((p) => !liveDiff.has(p)) : []);
  const isHard = (c: Change): boolean => RESTART.some((r) => r.test(c.property));
  // a guest that is being stopped anyway takes them at its next start
  const stopping = want === 'shutoff';
  // only a running guest that this task neither stops nor restarts keeps its old definition
  const idle = !running || stopping || rest.some(isHard) ? { idle: true as const } : {};
  const restChanges = rest.map((c): Change => (isHard(c) ? { ...c, class: 'restart' } : inEffect.has(c.property) ? { ...c, class: 'live' } : { ...c, class: 'config', ...idle }));
  const hard = restChanges.filter((c) => c.class === 'restart');
  if (hard.length > 0 && running && !stopping && !args.allow_restart) {
    return { changes: restChanges, failed: true, msg: `${where}: ${hard.map((c) => c.property).join(', ')} only change through a restart of the guest, refused without allow_restart: true` };
  }
  const restarting = hard.length > 0 && running && !stopping;
  changes.push(...restChanges);
  if (rest.length > 0) steps.push({ run: virshArgv('define', '/dev/stdin'), stdin: buildXml('domain', fillFrom(desired, existing, keep)) });
  for (const op of ops.values()) {
    const lag = !liveRoot || op.layers.size === 2 ? '' : op.layers.has('live') ? ' (live only)' : ' (config only)';
    // config alone: the running guest already has it, or none runs; nothing waits for a restart
    changes.push({ property: `${op.property}${lag}`, before: op.before, after: op.after, ...(op.layers.has('live') ? { class: 'live' } : { class: 'config', idle: true }) });
    // a redefinition already carries the config side; a restart applies it
    const layers = new Set([...op.layers].filter((l) => !(l === 'config' && rest.length > 0) && !(l === 'live' && restarting)));
    if (layers.size > 0) steps.push(...opSteps(name, op, layers));
  }
  if (running && !restarting && !stopping) pending.push(...restChanges.filter((c) => c.class !== 'live').map((c) => c.property));
  if (restarting) steps.push({ stop: { domain: name, timeout } }, { run: virshArgv('start', name) });
  return undefined;
}

/** planDomainState moves the domain to the wanted run state (start, resume, graceful stop) and sets autostart. */
function planDomainState(
  d: { name: string; want: string; state: string | undefined; running: boolean; timeout: number; autostart: boolean | undefined; dominfo: string | null },
  changes: Change[],
  steps: DomainStep[],
): void {
  const { name, want, state, running, timeout } = d;
  if (want === 'running' && !running) {
    changes.push({ property: 'state', before: state ?? 'absent', after: 'running', class: 'live' });
    steps.push({ run: virshArgv('start', name) });
  } else if (want === 'running' && state === 'paused') {
    changes.push({ property: 'state', before: 'paused', after: 'running', class: 'live' });
    steps.push({ run: virshArgv('resume', name) });
  } else if (want === 'shutoff' && running) {
    changes.push({ property: 'state', before: state, after: 'shut off', class: 'live' });
    steps.push({ stop: { domain: name, timeout } });
  }
  const autostartNow = d.dominfo === null ? false : parseDominfo(out(d.dominfo)).autostart;
  if (d.autostart !== undefined && d.autostart !== autostartNow) {
    changes.push({ property: 'autostart', before: autostartNow, after: d.autostart, class: 'live' });
    steps.push({ run: virshArgv('autostart', name, ...(d.autostart ? [] : ['--disable'])) });
  }
}
