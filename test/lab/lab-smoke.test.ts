// Lab smoke test: the whole lab from scratch, for real (TCG guests, libvirtd in namespaces).
// Figures are printed with t.log (bench/RESULTS.md takes them from there).
import test from 'ava';
import net from 'node:net';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { labDown } from '../../engine/lab/lab-down.ts';
import { labStatus } from '../../engine/lab/lab-status.ts';
import { labUp } from '../../engine/lab/lab-up.ts';
import { hvPaths, NS_DIR } from '../../engine/lab/hv-paths.ts';
import { runTool } from '../../engine/lab/lab-host.ts';
import { GUESTS, HYPERVISORS } from '../../engine/lab/topology.ts';
import { shQuote } from '../../engine/connection/quote.ts';
import { readProbes, virsh, tc, ip, bridge, nmcli, teamdctl, systemctl } from '../../engine/probes/index.ts';
import type { Connection } from '../../engine/connection/types.ts';
import { closeAll, connectionKind, labConnection } from './lab-connection.ts';
import { measureKiBps, startThroughputServer } from './throughput.ts';
import { assertLabAnswers, convergeLab, useLab } from '../helpers/lab.ts';
import { hvDaemonPid } from '../../engine/lab/hv-daemons.ts';

const vm1 = GUESTS[0]!;
const hv1spec = HYPERVISORS[0]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const conn = (host: string): Connection => labConnection(host);

// the tests below bring the lab down and up themselves; the fixture holds the lock around them
useLab(test, { converge: 'none', done: closeAll });

// what lab up reported about tc, kept for the <bandwidth> test: with the adapter the tc log must exist
let adaptedTc: boolean | undefined;

test.serial('a failed lab up names the step and the cause, and cleans up what it started', async (t) => {
  await labDown(() => undefined);
  // occupy hv1's loopback port: the relay step must fail after the namespace and sshd exist
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(hv1spec.sshPort, '127.0.0.1', r));
  try {
    const err = await t.throwsAsync(labUp(() => undefined));
    t.regex(err?.message ?? '', /lab step "relay" failed: cannot listen on 127\.0\.0\.1:2201: .*EADDRINUSE/);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
  const ns = await runTool(['ip', 'netns', 'list']);
  t.false(/tsplay-/.test(ns.stdout), ns.stdout);
  // the sshd that step "sshd" had started is gone too (found by its lab-only config path)
  const sshds = await runTool(['sh', '-c', "grep -l 'tsplay-lab/hv[1]/sshd_config' /proc/[0-9]*/cmdline 2>/dev/null || true"]);
  t.is(sshds.stdout.trim(), '');
});

test.serial('lab up from scratch: every host answers ssh, guests through their hypervisor', async (t) => {
  t.timeout(15 * 60_000);
  await labDown(() => undefined);
  const r = await labUp((m) => t.log(m));
  adaptedTc = r.adaptedTc;
  // the guests are site.yml's (its hypervisor play): lab up only provides the hypervisors and the image
  const site = await convergeLab('hypervisors', (m) => t.log(m));
  t.log(`lab up ${r.seconds.toFixed(0)} s; image ${r.image.built ? `built in ${r.image.seconds.toFixed(0)} s` : 'cached'}; site.yml hypervisors ${site?.seconds.toFixed(0)} s`);
  const rows = await assertLabAnswers(t);
  const h = await conn('vm1').run(['cat', '/etc/hostname']);
  t.is(h.stdout.trim(), 'vm1');
  t.log(`lab driven with: ${connectionKind}`);
  // engine/connection exists, so the OpenSSH fallback would mean its import broke
  t.is(connectionKind, 'tsplay engine/connection');
  // the guest is reachable only inside hv1's namespace: its address is not routable from here
  const direct = await runTool(['ping', '-c', '1', '-W', '1', vm1.address]);
  t.not(direct.rc, 0);
  const mem = await runTool([
    'sh',
    '-c',
    `ps -o rss= -p ${rows
      .flatMap((x) => Object.values(x.pids))
      .filter(Boolean)
      .join(',')} | awk '{s+=$1} END {print s}'`,
  ]);
  t.log(`lab memory (RSS of relays, sshds, virtlogds, libvirtds, qemus): ${(Number(mem.stdout) / 1024).toFixed(0)} MiB`);
});

