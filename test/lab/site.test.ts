// The README's main run on the lab: `lab up` (hypervisors, package source, base image) then
// `tsplay site.yml -i inventories/lab` converges from bare; the second run changes nothing; `-C -D`
// on the converged lab plans nothing and writes nothing (every layer compared before and after).
// Then, through the whole site.yml with an edited copy of the inventory: a new DHCP host (a static
// address on a NIC) shown by `-C -D` as exactly that and applied live; the bridge renamed, refused
// (its guests named) until a network restart is allowed, then applied with the guests still
// answering, and put back; and drift made by hand (a DHCP host deleted, bridge ageing 300 s, a
// NIC's link down, a guest shut off) named by `-C -D` and repaired, each followed by changed=0.
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hvDaemonPid } from '../../engine/lab/hv-daemons.ts';
import { hvHost } from '../../engine/lab/lab-host.ts';
import { GUESTS, HYPERVISORS } from '../../engine/lab/topology.ts';
import { assertLabAnswers, runSite, type SiteRun, useLab } from '../helpers/lab.ts';
import { editedInventory, guestOf, hypervisorVars, type LabInventory } from '../helpers/lab-inventory.ts';
import { changed, noChange, planned, recap, taskName } from '../helpers/site-events.ts';

const [HV1, HV2] = [HYPERVISORS[0]!, HYPERVISORS[1]!];
const [VM1, VM2] = [GUESTS[0]!, GUESTS[1]!];
const V = ['virsh', '-c', 'qemu:///system'];
const tmp = mkdtempSync(join(tmpdir(), 'tsplay-site-lab-'));
const figures: string[] = [];

// from bare; its tests end with the lab converged as site.yml describes it, so in a shared lab
// pass the files after it reuse that lab (any test added here must leave it so, or say reusable: false)
useLab(test, {
  converge: 'none',
  reusable: true,
  done: async (log) => {
    rmSync(tmp, { recursive: true, force: true });
    log(`figures: ${figures.join('; ')}`);
  },
});

function succeeded(t: ExecutionContext, r: SiteRun, what: string): Record<string, number> {
  t.is(r.rc, 0, `${what}:\n${r.out.slice(-4000)}`);
  const counts = recap(r);
  t.deepEqual(Object.keys(counts).sort(), ['hv1', 'hv2', 'vm1', 'vm2'], what);
  for (const [h, c] of Object.entries(counts)) t.true(c.failed === 0 && c.unreachable === 0, `${what}: ${h} ${JSON.stringify(c)}`);
  return changed(r);
}

/** layers is what site.yml owns on every hypervisor, read with the real tools: definitions, running state, bridge, files, daemons. */
async function layers(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const hv of HYPERVISORS) {
    const script = [
      'virsh -c qemu:///system list --all --name | sort',
      'for d in $(virsh -c qemu:///system list --all --name); do virsh -c qemu:///system dumpxml --inactive "$d"; virsh -c qemu:///system dumpxml "$d" | grep -v "<cputime\\|<time"; virsh -c qemu:///system domstate "$d"; done',
      'for n in $(virsh -c qemu:///system net-list --all --name); do virsh -c qemu:///system net-dumpxml --inactive "$n"; virsh -c qemu:///system net-dumpxml "$n"; virsh -c qemu:///system net-info "$n"; done',
      'for b in /sys/class/net/*/bridge; do echo "$b $(cat $b/ageing_time $b/stp_state)"; done',
      'find /etc/libvirt /etc/init.d /etc/rc2.d /etc/sysctl.d /etc/tsplay /var/lib/tsplay -xdev \\( -type f -o -type l \\) -print0 2>/dev/null | sort -z | xargs -0 sha1sum',
      // the guests' overlays change as they run: their names only
      'ls /var/lib/libvirt/images',
      'sysctl net.bridge.bridge-nf-call-iptables',
      'cat /run/libvirt/libvirtd.pid /run/libvirt/virtlogd.pid',
    ].join('; echo ---; ');
    const r = await hvHost(hv).run(['sh', '-c', script]);
    out[hv.name] = r.stdout;
  }
  return out;
}

