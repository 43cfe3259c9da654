// The roles tap-shaping (hypervisors) and guest-team (guests) end to end on the lab, through
// tsplay's own CLI with the lab's inventory (inventories/lab: `hypervisor` and `guest` on each guest):
// from the bare guests `lab up` leaves, both roles converge; the second run is changed=0; -C on
// the converged lab plans nothing and changes no layer (tc on every tap, domiftune live and
// config, NetworkManager profiles, teamd's config and state); a NIC's bandwidth 128 → 256 and a
// team port's prio, each shown by -C -D as exactly that change (host, object, class) and then
// applied live (pings continue, no link bounces); drift made by hand (a qdisc deleted from a
// tap, a port's prio changed with nmcli) named by -C -D and repaired; the failover drill behind
// `--tags drill` (10 trials per guest, at most one ping lost in each).
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hvHost } from '../../engine/lab/lab-host.ts';
import { GUESTS, HYPERVISORS, hypervisorOf } from '../../engine/lab/topology.ts';
import { GUEST_LAYERS } from '../helpers/guest-layers.ts';
import { runSite, type SiteRun, useLab } from '../helpers/lab.ts';
import { editedInventory, guestOf, type LabInventory } from '../helpers/lab-inventory.ts';
import { changed, noChange, planned, taskName } from '../helpers/site-events.ts';
import { closeAll, labConnection } from './lab-connection.ts';
import { pingDuring } from './virt-play.ts';

const REPO = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'tsplay-roles-lab-'));
const t0 = Date.now();
const figures: string[] = [];

// the playbook site.yml will run: the hypervisor role, then the guest role
const SITE = join(tmp, 'site.yml');
writeFileSync(
  SITE,
  stringify([
    { hosts: 'hypervisors', gather_facts: false, roles: [join(REPO, 'roles', 'tap-shaping')] },
    { hosts: 'guests', gather_facts: false, roles: [join(REPO, 'roles', 'guest-team')] },
  ]),
);

/** inventory copies the lab's inventory with `edit` applied, for one run's change. */
const inventory = (name: string, edit?: (inv: LabInventory) => void): string => editedInventory(tmp, name, edit);
function bw256(inv: LabInventory): void {
  guestOf(inv, 'vm2').nics.find((n) => n.name === 'eth1')!.bandwidth = { inbound: { average: 256 } };
}
function prio5(inv: LabInventory): void {
  guestOf(inv, 'vm1').team.ports.find((p) => p.nic === 'eth1')!.prio = 5;
}

/** site runs the two roles through tsplay's CLI with an inventory (and flags). */
const site = (inv: string, flags: string[] = []): Promise<SiteRun> => runSite(flags, { playbook: SITE, inventory: inv, json: true });