test.serial("each hypervisor has its own /var/lib/tsplay (vm3's kickstart only on hv2, in hv2's state dir) and libvirt's /var/lib/libvirt/boot", async (t) => {
  // site.yml's hypervisor play (the test above) wrote vm3's kickstart on hv2 (its `hypervisor`)
  const files = async (h: string): Promise<string> => (await conn(h).run(['find', '/var/lib/tsplay', '-type', 'f'])).stdout.trim();
  t.is(await files('hv2'), '/var/lib/tsplay/kickstart/vm3/vm3.ks');
  t.is(await files('hv1'), '');
  // the very file in hv2's own folder (same inode), not the machine's /var/lib/tsplay, which both hypervisors would share
  const own = `${hvPaths(HYPERVISORS[1]!).ownVar('/var/lib/tsplay')}/kickstart/vm3/vm3.ks`;
  t.is((await conn('hv2').run(['stat', '-c', '%i', '/var/lib/tsplay/kickstart/vm3/vm3.ks'])).stdout.trim(), String(statSync(own).ino));
  for (const h of HYPERVISORS) t.is((await conn(h.name).run(['stat', '-c', '%a %U', '/var/lib/libvirt/boot'])).stdout.trim(), '711 root', `${h.name}: as libvirt's package ships it`);
});

test.serial('every probe parses live output of the running lab (one batch per host)', async (t) => {
  const hv = await readProbes(conn('hv1'), {
    list: virsh.listProbe(),
    info: virsh.dominfoProbe('vm1'),
    state: virsh.domstateProbe('vm1'),
    ifaces: virsh.domiflistProbe('vm1'),
    xml: virsh.dumpxmlProbe('vm1'),
    nets: virsh.netListProbe(),
    netxml: virsh.netDumpxmlProbe('lab'),
    netinfo: virsh.netInfoProbe('lab'),
    leases: virsh.dhcpLeasesProbe('lab'),
    tune: virsh.domiftuneProbe('vm1', vm1.macs[0]),
    links: ip.linkProbe(),
    addrs: ip.addrProbe('labbr0'),
    fdb: bridge.fdbProbe('labbr0'),
    ports: bridge.bridgeLinkProbe(),
    ageing: bridge.ageingProbe('labbr0'),
    qdisc: tc.qdiscProbe('labbr0'),
  });
  t.deepEqual(hv.list, [{ id: hv.list[0]?.id ?? null, name: 'vm1', state: 'running' }]);
  t.is(hv.info.state, 'running');
  t.is(hv.info.maxMemoryKiB, 768 * 1024);
  t.deepEqual(hv.state, { exists: true, state: 'running', reason: 'booted' });
  t.deepEqual(
    hv.ifaces.map((i) => i.mac),
    [...vm1.macs],
  );
  t.is(hv.xml.type, 'qemu');
  t.deepEqual(
    hv.xml.interfaces.map((i) => i.inbound),
    [null, null, null],
  );
  // the libvirt-network role makes the inventory's `lab` network: autostarted, DNS on (the guests' names), ageing 0
  t.deepEqual(hv.nets, [{ name: 'lab', active: true, autostart: true, persistent: true }]);
  t.is(hv.netxml.forwardMode, null);
  t.true(hv.netxml.dnsEnabled);
  t.true(hv.netinfo.active);
  t.deepEqual(hv.leases, []);
  t.is(hv.tune.inbound.average, 0);
  const taps = hv.ifaces.map((i) => i.target);
  t.deepEqual(hv.ports.map((p) => p.ifname).sort(), [...taps].sort());
  t.true(hv.links.some((l) => l.ifname === 'labbr0' && l.linkType === 'ether'));
  t.deepEqual(
    hv.addrs[0]?.addrs.map((a) => a.local),
    [hv1spec.bridgeAddress],
  );
  // ageing 0 (the network description) learns nothing for long: the tap's own permanent entry is what stays
  t.true(
    hv.fdb.some((e) => e.ifname === taps[0] && e.mac === `fe${vm1.macs[0].slice(2)}` && e.state === 'permanent'),
    JSON.stringify(hv.fdb),
  );
  t.is(hv.ageing, 0);
  t.is(hv.qdisc[0]?.kind, 'noqueue');
  const g = await readProbes(conn('vm1'), {
    cons: nmcli.connectionListProbe(),
    devs: nmcli.deviceStatusProbe(),
    mgmt: nmcli.connectionProbe('mgmt'),
    active: systemctl.isActiveProbe(['NetworkManager', 'ssh']),
    enabled: systemctl.isEnabledProbe(['ssh']),
  });
  t.true(g.cons.some((c) => c.name === 'mgmt' && c.device === 'eth0'));
  t.deepEqual(
    g.devs.filter((d) => d.device.startsWith('eth')).map((d) => d.state),
    ['connected', 'disconnected', 'disconnected'],
  );
  t.deepEqual(g.mgmt.ipv4Addresses, [`${vm1.address}/24`]);
  t.deepEqual(g.active, { NetworkManager: 'active', ssh: 'active' });
  t.deepEqual(g.enabled, { ssh: 'enabled' });
});