test.serial('from bare hypervisors, site.yml converges the lab: daemons, networks, guests answering ssh; vm3 only planned', async (t) => {
  t.timeout(20 * 60_000);
  for (const hv of HYPERVISORS) t.is(await hvDaemonPid(hv, 'libvirtd'), undefined, `${hv.name}: lab up started no libvirtd`);
  const r = await runSite([], { json: true });
  t.log(`first converge: ${r.seconds.toFixed(0)} s`);
  figures.push(`first converge ${r.seconds.toFixed(0)} s`);
  const counts = succeeded(t, r, 'first converge');
  t.true((counts['hv1'] ?? 0) > 0);
  await assertLabAnswers(t);
  for (const hv of HYPERVISORS) {
    t.truthy(await hvDaemonPid(hv, 'libvirtd'), `${hv.name}: libvirtd runs`);
    const info = await hvHost(hv).run([...V, 'net-info', 'lab']);
    t.regex(info.stdout, /Active:\s+yes/);
    t.regex(info.stdout, /Autostart:\s+yes/);
    t.is((await hvHost(hv).run(['cat', '/sys/class/net/labbr0/bridge/ageing_time'])).stdout.trim(), '0');
  }
  // the kickstart-mode guest: its kickstart on hv2, no domain, the skip said with its reason
  t.regex(r.out, /vm3: install skipped: the lab is offline/);
  t.is((await hvHost(HV2).run(['test', '-s', '/var/lib/tsplay/kickstart/vm3/vm3.ks'])).rc, 0);
  t.not((await hvHost(HV2).run([...V, 'domstate', 'vm3'])).rc, 0, 'vm3 is not defined');
});

test.serial('the second run changes nothing', async (t) => {
  const r = await runSite([], { json: true });
  t.log(`second run: ${r.seconds.toFixed(0)} s`);
  figures.push(`second run ${r.seconds.toFixed(0)} s`);
  t.deepEqual(succeeded(t, r, 'second run'), noChange(r));
  t.deepEqual(planned(r), []);
});

test.serial('-C -D on the converged lab plans nothing and writes nothing', async (t) => {
  const before = await layers();
  const r = await runSite(['-C', '-D'], { json: true });
  t.log(`-C -D on converged: ${r.seconds.toFixed(0)} s`);
  figures.push(`-C -D on converged ${r.seconds.toFixed(0)} s`);
  t.deepEqual(succeeded(t, r, '-C -D'), noChange(r));
  t.deepEqual(planned(r), []);
  t.deepEqual(await layers(), before);
});

// ---- one change at a time, through the whole site.yml with an edited copy of the inventory ----

const NEW_HOST = { mac: VM1.macs[1], ip: '10.61.1.31' };
/** host31 gives vm1's eth1 (a team port) a static address: hv1's network gains a DHCP host (no name: vm1's is on eth0's). */
function host31(inv: LabInventory): void {
  guestOf(inv, 'vm1').nics.find((n) => n.name === 'eth1')!.address = `${NEW_HOST.ip}/24`;
}
function labbr1(inv: LabInventory): void {
  hypervisorVars(inv, 'hv2').libvirt_networks['lab']!.bridge.name = 'labbr1';
}
function allowRestart(inv: LabInventory): void {
  hypervisorVars(inv, 'hv2')['libvirt_network_allow_restart'] = true;
}
const INV_HOST = editedInventory(tmp, 'host31', host31);
const INV_BR1 = editedInventory(tmp, 'labbr1', (inv) => {
  host31(inv);
  labbr1(inv);
});
const INV_BR1_ALLOWED = editedInventory(tmp, 'labbr1-allowed', (inv) => {
  host31(inv);
  labbr1(inv);
  allowRestart(inv);
});
// back to the described lab: the network restarts again, so this run allows it too
const INV_BACK = editedInventory(tmp, 'back', allowRestart);

/** site runs site.yml with an inventory (and flags) and reads its JSON events; the seconds go to the figures. */
async function site(t: ExecutionContext, what: string, inventory: string | undefined, flags: string[] = []): Promise<SiteRun> {
  const r = await runSite(flags, { ...(inventory ? { inventory } : {}), json: true });
  t.log(`${what}: ${r.seconds.toFixed(0)} s, rc ${r.rc}; planned: ${JSON.stringify(planned(r))}`);
  figures.push(`${what} ${r.seconds.toFixed(0)} s`);
  return r;
}

function quiet(t: ExecutionContext, r: SiteRun, what: string): void {
  t.is(r.rc, 0, `${what}: ${r.out.slice(-3000)}`);
  t.deepEqual(changed(r), noChange(r), what);
  t.deepEqual(planned(r), [], what);
}

async function onHv(hv: (typeof HYPERVISORS)[number], script: string): Promise<string> {
  const r = await hvHost(hv).run(['sh', '-c', script]);
  if (r.rc !== 0) throw new Error(`${hv.name}: ${script}: ${r.stderr}`);
  return r.stdout;
}