async function onHv(i: number, script: string): Promise<string> {
  const r = await hvHost(HYPERVISORS[i]!).run(['sh', '-c', script]);
  if (r.rc !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
}
async function onGuest(host: string, script: string): Promise<string> {
  const r = await labConnection(host).shell(script);
  if (r.rc !== 0) throw new Error(`${host}: ${script}: ${r.stderr}`);
  return r.stdout;
}

// Every layer tap-shaping writes, per guest of the hypervisor: domiftune (live and config) of
// each NIC, and the tc objects on its tap and the lab's ifb stand-in for ingress policing.
const HV_LAYERS = `for d in $(virsh -c qemu:///system list --name); do
  virsh -c qemu:///system domiflist "$d" | awk '$5 ~ /:/ { print $1, $5 }' | while read -r tap mac; do
    echo "== $d $mac $tap"
    virsh -c qemu:///system domiftune "$d" "$mac" --live; virsh -c qemu:///system domiftune "$d" "$mac" --config
    tc qdisc show dev "$tap"; tc class show dev "$tap"; tc filter show dev "$tap" parent 1: 2>/dev/null; tc filter show dev "$tap" parent ffff: 2>/dev/null
    if [ -e "/sys/class/net/ifb-$tap" ]; then tc qdisc show dev "ifb-$tap"; fi
  done
done`;

// Every layer tap-shaping writes on the hypervisors and guest-team on the guests (GUEST_LAYERS).
async function layers(): Promise<string> {
  const parts = await Promise.all([...HYPERVISORS.map((_, i) => onHv(i, HV_LAYERS)), ...GUESTS.map((g) => onGuest(g.name, GUEST_LAYERS))]);
  return parts.join('\n#####\n');
}

const carrier = (host: string): Promise<string> => onGuest(host, 'for d in eth1 eth2 team0; do echo "$d $(cat /sys/class/net/$d/carrier_changes)"; done');

/** tapOf finds the tap of a guest's NIC on its hypervisor. */
async function tapOf(guest: string, mac: string): Promise<string> {
  const g = GUESTS.find((x) => x.name === guest)!;
  const out = await onHv(HYPERVISORS.indexOf(hypervisorOf(g)), `virsh -c qemu:///system domiflist ${guest}`);
  const tap = out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((w) => w[4] === mac)?.[0];
  if (!tap) throw new Error(`no tap for ${guest} ${mac}: ${out}`);
  return tap;
}

// No shaping on any NIC (the guests themselves are made bare by useLab: bareGuests).
const BARE_HV = `for d in $(virsh -c qemu:///system list --name); do
  for mac in $(virsh -c qemu:///system domiflist "$d" | awk '$5 ~ /:/ { print $5 }'); do virsh -c qemu:///system domiftune "$d" "$mac" --inbound 0 --outbound 0 --live --config >/dev/null; done
done`;

const times = useLab(test, {
  converge: 'hypervisors',
  ready: async () => {
    await Promise.all(HYPERVISORS.map((_, i) => onHv(i, BARE_HV)));
  },
  done: async (log) => {
    try {
      await closeAll();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      log(
        `roles-guest.test.ts took ${((Date.now() - t0) / 1000).toFixed(0)} s (${times.reusedFrom ? `lab reused from ${times.reusedFrom}` : `lab up ${times.up?.toFixed(0)} s`}, hypervisor play ${times.converge?.toFixed(0)} s); ${figures.join('; ')}`,
      );
    }
  },
});

const INV0 = inventory('base');
const INV1 = inventory('bw256', bw256);
const INV2 = inventory('prio5', (inv) => {
  bw256(inv);
  prio5(inv);
});

/** checkPlansNothing runs -C on a converged lab: no change planned, no layer changed. */
async function checkPlansNothing(t: ExecutionContext, inv: string): Promise<void> {
  const before = await layers();
  const c = await site(inv, ['-C', '-D']);
  t.is(c.rc, 0, c.out.slice(-3000));
  t.deepEqual(planned(c), []);
  t.deepEqual(changed(c), noChange(c));
  t.is(await layers(), before, '-C changed no layer');
  figures.push(`-C -D on converged ${c.seconds.toFixed(1)} s`);
}

test.serial('from the bare lab both roles converge; the second run is changed=0; -C plans nothing and writes nothing', async (t) => {
  t.timeout(10 * 60_000);
  const first = await site(INV0);
  t.is(first.rc, 0, first.out.slice(-4000));
  const ch = changed(first);
  // the seed's shaping is on vm2's eth1 only: hv1's guest has no bandwidth, so its taps stay as they are
  for (const h of ['hv2', 'vm1', 'vm2']) t.true((ch[h] ?? 0) > 0, `${h} changed: ${JSON.stringify(ch)}`);
  t.is(ch['hv1'], 0, `hv1 changed: ${JSON.stringify(ch)}`);
  figures.push(`converge ${first.seconds.toFixed(1)} s`);
  // tc carries what the description says: vm2 eth1 inbound 128 KB/s = 1024 Kbit; its eth0 and eth2 and all of vm1's NICs have no bandwidth
  t.regex(await onHv(1, `tc class show dev ${await tapOf('vm2', '52:54:00:61:02:21')}`), /class htb 1:1 .*rate 1024Kbit/);
  for (const mac of ['52:54:00:61:02:20', '52:54:00:61:02:22']) t.notRegex(await onHv(1, `tc qdisc show dev ${await tapOf('vm2', mac)}`), /htb|ingress/, `${mac} unshaped`);
  for (const mac of ['52:54:00:61:01:10', '52:54:00:61:01:11', '52:54:00:61:01:12']) t.notRegex(await onHv(0, `tc qdisc show dev ${await tapOf('vm1', mac)}`), /htb|ingress/, `${mac} unshaped`);
  const st = JSON.parse(await onGuest('vm1', 'teamdctl team0 state dump')) as { runner: { active_port: string }; setup: { runner_name: string } };
  t.is(st.setup.runner_name, 'activebackup');
  t.is(st.runner.active_port, 'eth1', 'prio 100 wins');

  const second = await site(INV0);
  t.is(second.rc, 0, second.out.slice(-3000));
  t.deepEqual(changed(second), noChange(second));
  t.deepEqual(planned(second), []);
  figures.push(`second run ${second.seconds.toFixed(1)} s`);
  await checkPlansNothing(t, INV0);
});

test.serial("a NIC's bandwidth 128 → 256: -C -D shows exactly that (hv2, vm2's eth1, live) and writes nothing; applied live, pings continue", async (t) => {
  t.timeout(5 * 60_000);
  const before = await layers();
  const c = await site(INV1, ['-C', '-D']);
  t.is(c.rc, 0, c.out.slice(-3000));
  t.deepEqual(planned(c), ['hv2: inbound {"average":128} → {"average":256} (live)']);
  t.true(
    c.events.some((e) => e.type === 'item-result' && e.host === 'hv2' && JSON.stringify(e['item']).includes('vm2 eth1')),
    'the change is on vm2 eth1',
  );
  t.is(await layers(), before, '-C -D changed no layer');
  const team = GUESTS[1]!.teamAddress;
  const { value: r, lost, sent } = await pingDuring(HYPERVISORS[1]!, team, () => site(INV1));
  t.is(r.rc, 0, r.out.slice(-3000));
  t.deepEqual(planned(r), ['hv2: inbound {"average":128} → {"average":256} (live)']);
  // libvirt rebuilds the tap's tc on every `domiftune --live` (deletes root, adds the new htb): a
  // ping queued on the tap at that instant is dropped. Measured: 0 of ~245 lost in three runs on
  // the old lab, 1 of 245 on the datacenter lab; the connection itself never stops.
  t.true(lost <= 1, `pings to vm2's team lost while reshaping: ${lost} of ${sent}`);
  figures.push(`reshape 128 → 256: ${lost} of ${sent} pings lost`);
  t.regex(await onHv(1, `tc class show dev ${await tapOf('vm2', '52:54:00:61:02:21')}`), /class htb 1:1 .*rate 2048Kbit/);
});

test.serial("a team port's prio: -C -D shows exactly that (vm1, ports.eth1.prio, live); applied without a link bounce", async (t) => {
  t.timeout(5 * 60_000);
  const before = await layers();
  const c = await site(INV2, ['-C', '-D']);
  t.is(c.rc, 0, c.out.slice(-3000));
  t.deepEqual(planned(c), ['vm1: ports.eth1.prio 100 → 5 (live)'], 'and the bandwidth of the previous case is converged');
  t.is(await layers(), before, '-C -D changed no layer');
  const links = await carrier('vm1');
  const r = await site(INV2);
  t.is(r.rc, 0, r.out.slice(-3000));
  t.deepEqual(planned(r), ['vm1: ports.eth1.prio 100 → 5 (live)']);
  t.is(await carrier('vm1'), links, 'no link bounced');
  t.is((JSON.parse(await onGuest('vm1', 'teamdctl team0 state dump')) as { runner: { active_port: string } }).runner.active_port, 'eth2', 'teamd re-elected the higher prio');
});

test.serial('drift by hand (a qdisc deleted from a tap, a port prio changed with nmcli): -C -D names each, a run repairs them, the next is changed=0', async (t) => {
  t.timeout(5 * 60_000);
  const tap = await tapOf('vm2', '52:54:00:61:02:21');
  await onHv(1, `tc qdisc del dev ${tap} root`);
  await onGuest('vm2', `nmcli connection modify team0-port-eth2 team-port.config '{"prio":77}'`);
  const before = await layers();
  const c = await site(INV2, ['-C', '-D']);
  t.is(c.rc, 0, c.out.slice(-3000));
  t.deepEqual(planned(c), [
    `hv2: tc on ${tap} ["no root htb 1:","no class 1:1"] → "as libvirt builds it for the live values" (live)`,
    'vm2: ports.eth2.prio (profile only; teamd already runs it) 77 → 10 (live)',
  ]);
  t.is(await layers(), before, '-C -D changed no layer');
  const r = await site(INV2);
  t.is(r.rc, 0, r.out.slice(-3000));
  t.is(planned(r).length, 2, planned(r).join('\n'));
  t.regex(await onHv(1, `tc class show dev ${tap}`), /class htb 1:1 .*rate 2048Kbit/);
  t.regex(await onGuest('vm2', 'nmcli -g team-port.config connection show team0-port-eth2'), /prio.{0,3}10/);
  const after = await site(INV2);
  t.deepEqual(changed(after), noChange(after));
  await checkPlansNothing(t, INV2);
});

// One guest at a time: with both guests' trials in lockstep (same instant, two TCG guests on the
// lab's shared cores) the first trial on vm1 lost 2 pings in both runs that tried it; alone, vm1
// lost 0-1 in each of 20 trials (with and without shaping on the port it fails over to).
test.serial('--tags drill: 10 failover trials on each guest, at most one ping (100 ms apart) lost in each', async (t) => {
  t.timeout(10 * 60_000);
  for (const g of ['vm1', 'vm2']) {
    const r = await site(INV2, ['--tags', 'drill', '-l', g]);
    const lines = r.events.filter((x) => x.type === 'host-result' && x.host === g && taskName(x) === 'lost pings').map((e) => String(e['msg'] ?? ''));
    const lost = lines.map((l) => Number(/drill lost (\d+)/.exec(l)?.[1]));
    figures.push(`drill ${g} ${r.seconds.toFixed(0)} s, lost per trial ${JSON.stringify(lost)}`);
    for (const l of lines) t.log(`${g}: ${l}`);
    t.is(r.rc, 0, r.out.slice(-3000));
    t.is(lost.length, 10, `${g}: ${r.out.slice(-2000)}`);
    t.true(
      lost.every((l) => l <= 1),
      `${g}: ${JSON.stringify(lost)}`,
    );
  }
});
