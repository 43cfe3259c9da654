// virt_network and virt_nic_bandwidth end to end on the lab: tsplay's own CLI against hv1's
// libvirtd 9.0, each case first changed, then changed=0, then --check planning nothing, with
// every layer (inactive XML, live XML, net-info, sysfs, domiftune, tc) dumped before and after
// --check and compared. Half-applied states are made by hand with virsh/tc, then repaired.
// A ping from hv1 into vm1 runs through every live change. Also here: modprobe on vm1 (the lab
// guests' cloud kernel has loadable modules, this machine's has none), and the remote commands
// per task of a converged --check of every virt module, counted from an strace of hv1's sshd.
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hvHost, runTool } from '../../engine/lab/lab-host.ts';
import { sshArgv } from '../../engine/lab/ssh-check.ts';
import { GUESTS, HYPERVISORS } from '../../engine/lab/topology.ts';
import { AGEING_DIR, AGEING_HOOK } from '../../engine/modules/virt/network-plan.ts';
import { networkDaemonPids, SS_ARGV } from '../../engine/modules/virt/daemon.ts';
import { parseClasses } from '../../engine/probes/tc.ts';
import { useLab } from '../helpers/lab.ts';
import { cachedImage } from '../../engine/lab/image-build.ts';
import { statePath } from '../../engine/lab/paths.ts';
import { traceCommands } from '../helpers/exec-trace.ts';
import { hvPaths } from '../../engine/lab/hv-paths.ts';
import { type Outcome, pingDuring, playOn } from './virt-play.ts';