/** lost is how many of `n` pings (200 ms apart) from a hypervisor to an address got no answer. */
async function lost(hv: (typeof HYPERVISORS)[number], address: string, n = 5): Promise<number> {
  const r = await hvHost(hv).run(['ping', '-q', '-n', '-c', String(n), '-i', '0.2', '-W', '2', address]);
  const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  return m ? Number(m[1]) - Number(m[2]) : n;
}

test.serial('a new DHCP host: -C -D shows exactly that (hv1, network lab, live) and writes nothing; applied live; the next run is changed=0', async (t) => {
  t.timeout(10 * 60_000);
  const before = await layers();
  const c = await site(t, 'new DHCP host -C -D', INV_HOST, ['-C', '-D']);
  t.is(c.rc, 0, c.out.slice(-3000));
  const line = `hv1: ip-dhcp-host ${NEW_HOST.mac} null → {"mac":"${NEW_HOST.mac}","name":null,"ip":"${NEW_HOST.ip}"} (live)`;
  t.deepEqual(planned(c), [line]);
  const ev = c.events.find((e) => e.type === 'item-result' && (e.changes?.length ?? 0) > 0);
  t.is(taskName(ev ?? {}), 'Network');
  t.regex(JSON.stringify(ev?.['item']), /"lab"/, 'on network lab');
  t.deepEqual(await layers(), before, '-C -D wrote nothing');

  const r = await site(t, 'new DHCP host applied', INV_HOST);
  t.is(r.rc, 0, r.out.slice(-3000));
  t.deepEqual(planned(r), [line]);
  for (const flag of ['', '--inactive']) {
    const xml = await onHv(HV1, `virsh -c qemu:///system net-dumpxml ${flag} lab`);
    t.regex(xml, new RegExp(`<host mac='${NEW_HOST.mac}' ip='${NEW_HOST.ip.replaceAll('.', '\\.')}'/>`), `net-dumpxml ${flag}`);
    t.regex(xml, new RegExp(`<host mac='${VM1.macs[0]}' name='vm1' ip='${VM1.address.replaceAll('.', '\\.')}'/>`), 'vm1 keeps its name on eth0');
  }
  quiet(t, await site(t, 'new DHCP host, next run', INV_HOST), 'the next run');
});

const RENAME = ['hv2: bridge@name "labbr0" → "labbr1" (net-restart)', 'hv2: bridge.ageing (network hook) "labbr0 0" → "labbr1 0" (config)'];

test.serial('the bridge renamed labbr0 → labbr1: -C -D shows it (hv2, net-restart) and refuses naming the guests; allowed, applied with the guests answering; put back', async (t) => {
  t.timeout(15 * 60_000);
  const before = await layers();
  const c = await site(t, 'labbr1 -C -D', INV_BR1, ['-C', '-D']);
  t.is(c.rc, 2, c.out.slice(-3000));
  // the refused plan keeps its changes in the failed result, so -D shows what was refused and its class
  t.deepEqual(planned(c), RENAME);
  const refusal = c.events.find((e) => e.host === 'hv2' && e.status === 'failed');
  t.is(taskName(refusal ?? {}), 'Network');
  t.regex(
    String(refusal?.['msg']),
    /network lab: bridge@name need a network restart \(net-restart\), refused without allow_restart: true; guests that lose their link: vm2 \(vnet\d+, vnet\d+, vnet\d+\)/,
  );
  t.deepEqual(
    Object.entries(recap(c)).map(([h, s]) => [h, s.failed]),
    [
      ['hv1', 0],
      ['hv2', 1],
      ['vm1', 0],
      ['vm2', 0],
    ],
  );
  t.deepEqual(await layers(), before, '-C -D wrote nothing');
  const refused = await site(t, 'labbr1 refused', INV_BR1);
  t.is(refused.rc, 2, refused.out.slice(-3000));
  t.regex(String(refused.events.find((e) => e.host === 'hv2' && e.status === 'failed')?.['msg']), /refused without allow_restart: true; guests that lose their link: vm2 /);
  t.deepEqual(await layers(), before, 'the refused run changed nothing');

  const r = await site(t, 'labbr1 allowed', INV_BR1_ALLOWED);
  t.is(r.rc, 0, r.out.slice(-3000));
  t.deepEqual(planned(r), RENAME);
  t.regex(await onHv(HV2, 'virsh -c qemu:///system net-dumpxml lab'), /<bridge name='labbr1' stp='off' delay='0'\/>/);
  t.is((await onHv(HV2, 'cat /sys/class/net/labbr1/bridge/ageing_time')).trim(), '0');
  t.false((await hvHost(HV2).run(['test', '-e', '/sys/class/net/labbr0'])).rc === 0, 'labbr0 is gone');
  const ports = JSON.parse(await onHv(HV2, 'bridge -j link show')) as { ifname: string; master?: string }[];
  t.is(ports.filter((p) => p.master === 'labbr1').length, 3, `vm2's three taps are on labbr1: ${JSON.stringify(ports)}`);
  await assertLabAnswers(t, 'every host answers ssh after the restart');
  t.is(await lost(HV2, VM2.teamAddress), 0, "vm2's team answers pings");
  quiet(t, await site(t, 'labbr1, next run', INV_BR1_ALLOWED), 'the next run');

  const back = await site(t, 'labbr0 back', INV_BACK);
  t.is(back.rc, 0, back.out.slice(-3000));
  t.deepEqual(planned(back).sort(), [
    `hv1: ip-dhcp-host ${NEW_HOST.mac} {"mac":"${NEW_HOST.mac}","name":null,"ip":"${NEW_HOST.ip}"} → null (live)`,
    'hv2: bridge.ageing (network hook) "labbr1 0" → "labbr0 0" (config)',
    'hv2: bridge@name "labbr1" → "labbr0" (net-restart)',
  ]);
  quiet(t, await site(t, 'described lab, next run', undefined), 'the described lab');
  await assertLabAnswers(t, 'every host answers ssh on the described lab');
});