test.serial('<bandwidth> on a guest NIC shows up in tc on its tap and limits throughput', async (t) => {
  const hv = conn('hv1');
  const g = conn('vm1');
  const size = 512 * 1024;
  await startThroughputServer(g);
  const freeIn = await measureKiBps(hv, vm1.address, 'to-guest', 8 * size);
  const freeOut = await measureKiBps(hv, vm1.address, 'from-guest', 8 * size);
  const set = await hv.run(['virsh', '-c', 'qemu:///system', 'domiftune', 'vm1', vm1.macs[0], '--inbound', '128,128,32', '--outbound', '128,128,32', '--live']);
  t.is(set.rc, 0, set.stderr);
  try {
    const tap = (await readProbes(hv, { i: virsh.domiflistProbe('vm1') })).i[0]?.target ?? '';
    const p = await readProbes(hv, { q: tc.qdiscProbe(tap), c: tc.classProbe(tap), f: tc.filterProbe(tap, 'ffff:'), tune: virsh.domiftuneProbe('vm1', tap) });
    // structure and rates, not kinds: on this kernel the lab's tc wrapper swaps sfq/police
    t.deepEqual(
      p.q.filter((q) => q.parent === 'root' || q.kind === 'ingress').map((q) => q.kind),
      ['htb', 'ingress'],
    );
    t.is(p.c[0]?.rateBps, 128_000);
    t.is(p.f.length, 1);
    t.is(p.tune.inbound.average, 128);
    const limitedIn = await measureKiBps(hv, vm1.address, 'to-guest', size);
    const limitedOut = await measureKiBps(hv, vm1.address, 'from-guest', size);
    t.log(
      `throughput KiB/s (TCP, hypervisor<->guest): unlimited to-guest ${freeIn.toFixed(0)}, from-guest ${freeOut.toFixed(0)}; ` +
        `<bandwidth> average 128 KiB/s: to-guest ${limitedIn.toFixed(0)}, from-guest ${limitedOut.toFixed(0)}`,
    );
    // 128 KiB/s in libvirt = tc 128kbps = 125 KiB/s; bursts and the ifb's 96 KiB bucket allow a bit more
    t.true(limitedIn < 170 && limitedIn > 60, `to-guest ${limitedIn}`);
    t.true(limitedOut < 170 && limitedOut > 60, `from-guest ${limitedOut}`);
    t.true(freeIn > 3 * limitedIn && freeOut > 3 * limitedOut);
    const log = hvPaths(hv1spec).tcLog;
    t.not(adaptedTc, undefined, 'lab up ran first and said whether it adapted tc');
    t.is(existsSync(log), adaptedTc === true, `the tc wrapper's log ${log} exists exactly when lab up adapted tc`);
    if (!adaptedTc)
      t.true(
        p.q.some((q) => q.kind === 'sfq'),
        'without the adapter libvirt put the real sfq on the tap',
      );
    else {
      // the wrapper adapted libvirt: replay libvirt's exact commands in a guest, whose cloud kernel
      // has sfq, fw and police, and check the real kinds carry the same rates and structure
      const all = readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => / add dev /.test(l) && l.includes(`dev ${tap} `) && !/noqueue/.test(l));
      // the latest <bandwidth> set on this tap starts at its htb root
      const cmds = all.slice(all.findLastIndex((l) => / root handle 1: htb/.test(l)));
      t.true(cmds.some((c) => / sfq /.test(c)) && cmds.some((c) => / police /.test(c)), cmds.join('\n'));
      const g2 = conn('vm2');
      await g2.run(['ip', 'link', 'del', 'tl0']);
      t.is((await g2.run(['ip', 'link', 'add', 'tl0', 'type', 'dummy'])).rc, 0);
      for (const c of cmds) {
        const r = await g2.run(['tc', ...c.split(' ').map((w) => (w === tap ? 'tl0' : w))]);
        t.is(r.rc, 0, `${c}: ${r.stderr}`);
      }
      const real = await readProbes(g2, { q: tc.qdiscProbe('tl0'), c: tc.classProbe('tl0'), f: tc.filterProbe('tl0', 'ffff:') });
      t.deepEqual(real.q.map((q) => q.kind).sort(), ['htb', 'ingress', 'sfq']);
      t.deepEqual(
        real.c.map((c) => [c.handle, c.rateBps, c.ceilBps]),
        p.c.map((c) => [c.handle, c.rateBps, c.ceilBps]),
      );
      t.deepEqual(
        real.f.flatMap((f) => f.actions.map((a) => a.kind)),
        ['police'],
      );
      await g2.run(['ip', 'link', 'del', 'tl0']);
    }
  } finally {
    await hv.run(['virsh', '-c', 'qemu:///system', 'domiftune', 'vm1', vm1.macs[0], '--inbound', '0', '--outbound', '0', '--live']);
  }
});