const HV1 = HYPERVISORS[0]!;
const VM1 = GUESTS[0]!;
const MAC = VM1.macs[0];
const V = ['virsh', '-c', 'qemu:///system'];
const hv = hvHost(HV1);
const tmp = mkdtempSync(join(tmpdir(), 'tsplay-virt-lab-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function must(argv: string[]): Promise<string> {
  const r = await hv.run(argv);
  if (r.rc !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// What the lab looks like before this file touches it, and again after it: no t1, no hook, no shaping.
async function restoreLab(): Promise<void> {
  // the lab network as `lab up` used to define it (isolated, no DHCP, ageing 300), restarted with its guests re-attached if it differs
  const back = await play('virt_network', LAB(0, 300, true));
  if (back.status === 'failed') throw new Error(`restoring network lab: ${JSON.stringify(back)}`);
  await hv.run([...V, 'net-destroy', 't1']);
  await hv.run([...V, 'net-undefine', 't1']);
  await hv.run([...V, 'domiftune', 'vm1', MAC, '--inbound', '0', '--outbound', '0', '--live', '--config']);
  await hv.run(['rm', '-rf', AGEING_HOOK, AGEING_DIR]);
  for (const pid of networkDaemonPids((await hv.run(SS_ARGV)).stdout)) await hv.run(['kill', '-HUP', String(pid)]);
  await sleep(1000);
}

// the lab network as site.yml's libvirt-network role made it, then set to this file's baseline (restoreLab)
useLab(test, {
  converge: 'hypervisors',
  ready: restoreLab,
  done: async () => {
    try {
      await restoreLab();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
});

/** play runs one task through tsplay's CLI against hv1 and returns hv1's result event. */
const play = (module: string, args: Record<string, unknown>, check = false): Promise<Outcome> => playOn(tmp, 'hv1', module, args, check);

/** layers dumps every layer the two modules read or write on hv1, for before/after comparisons. */
async function layers(): Promise<Record<string, string>> {
  const taps = (await hv.run([...V, 'domiflist', 'vm1'])).stdout.match(/vnet\d+/g) ?? [];
  const cmds: Record<string, string[]> = {
    'net-list': [...V, 'net-list', '--all'],
    hook: ['sh', '-c', `cat ${AGEING_HOOK}; ls -l ${AGEING_DIR}; cat ${AGEING_DIR}/*`],
    'vm1 inactive': [...V, 'dumpxml', '--inactive', 'vm1'],
    'vm1 live': [...V, 'dumpxml', 'vm1'],
  };
  for (const n of ['t1', 'lab']) {
    cmds[`${n} inactive`] = [...V, 'net-dumpxml', '--inactive', n];
    cmds[`${n} live`] = [...V, 'net-dumpxml', n];
    cmds[`${n} info`] = [...V, 'net-info', n];
  }
  for (const br of ['t1br0', 'labbr0']) cmds[`${br} sysfs`] = ['sh', '-c', `cd /sys/class/net/${br}/bridge && cat ageing_time stp_state forward_delay`];
  for (const m of VM1.macs) {
    cmds[`domiftune ${m} live`] = [...V, 'domiftune', 'vm1', m, '--live'];
    cmds[`domiftune ${m} config`] = [...V, 'domiftune', 'vm1', m, '--config'];
  }
  for (const tap of taps) {
    cmds[`tc ${tap}`] = ['sh', '-c', `tc -j qdisc show dev ${tap}; tc -j class show dev ${tap}; tc -j filter show dev ${tap} parent ffff:; tc -j filter show dev ${tap} parent 1:`];
  }
  for (const n of ['t1', 'lab']) cmds[`${n} ports`] = [...V, 'net-port-list', n, '--uuid'];
  const out: Record<string, string> = {};
  for (const [k, argv] of Object.entries(cmds)) {
    const r = await hv.run(argv);
    out[k] = `rc=${r.rc}\n${r.stdout}${r.stderr}`;
  }
  // which bridge each port is on; not the STP port state, which moves on by itself
  const ports = JSON.parse((await hv.run(['bridge', '-j', 'link', 'show'])).stdout) as { ifname: string; master?: string }[];
  out['bridge ports'] = ports
    .map((p) => `${p.ifname}@${p.master ?? '-'}`)
    .sort()
    .join(' ');
  return out;
}

/** checkPlansNothing: --check on a converged object plans nothing and leaves every layer as it was. */
async function checkPlansNothing(t: ExecutionContext, module: string, args: Record<string, unknown>): Promise<Outcome> {
  const before = await layers();
  const c = await play(module, args, true);
  t.is(c.status, 'ok', JSON.stringify(c));
  t.deepEqual(c.changes ?? [], []);
  t.deepEqual(await layers(), before);
  return c;
}

/** converge: the first run changes, the second plans nothing, --check plans nothing and writes nothing. */
async function converge(t: ExecutionContext, module: string, args: Record<string, unknown>): Promise<Outcome> {
  const first = await play(module, args);
  t.is(first.status, 'changed', JSON.stringify(first));
  const second = await play(module, args);
  t.is(second.status, 'ok', JSON.stringify(second));
  await checkPlansNothing(t, module, args);
  return first;
}

/** checkWritesNothing: --check on a state that needs changes reports them and changes no layer. */
async function checkWritesNothing(t: ExecutionContext, module: string, args: Record<string, unknown>): Promise<Outcome> {
  const before = await layers();
  const c = await play(module, args, true);
  t.not(c.status, 'ok', 'the --check run saw the difference');
  t.deepEqual(await layers(), before);
  return c;
}

/** withPing runs fn while hv1 pings vm1 every 100 ms; returns fn's value and the pings sent and lost. */
const withPing = <T>(fn: () => Promise<T>): Promise<{ value: T; sent: number; lost: number }> => pingDuring(HV1, VM1.address, fn);

const sysfs = async (br: string): Promise<string> => (await must(['cat', `/sys/class/net/${br}/bridge/ageing_time`])).trim();
const tapOf = async (mac: string): Promise<string> =>
  (await must([...V, 'domiflist', 'vm1']))
    .split('\n')
    .find((l) => l.includes(mac))!
    .trim()
    .split(/\s+/)[0]!;

// ---- virt_network ---------------------------------------------------------------------------

const T1 = (over: { hosts?: unknown[]; dhcpEnd?: string } = {}): Record<string, unknown> => ({
  name: 't1',
  autostart: true,
  network: { cidr: '10.62.1.0/24', forward: 'none', bridge: { name: 't1br0', stp: false, delay: 0, ageing: 0 }, dhcp: { start: '10.62.1.100', end: over.dhcpEnd ?? '10.62.1.150' } },
  hosts: over.hosts ?? [{ mac: '52:54:00:62:01:01', ip: '10.62.1.11', name: 'a1' }],
});
// The restart-class change is the forward delay, not STP: with STP on, a topology change makes
// the kernel run a short ageing time for a while, so sysfs would not show the configured value.
const LAB = (delay: number, ageing: number, allow: boolean): Record<string, unknown> => ({
  name: 'lab',
  allow_restart: allow,
  network: { cidr: '10.61.1.0/24', forward: 'none', dns: false, bridge: { name: 'labbr0', stp: false, delay, ageing } },
});

test.serial('virt_network: create t1 from nothing (hook loaded by a reload), converge, --check; ageing sticks across a restart', async (t) => {
  t.timeout(5 * 60_000);
  const first = await converge(t, 'virt_network', T1());
  t.true(first.changes.some((c) => c.property === 'definition'));
  t.is(await sysfs('t1br0'), '0');
  const xml = await must([...V, 'net-dumpxml', '--inactive', 't1']);
  t.regex(xml, /<host mac='52:54:00:62:01:01' name='a1' ip='10.62.1.11'\/>/);
  t.regex(await must([...V, 'net-info', 't1']), /Autostart:\s+yes/);
  // libvirt resets ageing to 300 s at every start: the hook puts 0 back
  await must([...V, 'net-destroy', 't1']);
  await must([...V, 'net-start', 't1']);
  t.is(await sysfs('t1br0'), '0', 'the network hook re-applied ageing 0 after net-destroy/net-start');
});

test.serial('virt_network: DHCP hosts/ranges and DNS records change live and persistently (net-update), vm1 keeps answering', async (t) => {
  t.timeout(5 * 60_000);
  const args = T1({
    dhcpEnd: '10.62.1.160',
    hosts: [
      { mac: '52:54:00:62:01:01', ip: '10.62.1.12', name: 'a1' },
      { mac: '52:54:00:62:01:02', ip: '10.62.1.13', name: 'a2', dns: false },
    ],
  });
  const uuid = /<uuid>(.*)<\/uuid>/.exec(await must([...V, 'net-dumpxml', 't1']))?.[1];
  await checkWritesNothing(t, 'virt_network', args);
  const p = await withPing(() => converge(t, 'virt_network', args));
  t.true(p.value.changes.length >= 4 && p.value.changes.every((c) => c.class === 'live'), JSON.stringify(p.value.changes));
  t.true(p.lost <= 1, `ping lost ${p.lost} of ${p.sent}`);
  for (const layer of ['--inactive', '']) {
    const xml = await must([...V, 'net-dumpxml', ...(layer ? [layer] : []), 't1']);
    t.regex(xml, /<host mac='52:54:00:62:01:01' name='a1' ip='10.62.1.12'\/>/);
    t.regex(xml, /<host mac='52:54:00:62:01:02' name='a2' ip='10.62.1.13'\/>/);
    t.regex(xml, /<range start='10.62.1.100' end='10.62.1.160'\/>/);
    t.regex(xml, /<host ip='10.62.1.12'>\s*<hostname>a1<\/hostname>/);
    t.notRegex(xml, /10\.62\.1\.11/);
  }
  t.is(/<uuid>(.*)<\/uuid>/.exec(await must([...V, 'net-dumpxml', 't1']))?.[1], uuid, 'not redefined from scratch');
});

test.serial('virt_network: a DHCP host added live only, or config only, by hand is repaired in the lagging layer', async (t) => {
  t.timeout(5 * 60_000);
  const args = T1({
    dhcpEnd: '10.62.1.160',
    hosts: [
      { mac: '52:54:00:62:01:01', ip: '10.62.1.12', name: 'a1' },
      { mac: '52:54:00:62:01:02', ip: '10.62.1.13', name: 'a2', dns: false },
    ],
  });
  for (const layer of ['--live', '--config']) {
    await must([...V, 'net-update', 't1', 'add', 'ip-dhcp-host', "<host mac='52:54:00:62:01:09' ip='10.62.1.50'/>", layer]);
    const c = await checkWritesNothing(t, 'virt_network', args);
    t.deepEqual(
      c.changes.map((x) => x.property),
      [`ip-dhcp-host 52:54:00:62:01:09 (${layer.slice(2)} only)`],
    );
    await converge(t, 'virt_network', args);
    for (const l of ['--inactive', '']) t.notRegex(await must([...V, 'net-dumpxml', ...(l ? [l] : []), 't1']), /52:54:00:62:01:09/);
  }
});

test.serial('virt_network: bridge ageing on lab changes live while vm1 is pinged', async (t) => {
  t.timeout(5 * 60_000);
  const p = await withPing(() => converge(t, 'virt_network', LAB(0, 0, false)));
  t.deepEqual(p.value.changes.find((c) => c.property === 'bridge.ageing')?.class, 'live');
  t.true(p.lost <= 1, `ping lost ${p.lost} of ${p.sent}`);
  t.is(await sysfs('labbr0'), '0');
});

test.serial('virt_network: net-restart refused without allow_restart, naming vm1; allowed: restarted, taps re-attached, vm1 answers, ageing kept', async (t) => {
  t.timeout(5 * 60_000);
  const before = await layers();
  const refused = await play('virt_network', LAB(2, 0, false));
  t.is(refused.status, 'failed');
  t.regex(
    String(refused.result['msg']),
    /network lab: bridge@delay need a network restart \(net-restart\), refused without allow_restart: true; guests that lose their link: vm1 \(vnet\d+, vnet\d+, vnet\d+\)/,
  );
  t.deepEqual(await layers(), before, 'a refused restart wrote nothing');
  await checkWritesNothing(t, 'virt_network', LAB(2, 0, true));
  const taps = ((await must([...V, 'domiflist', 'vm1'])).match(/vnet\d+/g) ?? []).sort();
  const p = await withPing(() => converge(t, 'virt_network', LAB(2, 0, true)));
  t.true(
    p.value.changes.some((c) => c.property === 'bridge@delay' && c.class === 'net-restart'),
    JSON.stringify(p.value.changes),
  );
  t.deepEqual((p.value.result['guests_affected'] as { tap: string }[]).map((g) => g.tap).sort(), taps);
  t.log(`net-restart of lab with vm1 attached: ping lost ${p.lost} of ${p.sent} (100 ms apart)`);
  const ports = JSON.parse(await must(['bridge', '-j', 'link', 'show'])) as { ifname: string; master?: string }[];
  t.deepEqual(
    ports
      .filter((x) => x.master === 'labbr0')
      .map((x) => x.ifname)
      .sort(),
    taps,
  );
  t.is(await sysfs('labbr0'), '0', 'the hook kept ageing 0 across the restart');
  // libvirt knows the guests again: their ports are back (domiftune needs them, tested below)
  t.regex(await must([...V, 'net-dumpxml', 'lab']), /<network connections='3'>/);
  t.is((await must([...V, 'net-port-list', 'lab', '--uuid'])).trim().split('\n').length, 3);
  t.is((await must(['cat', '/sys/class/net/labbr0/bridge/forward_delay'])).trim(), '200');
  const after = await hv.run(['ping', '-c', '5', '-i', '0.2', '-W', '1', VM1.address]);
  t.regex(after.stdout, /5 received/, 'vm1 answers after the restart');
  // back to the lab's own definition (ageing 300 s is libvirt's default)
  const back = await play('virt_network', LAB(0, 300, true));
  t.is(back.status, 'changed', JSON.stringify(back));
  await must(['rm', '-f', `${AGEING_DIR}/lab`]);
  t.is(await sysfs('labbr0'), '30000');
  t.regex((await hv.run(['ping', '-c', '3', '-i', '0.2', '-W', '1', VM1.address])).stdout, /3 received/);
});

test.serial('virt_network: lab restarted by hand (virsh net-destroy/net-start) leaves vm1 cut off; --check sees it, apply re-attaches live, vm1 answers', async (t) => {
  t.timeout(5 * 60_000);
  await play('virt_network', LAB(0, 300, false));
  await must([...V, 'net-destroy', 'lab']);
  await must([...V, 'net-start', 'lab']);
  const cut = await hv.run(['ping', '-c', '3', '-i', '0.2', '-W', '1', VM1.address]);
  t.not(cut.rc, 0, 'libvirt left vm1 off the restarted bridge');
  const c = await checkWritesNothing(t, 'virt_network', LAB(0, 300, false));
  t.deepEqual(
    c.changes.map((x) => [x.property, x.class]),
    [['guest ports', 'live']],
  );
  const r = await converge(t, 'virt_network', LAB(0, 300, false));
  t.deepEqual(r.changes, c.changes);
  t.is((await hv.run(['ping', '-c', '3', '-i', '0.2', '-W', '1', VM1.address])).rc, 0, 'vm1 answers again');
  t.is((await must([...V, 'net-port-list', 'lab', '--uuid'])).trim().split('\n').length, 3, "libvirt has vm1's three ports again");
});

test.serial("virt_network: a virsh failure names the object and virsh's own message", async (t) => {
  const r = await play('virt_network', { name: 't2', network: { cidr: '10.62.2.0/24', forward: 'none', bridge: { name: 'labbr0' } } });
  t.is(r.status, 'failed');
  t.regex(String(r.result['msg']), /^hv1: network t2: virsh .*net-(define|start).*: exit 1: error: .*labbr0/s);
  await hv.run([...V, 'net-undefine', 't2']);
});

// ---- virt_nic_bandwidth ---------------------------------------------------------------------

const BW = (bandwidth: Record<string, unknown>): Record<string, unknown> => ({ domain: 'vm1', mac: MAC, bandwidth });
const A = { inbound: { average: 128, peak: 256, burst: 64 }, outbound: { average: 128 } };
const B = { inbound: { average: 256 }, outbound: { average: 64, peak: 128, burst: 32 } };

async function classRate(tap: string): Promise<number | null | undefined> {
  return parseClasses(await hv.run(['tc', '-j', 'class', 'show', 'dev', tap])).find((c) => c.handle === '1:1')?.rateBps;
}

test.serial('virt_nic_bandwidth: shape vm1 eth0 from nothing, then change it, both live while vm1 is pinged', async (t) => {
  t.timeout(5 * 60_000);
  await checkWritesNothing(t, 'virt_nic_bandwidth', BW(A));
  for (const bw of [A, B]) {
    const p = await withPing(() => converge(t, 'virt_nic_bandwidth', BW(bw)));
    t.true(
      p.value.changes.every((c) => c.class === 'live'),
      JSON.stringify(p.value.changes),
    );
    t.true(p.lost <= 1, `ping lost ${p.lost} of ${p.sent}`);
  }
  const tap = await tapOf(MAC);
  t.is(await classRate(tap), 256_000);
  t.regex(await must([...V, 'domiftune', 'vm1', MAC, '--config']), /outbound.average: 64\noutbound.peak {2}: 128\noutbound.burst : 32/);
});

const HALF: [string, (tap: string) => string[][], string][] = [
  ['config cleared (live set, config not)', () => [[...V, 'domiftune', 'vm1', MAC, '--config', '--inbound', '0', '--outbound', '0']], 'inbound (config only)'],
  ['live cleared (config set, live not)', () => [[...V, 'domiftune', 'vm1', MAC, '--live', '--inbound', '0', '--outbound', '0']], 'inbound (live only)'],
  ['tc class rate changed by hand', (tap) => [['tc', 'class', 'change', 'dev', tap, 'classid', '1:1', 'htb', 'rate', '500kbit']], 'tc on TAP'],
  ['root htb deleted by hand (half-built tc)', (tap) => [['tc', 'qdisc', 'del', 'dev', tap, 'root']], 'tc on TAP'],
  ['ingress deleted by hand', (tap) => [['tc', 'qdisc', 'del', 'dev', tap, 'ingress']], 'tc on TAP'],
];

for (const [name, make, property] of HALF) {
  test.serial(`virt_nic_bandwidth: half-applied, ${name}: --check reports it, apply repairs it`, async (t) => {
    t.timeout(5 * 60_000);
    const tap = await tapOf(MAC);
    for (const argv of make(tap)) await must(argv);
    const c = await checkWritesNothing(t, 'virt_nic_bandwidth', BW(B));
    t.true(
      c.changes.some((x) => x.property === property.replace('TAP', tap)),
      JSON.stringify(c.changes),
    );
    await converge(t, 'virt_nic_bandwidth', BW(B));
    t.is(await classRate(tap), 256_000);
  });
}

test.serial("virt_nic_bandwidth: htb and ingress left on an unshaped tap (a failed domiftune) go, libvirt's noqueue root comes back", async (t) => {
  t.timeout(5 * 60_000);
  await converge(t, 'virt_nic_bandwidth', BW({}));
  const tap = await tapOf(MAC);
  await must(['tc', 'qdisc', 'replace', 'dev', tap, 'root', 'handle', '1:', 'htb', 'default', '1']);
  await must(['tc', 'class', 'add', 'dev', tap, 'parent', '1:', 'classid', '1:1', 'htb', 'rate', '1024kbit']);
  await must(['tc', 'qdisc', 'add', 'dev', tap, 'ingress']);
  const c = await checkWritesNothing(t, 'virt_nic_bandwidth', BW({}));
  t.deepEqual(c.changes[0]?.before, ['root htb 1: left on the tap', 'ingress qdisc left on the tap']);
  await converge(t, 'virt_nic_bandwidth', BW({}));
  const q = JSON.parse(await must(['tc', '-j', 'qdisc', 'show', 'dev', tap])) as { kind: string; parent?: string }[];
  t.deepEqual(
    q.map((x) => x.kind),
    ['noqueue'],
  );
});

// ---- modprobe --------------------------------------------------------------------------------
// This machine's kernel has no loadable modules; the lab guests run Debian's cloud kernel, which
// has them. dummy's numdummies is not in sysfs (mode 0): the dummy links it creates show it.

const onVm1 = async (script: string): Promise<string> => {
  const r = await runTool(sshArgv('vm1', ['sh', '-c', script]), { timeoutMs: 60_000 });
  if (r.rc !== 0) throw new Error(`vm1: ${script}: ${r.stderr}`);
  return r.stdout;
};
const DUMMY = '/etc/modules-load.d/dummy.conf /etc/modprobe.d/dummy.conf';
const modLayers = (): Promise<string> =>
  onVm1(`echo "loaded $(grep -c '^dummy ' /proc/modules)"; echo "links $(ip -o link show type dummy | wc -l)"; for f in ${DUMMY}; do echo "== $f"; cat "$f" 2>/dev/null; done; true`);
const playVm1 = (args: Record<string, unknown>, check = false): Promise<Outcome> => playOn(tmp, 'vm1', 'modprobe', args, check);

test.serial("modprobe on vm1's cloud kernel: dummy with numdummies=3 loaded and persisted, changed=0, --check writes nothing, absent unloads", async (t) => {
  t.timeout(5 * 60_000);
  await onVm1(`modprobe -r dummy; rm -f ${DUMMY}`);
  try {
    const load = { name: 'dummy', params: 'numdummies=3', persistent: 'present' };
    const bare = await modLayers();
    t.regex(bare, /loaded 0\nlinks 0\n/);
    const c = await playVm1(load, true);
    t.is(c.status, 'changed', JSON.stringify(c));
    t.deepEqual(
      c.changes.map((x) => [x.property, x.class]),
      [
        ['loaded', 'live'],
        ['load at boot', 'live'],
        ['options at boot', 'live'],
      ],
    );
    t.is(await modLayers(), bare, '--check loaded and wrote nothing');
    const r = await playVm1(load);
    t.is(r.status, 'changed', JSON.stringify(r));
    const loaded = await modLayers();
    t.is(loaded, 'loaded 1\nlinks 3\n== /etc/modules-load.d/dummy.conf\ndummy\n== /etc/modprobe.d/dummy.conf\noptions dummy numdummies=3\n');
    t.is((await playVm1(load)).status, 'ok');
    const again = await playVm1(load, true);
    t.is(again.status, 'ok', JSON.stringify(again));
    t.is(await modLayers(), loaded);
    const gone = { name: 'dummy', state: 'absent', persistent: 'absent' };
    const cg = await playVm1(gone, true);
    t.is(cg.status, 'changed', JSON.stringify(cg));
    t.is(await modLayers(), loaded, '--check unloaded and wrote nothing');
    const u = await playVm1(gone);
    t.is(u.status, 'changed', JSON.stringify(u));
    t.is(await modLayers(), 'loaded 0\nlinks 0\n== /etc/modules-load.d/dummy.conf\n#dummy\n== /etc/modprobe.d/dummy.conf\n#options dummy numdummies=3\n');
    t.is((await playVm1(gone)).status, 'ok');
  } finally {
    await onVm1(`modprobe -r dummy; rm -f ${DUMMY}`);
  }
});

test.serial('--check on the converged network + bandwidth tasks: time and remote commands', async (t) => {
  await play('virt_network', T1());
  await play('virt_nic_bandwidth', BW(A));
  const times: Record<string, number[]> = { virt_network: [], virt_nic_bandwidth: [] };
  for (let i = 0; i < 5; i++) {
    const n = await checkPlansNothing(t, 'virt_network', T1());
    const b = await checkPlansNothing(t, 'virt_nic_bandwidth', BW(A));
    times['virt_network']!.push(n.durationMs);
    times['virt_nic_bandwidth']!.push(b.durationMs);
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  t.log(`--check converged, task duration median of 5 (ms): virt_network ${med(times['virt_network']!)}, virt_nic_bandwidth ${med(times['virt_nic_bandwidth']!)}`);
});

test.serial('--check of every virt module on hv1 with two guests running: remote commands per task (strace of hv1 sshd) and time', async (t) => {
  t.timeout(10 * 60_000);
  // a second running guest on hv1, from the lab's base image (its boot is not awaited)
  const image = cachedImage()!;
  const dir = statePath('guests', 't-cnt');
  const second = {
    name: 't-cnt',
    mode: 'image',
    type: 'qemu',
    machine: 'pc',
    memory: 256,
    vcpus: 1,
    tb_cache: 32,
    memballoon: false,
    image: { base: image.disk, overlay: join(dir, 'disk.qcow2') },
    boot: { kernel: image.kernel, initrd: image.initrd, cmdline: 'root=/dev/vda rw console=ttyS0' },
    nics: [{ name: 'eth0', mac: '52:54:00:61:01:50', network: HV1.network }],
  };
  const made = await play('virt_install', second);
  t.is(made.status, 'changed', JSON.stringify(made));
  try {
    // converged first: run alone, this test finds lab without its ageing hook and t1 undefined
    await play('virt_network', LAB(0, 300, false));
    await play('virt_network', T1());
    await play('virt_nic_bandwidth', BW(A));
    const tasks: [string, string, Record<string, unknown>][] = [
      ['virt_network lab (2 guests on it)', 'virt_network', LAB(0, 300, false)],
      ['virt_network t1 (DHCP host, DNS, ageing hook)', 'virt_network', T1()],
      ['virt_domain vm1', 'virt_domain', { name: 'vm1', state: 'running' }],
      ['virt_domain t-cnt', 'virt_domain', { name: 't-cnt', state: 'running' }],
      ['virt_nic_bandwidth vm1 eth0', 'virt_nic_bandwidth', BW(A)],
      ['virt_install t-cnt (exists)', 'virt_install', second],
    ];
    const lines: string[] = [];
    for (const [label, module, args] of tasks) {
      const r = await traceCommands(Number(readFileSync(hvPaths(HV1).sshdPid, 'utf8')), () => play(module, args, true));
      t.is(r.value.status, 'ok', `${label}: ${JSON.stringify(r.value)}`);
      t.deepEqual(r.value.changes ?? [], [], label);
      t.true(r.commands.length > 0, `${label}: the trace saw the read`);
      const names = r.commands.map((c) => (c[0] === 'virsh' ? `virsh ${c.slice(1).find((w) => !w.startsWith('-') && w !== 'qemu:///system')}` : c.slice(0, c[0] === 'sh' ? 1 : 2).join(' ')));
      lines.push(`${label}: ${r.commands.length} commands, task ${r.value.durationMs} ms (${names.join(', ')})`);
    }
    // the six tasks as one play, as a user runs it: the wall time of the whole CLI run
    const book = join(tmp, 'all-virt.json');
    writeFileSync(book, JSON.stringify([{ hosts: 'hv1', gather_facts: false, tasks: tasks.map(([name, module, args]) => ({ name, [module]: args })) }]));
    const t0 = Date.now();
    const all = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'tsplay.js'), book, '-i', join(import.meta.dirname, '..', '..', 'inventories', 'lab'), '-C', '-D'], {
      encoding: 'utf8',
    });
    const wall = Date.now() - t0;
    t.is(all.status, 0, all.stdout + all.stderr);
    t.regex(all.stdout, /hv1\s*: ok=6\s+changed=0/);
    t.notRegex(all.stdout, /^[-+]/m, '--check --diff on the converged hypervisor prints no diff');
    lines.push(`all six in one play, -C -D: ${wall} ms wall (CLI start to exit)`);
    t.log(`--check, converged, hv1 with vm1 and t-cnt running; remote commands per task measured with strace -ff on hv1's sshd:\n${lines.join('\n')}`);
  } finally {
    await hv.run([...V, 'destroy', 't-cnt']);
    await hv.run([...V, 'undefine', 't-cnt']);
    rmSync(dir, { recursive: true, force: true });
  }
});