test.serial('drift by hand (a DHCP host deleted, ageing 300 s, a NIC link down, a guest shut off): -C -D names each and writes nothing; a run repairs each; the next is changed=0', async (t) => {
  t.timeout(15 * 60_000);
  const vm2Host = `<host mac='${VM2.macs[0]}' name='vm2' ip='${VM2.address}'/>`;
  await onHv(HV2, `virsh -c qemu:///system net-update lab delete ip-dhcp-host "${vm2Host}" --live --config`);
  await onHv(HV1, 'ip link set dev labbr0 type bridge ageing_time 30000');
  await onHv(HV2, `virsh -c qemu:///system domif-setlink vm2 ${VM2.macs[2]} down`);
  await onHv(HV1, 'virsh -c qemu:///system destroy vm1');
  const before = await layers();
  const c = await site(t, 'drift -C -D', undefined, ['-C', '-D']);
  const drift = [
    'hv1: bridge.ageing 300 → 0 (live)',
    'hv1: state "shut off" → "running" (live)',
    // domif-setlink without --config changed the running domain only
    `hv2: interface ${VM2.macs[2]} link (live only) "down" → "up" (live)`,
    `hv2: ip-dhcp-host ${VM2.macs[0]} null → {"mac":"${VM2.macs[0]}","name":"vm2","ip":"${VM2.address}"} (live)`,
  ];
  // hv1 and hv2 run in parallel: their events interleave in any order
  t.deepEqual(planned(c).sort(), drift);
  // vm1 is shut off: -C cannot reach it, the guest play says so (exit 4); vm2's team check sees
  // eth2's link down (the hypervisor's repair is only planned under -C) and fails naming it
  t.is(c.rc, 4, c.out.slice(-3000));
  t.deepEqual(
    Object.entries(recap(c)).map(([h, x]) => [h, x.failed, x.unreachable]),
    [
      ['hv1', 0, 0],
      ['hv2', 0, 0],
      ['vm1', 0, 1],
      ['vm2', 1, 0],
    ],
  );
  t.regex(String(c.events.find((e) => e.host === 'vm2' && e.status === 'failed')?.['msg']), /port eth2: link down/);
  t.deepEqual(await layers(), before, '-C -D wrote nothing');

  const r = await site(t, 'drift repaired', undefined);
  t.is(r.rc, 0, r.out.slice(-3000));
  t.deepEqual(planned(r).sort(), drift);
  t.regex(await onHv(HV2, 'virsh -c qemu:///system net-dumpxml lab'), new RegExp(vm2Host.replaceAll('.', '\\.')));
  t.regex(await onHv(HV2, 'virsh -c qemu:///system net-dumpxml --inactive lab'), new RegExp(vm2Host.replaceAll('.', '\\.')));
  t.is((await onHv(HV1, 'cat /sys/class/net/labbr0/bridge/ageing_time')).trim(), '0');
  t.notRegex(await onHv(HV2, 'virsh -c qemu:///system dumpxml vm2'), /<link state='down'\/>/);
  t.is((await onHv(HV1, 'virsh -c qemu:///system domstate vm1')).trim(), 'running');
  await assertLabAnswers(t, 'vm1 answers ssh again');
  quiet(t, await site(t, 'drift, next run', undefined), 'the next run');
});