const TEAM_SCRIPT = (addr: string, extra = ''): string => `set -e
nmcli con add type team ifname team0 con-name team0 team.config '{"runner":{"name":"activebackup"},"link_watch":{"name":"ethtool"}${extra}}' ipv4.method manual ipv4.addresses ${addr} ipv6.method disabled >/dev/null
nmcli con add type ethernet ifname eth1 con-name team0-port1 master team0 slave-type team team-port.config '{"prio":100}' >/dev/null
nmcli con add type ethernet ifname eth2 con-name team0-port2 master team0 slave-type team team-port.config '{"prio":10}' >/dev/null
nmcli con up team0 >/dev/null
`;

async function activePort(g: Connection): Promise<string | null> {
  return (await readProbes(g, { s: teamdctl.teamStateProbe('team0') })).s.activePort;
}

async function failoverTrials(t: import('ava').ExecutionContext, hv: Connection, g: Connection, taps: Record<string, string>, n: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = await activePort(g);
    const tap = taps[before ?? ''] ?? '';
    // one script on the hypervisor: a connection may run one command at a time, so the ping and
    // the link change must not be two concurrent requests
    const r = await hv.shell(`f=$(mktemp)
ping -q -n -i 0.1 -c 40 -W 1 ${shQuote(vm1.teamAddress)} >"$f" & p=$!
sleep 1.2
virsh -c qemu:///system domif-setlink vm1 ${shQuote(tap)} down >/dev/null
wait $p; cat "$f"; rm -f "$f"`);
    const out = r.stdout;
    const m = /(\d+) packets transmitted, (\d+) received/.exec(out);
    losses.push(m ? Number(m[1]) - Number(m[2]) : 40);
    const after = await activePort(g);
    t.not(after, before, `trial ${i}: teamd switched away from ${before}`);
    await hv.run(['virsh', '-c', 'qemu:///system', 'domif-setlink', 'vm1', tap, 'up']);
    await sleep(1500);
  }
  return losses;
}

// the team's port taps, found by the first failover test and reused by the second
let failoverTaps: Record<string, string> = {};

