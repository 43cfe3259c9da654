// The README's main run on the lab: `lab up` (hypervisors, package source, base image) then
// `tsplay site.yml -i inventories/lab` converges from bare; the second run changes nothing; `-C -D`
// on the converged lab plans nothing and writes nothing (every layer compared before and after).
import test, { type ExecutionContext } from 'ava';
import { hvDaemonPid } from '../../engine/lab/hv-daemons.ts';
import { hvHost } from '../../engine/lab/lab-host.ts';
import { labStatus } from '../../engine/lab/lab-status.ts';
import { HYPERVISORS } from '../../engine/lab/topology.ts';
import { runSite, type SiteRun, useLab } from '../helpers/lab.ts';

const HV2 = HYPERVISORS[1]!;
const V = ['virsh', '-c', 'qemu:///system'];

// from bare; its tests end with the lab converged as site.yml describes it, so in a shared lab
// pass the files after it reuse that lab (any test added here must leave it so, or say reusable: false)
useLab(test, { converge: 'none', reusable: true });

/** recap reads PLAY RECAP's counters per host. */
function recap(out: string): Record<string, Record<string, number>> {
  const hosts: Record<string, Record<string, number>> = {};
  for (const m of out.matchAll(/^(\S+)\s+:\s+(ok=.*)$/gm)) {
    hosts[m[1]!] = Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\d+)/g)].map((c) => [c[1]!, Number(c[2])]));
  }
  return hosts;
}

function succeeded(t: ExecutionContext, r: SiteRun, what: string): Record<string, Record<string, number>> {
  t.is(r.rc, 0, `${what}:\n${r.stdout.slice(-4000)}\n${r.stderr}`);
  const counts = recap(r.stdout);
  t.deepEqual(Object.keys(counts).sort(), ['hv1', 'hv2', 'vm1', 'vm2'], what);
  for (const [h, c] of Object.entries(counts)) t.true(c['failed'] === 0 && c['unreachable'] === 0, `${what}: ${h} ${JSON.stringify(c)}`);
  return counts;
}

/** layers is what site.yml owns on every hypervisor, read with the real tools: definitions, running state, bridge, files, daemons. */
async function layers(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const hv of HYPERVISORS) {
    const script = [
      'virsh -c qemu:///system list --all --name | sort',
      'for d in $(virsh -c qemu:///system list --all --name); do virsh -c qemu:///system dumpxml --inactive "$d"; virsh -c qemu:///system dumpxml "$d" | grep -v "<cputime\\|<time"; virsh -c qemu:///system domstate "$d"; done',
      'for n in $(virsh -c qemu:///system net-list --all --name); do virsh -c qemu:///system net-dumpxml --inactive "$n"; virsh -c qemu:///system net-dumpxml "$n"; virsh -c qemu:///system net-info "$n"; done',
      'cat /sys/class/net/labbr0/bridge/ageing_time /sys/class/net/labbr0/bridge/stp_state',
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
  const r = await runSite();
  t.log(`first converge: ${r.seconds.toFixed(0)} s`);
  const counts = succeeded(t, r, 'first converge');
  t.true((counts['hv1']?.['changed'] ?? 0) > 0);
  const rows = await labStatus();
  t.deepEqual(
    rows.map((x) => [x.host, x.ssh]),
    [
      ['hv1', true],
      ['hv2', true],
      ['vm1', true],
      ['vm2', true],
    ],
  );
  for (const hv of HYPERVISORS) {
    t.truthy(await hvDaemonPid(hv, 'libvirtd'), `${hv.name}: libvirtd runs`);
    const info = await hvHost(hv).run([...V, 'net-info', 'lab']);
    t.regex(info.stdout, /Active:\s+yes/);
    t.regex(info.stdout, /Autostart:\s+yes/);
    t.is((await hvHost(hv).run(['cat', '/sys/class/net/labbr0/bridge/ageing_time'])).stdout.trim(), '0');
  }
  // the kickstart-mode guest: its kickstart on hv2, no domain, the skip said with its reason
  t.regex(r.stdout, /vm3: install skipped: the lab is offline/);
  t.is((await hvHost(HV2).run(['test', '-s', '/var/lib/tsplay/kickstart/vm3/vm3.ks'])).rc, 0);
  t.not((await hvHost(HV2).run([...V, 'domstate', 'vm3'])).rc, 0, 'vm3 is not defined');
});

test.serial('the second run changes nothing', async (t) => {
  const r = await runSite();
  t.log(`second run: ${r.seconds.toFixed(0)} s`);
  const counts = succeeded(t, r, 'second run');
  for (const [h, c] of Object.entries(counts)) t.is(c['changed'], 0, `${h} changed`);
});

test.serial('-C -D on the converged lab plans nothing and writes nothing', async (t) => {
  const before = await layers();
  const r = await runSite(['-C', '-D']);
  t.log(`-C -D on converged: ${r.seconds.toFixed(0)} s`);
  const counts = succeeded(t, r, '-C -D');
  for (const [h, c] of Object.entries(counts)) t.is(c['changed'], 0, `${h} changed`);
  t.deepEqual(await layers(), before);
});