test.serial('team set up by hand in the guest; domif-setlink down fails over while a ping runs', async (t) => {
  t.timeout(10 * 60_000);
  const g = conn('vm1');
  const hv = conn('hv1');
  const setup = await g.shell(TEAM_SCRIPT(`${vm1.teamAddress}/24`));
  t.is(setup.rc, 0, setup.stderr);
  await sleep(2000);
  const p = await readProbes(g, {
    state: teamdctl.teamStateProbe('team0'),
    cfg: teamdctl.teamConfigProbe('team0'),
    port: teamdctl.teamPortConfigProbe('team0', 'eth1'),
    prof: nmcli.connectionProbe('team0'),
  });
  t.is(p.state.runner, 'activebackup');
  t.deepEqual(
    p.state.ports.map((x) => x.name),
    ['eth1', 'eth2'],
  );
  t.is(p.state.activePort, 'eth1');
  t.deepEqual(p.port, { prio: 100 });
  t.deepEqual(p.prof.teamConfig, { runner: { name: 'activebackup' }, link_watch: { name: 'ethtool' } });
  const ifl = (await readProbes(hv, { i: virsh.domiflistProbe('vm1') })).i;
  const taps = { eth1: ifl[1]?.target ?? '', eth2: ifl[2]?.target ?? '' };
  const ageing = (cs: number): Promise<unknown> => hv.run(['ip', 'link', 'set', 'labbr0', 'type', 'bridge', 'ageing_time', String(cs)]);
  // 1) as set up by hand: NM's team leaves notify_peers.count at teamd's default 1 (see config dump)
  t.deepEqual(p.cfg['notify_peers'], { count: 1 });
  // the lab's network description gives ageing 0; the learning case is set here by hand
  await ageing(30000);
  // 6 trials each (~6.5 s a trial): the guest-team role's drill (roles-guest.test.ts) is where the
  // at-most-one-ping claim is made, 10 trials per guest; here the bridge's side of it is shown
  const learning = await failoverTrials(t, hv, g, taps, 6);
  t.log(`failover, notify_peers 1, bridge ageing 300 s: lost pings per trial (100 ms apart) ${JSON.stringify(learning)}`);
  await ageing(0);
  const flooding = await failoverTrials(t, hv, g, taps, 6);
  t.log(`failover, notify_peers 1, bridge ageing 0: lost pings per trial ${JSON.stringify(flooding)}`);
  // notify_peers 1 with a learning bridge is NOT reliable: most failovers lose ~1 ping, but some
  // lose everything until the guest happens to send from the new port (FIELD-NOTES saw ~55 s)
  t.true(
    learning.some((l) => l <= 10),
    'the gratuitous ARP usually moves the MAC at once',
  );
  t.true(
    flooding.every((l) => l <= 10),
    'a bridge that does not learn (ageing 0) fails over within a second, every time',
  );
  await ageing(0);
  failoverTaps = taps;
});

test.serial("without teamd's gratuitous ARP only a non-learning bridge (ageing 0) keeps the failover short", async (t) => {
  t.timeout(5 * 60_000);
  const g = conn('vm1');
  const hv = conn('hv1');
  const taps = failoverTaps;
  t.truthy(taps['eth1']);
  const ageing = (cs: number): Promise<unknown> => hv.run(['ip', 'link', 'set', 'labbr0', 'type', 'bridge', 'ageing_time', String(cs)]);
  // why it matters: without the gratuitous ARP the bridge keeps sending to the dead tap
  const redo = await g.shell(`nmcli con del team0 team0-port1 team0-port2 >/dev/null\n${TEAM_SCRIPT(`${vm1.teamAddress}/24`, ',"notify_peers":{"count":0}')}`);
  t.is(redo.rc, 0, redo.stderr);
  await sleep(2000);
  await ageing(30000);
  const silentLearning = await failoverTrials(t, hv, g, taps, 3);
  await ageing(0);
  const silentFlooding = await failoverTrials(t, hv, g, taps, 3);
  await ageing(0);
  t.log(`failover, notify_peers 0: ageing 300 s lost ${JSON.stringify(silentLearning)}, ageing 0 lost ${JSON.stringify(silentFlooding)}`);
  // the black hole lasts until the guest happens to send from the new port (an ARP probe of its
  // neighbour entry, a reply): measured from 0.7 s to beyond the 4 s ping window
  t.true(Math.min(...silentLearning) > Math.max(...silentFlooding), 'a learning bridge without the ARP loses more, every time');
  t.true(
    silentFlooding.every((l) => l <= 10),
    'a bridge that does not learn (ageing 0) needs no notification',
  );
});

test.serial('lab down leaves no namespace, process, mount, tap or bridge behind', async (t) => {
  await closeAll();
  const pids = (await labStatus()).flatMap((r) => Object.values(r.pids)).filter((p): p is number => p !== undefined);
  t.true(pids.length >= 10);
  await labDown((m) => t.log(m));
  const ns = await runTool(['ip', 'netns', 'list']);
  t.false(/tsplay-/.test(ns.stdout), ns.stdout);
  for (const pid of pids) t.false(existsSync(`/proc/${pid}`) && !/\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')), `pid ${pid} still runs`);
  for (const h of HYPERVISORS) t.is(await hvDaemonPid(h, 'libvirtd'), undefined);
  const links = await runTool(['ip', '-br', 'link']);
  t.false(/labbr0|vnet\d|ifb-/.test(links.stdout));
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  t.false(mounts.includes(NS_DIR), 'no mount namespace file is left mounted');
  const relay = await runTool(['ss', '-ltnH', 'sport = :2201']);
  t.is(relay.stdout.trim(), '');
  // the hypervisors' own /var/lib/tsplay (vm3's kickstart) went with their state dirs
  for (const h of HYPERVISORS) t.false(existsSync(hvPaths(h).dir), `${h.name}'s state dir is gone`);
});
