// virt_domain and virt_install end to end on the lab: tsplay's own CLI against hv1's libvirtd 9.0.
// vm1 described as roles/vm-provision defines it plans nothing; NIC link and hot-plug
// change live while vm1 answers pings; memory waits for the next start; the machine type is
// refused, and with allow_restart applied by shutdown, define and start (MACs kept, ssh back); a
// new guest is made from the lab's base image, stopped and undefined (disks kept); pxe and
// kickstart modes are planned with virt-install --print-xml --dry-run against hv1's libvirtd.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestFiles } from '../../engine/lab/guest-disks.ts';
import { cachedImage } from '../../engine/lab/image-build.ts';
import { hvHost } from '../../engine/lab/lab-host.ts';
import { inHv } from '../../engine/lab/hv-paths.ts';
import { waitForSsh } from '../../engine/lab/ssh-check.ts';
import { statePath } from '../../engine/lab/paths.ts';
import { GUESTS, HYPERVISORS } from '../../engine/lab/topology.ts';
import { useLab } from '../helpers/lab.ts';
import { HV_IMAGE } from '../../engine/lab/hv-paths.ts';
import { type Outcome, pingDuring, playOn } from './virt-play.ts';

const HV1 = HYPERVISORS[0]!;
const VM1 = GUESTS[0]!;
const V = ['virsh', '-c', 'qemu:///system'];
const hv = hvHost(HV1);
const tmp = mkdtempSync(join(tmpdir(), 'tsplay-virt-domain-'));
const EXTRA = '52:54:00:61:01:13';
const TDOM = statePath('guests', 't-dom');

let t0 = Date.now();

const play = (module: string, args: Record<string, unknown>, check = false): Promise<Outcome> => playOn(tmp, 'hv1', module, args, check);

async function must(argv: string[]): Promise<string> {
  const r = await hv.run(argv);
  if (r.rc !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** vm1 as site.yml's vm-provision role defines it, in virt_domain's words. */
function vm1(over: Record<string, unknown> = {}): Record<string, unknown> {
  const image = HV_IMAGE;
  const f = guestFiles(VM1);
  return {
    name: 'vm1',
    type: 'qemu',
    arch: 'x86_64',
    machine: 'pc',
    memory: VM1.memoryMiB,
    vcpus: 1,
    cpu: 'qemu64',
    boot: { kernel: image.kernel, initrd: image.initrd, cmdline: 'root=/dev/vda rw console=ttyS0 net.ifnames=0' },
    disks: [
      { path: f.disk, format: 'qcow2', target: 'vda', cache: 'unsafe' },
      { path: f.seed, format: 'raw', target: 'vdb', readonly: true },
    ],
    nics: VM1.macs.map((mac, i) => ({ name: `eth${i}`, mac, network: HV1.network })),
    console_log: f.console,
    guest_agent: true,
    rng: true,
    memballoon: false,
    tb_cache: VM1.tbCacheMiB,
    state: 'running',
    ...over,
  };
}

/** layers is every layer virt_domain reads, for before/after comparisons (CPU time left out: it moves by itself). */
async function layers(dom = 'vm1'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, argv] of Object.entries({ inactive: ['dumpxml', '--inactive', dom], live: ['dumpxml', dom], domstate: ['domstate', '--reason', dom], dominfo: ['dominfo', dom] })) {
    const r = await hv.run([...V, ...argv]);
    out[k] = `rc=${r.rc}\n${r.stdout}${r.stderr}`.replace(/^CPU time:.*\n/m, '');
  }
  return out;
}

/** checkPlansNothing: --check on a converged domain plans nothing and leaves every layer as it was. */
async function checkPlansNothing(t: ExecutionContext, module: string, args: Record<string, unknown>): Promise<void> {
  const before = await layers(String(args['name']));
  const c = await play(module, args, true);
  t.is(c.status, 'ok', JSON.stringify(c));
  t.deepEqual(c.changes ?? [], []);
  t.deepEqual(await layers(String(args['name'])), before);
}

/** converge: the first run changes, the second and --check plan nothing. */
async function converge(t: ExecutionContext, args: Record<string, unknown>): Promise<Outcome> {
  const first = await play('virt_domain', args);
  t.is(first.status, 'changed', JSON.stringify(first));
  const second = await play('virt_domain', args);
  t.is(second.status, 'ok', JSON.stringify(second));
  await checkPlansNothing(t, 'virt_domain', args);
  return first;
}

// back to the lab's own definition: no extra NIC, all links up, memory as defined
async function restoreVm1(): Promise<void> {
  const r = await play('virt_domain', vm1());
  if (r.status === 'failed') throw new Error(`restoring vm1: ${JSON.stringify(r)}`);
  for (const argv of [
    ['destroy', 't-dom'],
    ['undefine', 't-dom'],
  ])
    await hv.run([...V, ...argv]);
  rmSync(TDOM, { recursive: true, force: true });
}

// vm1 as site.yml's hypervisor play defines it (roles/vm-provision), then restored to vm1() below
useLab(test, {
  converge: 'hypervisors',
  ready: async () => {
    // timed from a ready lab: waiting for the lock, lab up and site.yml are not this file's time
    t0 = Date.now();
    await restoreVm1();
  },
  done: async (log) => {
    try {
      await restoreVm1();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      log(`virt-domain lab file: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  },
});

test.serial('virt_domain: vm1 described as the lab defined it plans nothing; --check changes no layer', async (t) => {
  const r = await play('virt_domain', vm1());
  t.is(r.status, 'ok', JSON.stringify(r));
  await checkPlansNothing(t, 'virt_domain', vm1());
});

test.serial('virt_domain: eth2 link down then up, live and persistent, while vm1 eth0 answers pings', async (t) => {
  t.timeout(5 * 60_000);
  const down = vm1({ nics: VM1.macs.map((mac, i) => ({ name: `eth${i}`, mac, network: HV1.network, ...(i === 2 ? { link: 'down' } : {}) })) });
  const p = await pingDuring(HV1, VM1.address, async () => {
    const d = await converge(t, down);
    t.deepEqual(
      d.changes.map((c) => [c.property, c.class]),
      [[`interface ${VM1.macs[2]} link`, 'live']],
    );
    for (const l of ['--inactive', '']) t.regex(await must([...V, 'dumpxml', ...(l ? [l] : []), 'vm1']), new RegExp(`${VM1.macs[2]}'/>[\\s\\S]*?<link state='down'/>`));
    t.regex(await must([...V, 'domif-getlink', 'vm1', VM1.macs[2]]), /down/);
    return converge(t, vm1());
  });
  t.true(p.lost <= 1, `ping lost ${p.lost} of ${p.sent}`);
  t.regex(await must([...V, 'domif-getlink', 'vm1', VM1.macs[2]]), /up/);
});

test.serial('virt_domain: a 4th NIC hot-plugged and removed (attach/detach-device --live --config), both layers', async (t) => {
  t.timeout(5 * 60_000);
  const four = vm1({ nics: [...VM1.macs, EXTRA].map((mac, i) => ({ name: `eth${i}`, mac, network: HV1.network })) });
  const p = await pingDuring(HV1, VM1.address, async () => {
    const a = await converge(t, four);
    t.deepEqual(
      a.changes.map((c) => [c.property, c.class]),
      [[`interface ${EXTRA}`, 'live']],
    );
    for (const l of ['--inactive', '']) t.regex(await must([...V, 'dumpxml', ...(l ? [l] : []), 'vm1']), new RegExp(EXTRA));
    const d = await converge(t, vm1());
    t.deepEqual(
      d.changes.map((c) => [c.property, c.class]),
      [[`interface ${EXTRA}`, 'live']],
    );
  });
  t.true(p.lost <= 1, `ping lost ${p.lost} of ${p.sent}`);
  for (const l of ['--inactive', '']) t.notRegex(await must([...V, 'dumpxml', ...(l ? [l] : []), 'vm1']), new RegExp(EXTRA));
});

test.serial('virt_domain: eth0 bandwidth set and cleared live and persistent (domiftune) while vm1 answers pings', async (t) => {
  t.timeout(5 * 60_000);
  const bw = { inbound: { average: 1024, peak: 2048, burst: 64 }, outbound: { average: 1024 } };
  const shaped = vm1({ nics: VM1.macs.map((mac, i) => ({ name: `eth${i}`, mac, network: HV1.network, ...(i === 0 ? { bandwidth: bw } : {}) })) });
  const p = await pingDuring(HV1, VM1.address, async () => {
    const a = await converge(t, shaped);
    t.deepEqual(
      a.changes.map((c) => [c.property, c.class]),
      [[`interface ${VM1.macs[0]} bandwidth`, 'live']],
    );
    for (const l of ['--live', '--config']) t.regex(await must([...V, 'domiftune', 'vm1', VM1.macs[0], l]), /inbound.average: 1024\ninbound.peak {3}: 2048\ninbound.burst {2}: 64/);
    await converge(t, vm1());
  });
  t.true(p.lost <= 1, `ping lost ${p.lost} of ${p.sent}`);
  for (const l of ['--live', '--config']) t.regex(await must([...V, 'domiftune', 'vm1', VM1.macs[0], l]), /inbound.average: 0\n/);
});

test.serial('virt_domain: memory on running vm1 is written for the next start (pending restart), live unchanged', async (t) => {
  t.timeout(5 * 60_000);
  const liveBefore = await must([...V, 'dumpxml', 'vm1']);
  const r = await converge(t, vm1({ memory: 640 }));
  t.deepEqual(
    r.changes.map((c) => [c.property, c.class]),
    [['memory', 'config']],
  );
  t.is(r.result['pending_restart'], true);
  t.regex(await must([...V, 'dumpxml', '--inactive', 'vm1']), /<memory unit='KiB'>655360<\/memory>/);
  t.is(await must([...V, 'dumpxml', 'vm1']), liveBefore, 'the running domain is untouched');
  const back = await play('virt_domain', vm1());
  t.is(back.status, 'changed', JSON.stringify(back));
  t.is(back.result['pending_restart'], undefined, 'the config is back to what vm1 runs: nothing pending');
  t.is(await must([...V, 'dumpxml', 'vm1']), liveBefore);
  await checkPlansNothing(t, 'virt_domain', vm1());
});

test.serial('virt_domain: a machine type change on running vm1 is refused without allow_restart and writes nothing', async (t) => {
  const before = await layers();
  const r = await play('virt_domain', vm1({ machine: 'q35' }));
  t.is(r.status, 'failed');
  t.regex(String(r.result['msg']), /domain vm1: os\.type@machine only change through a restart of the guest, refused without allow_restart: true/);
  t.deepEqual(await layers(), before);
});

test.serial('virt_install image mode: t-dom from the lab base image, again plans nothing; virt_domain shutoff then absent keeps its disk', async (t) => {
  t.timeout(10 * 60_000);
  const image = cachedImage()!;
  const overlay = join(TDOM, 'disk.qcow2');
  const args = {
    name: 't-dom',
    mode: 'image',
    type: 'qemu',
    arch: 'x86_64',
    machine: 'pc',
    memory: 256,
    vcpus: 1,
    cpu: 'qemu64',
    tb_cache: 32,
    memballoon: false,
    image: { base: image.disk, overlay },
    boot: { kernel: image.kernel, initrd: image.initrd, cmdline: 'root=/dev/vda rw console=ttyS0' },
    nics: [{ name: 'eth0', mac: '52:54:00:61:01:40', network: HV1.network }],
    console_log: join(TDOM, 'console.log'),
  };
  const c = await play('virt_install', args, true);
  t.is(c.status, 'changed', JSON.stringify(c));
  t.false(existsSync(overlay), '--check wrote no overlay');
  t.is((await hv.run([...V, 'domstate', 't-dom'])).rc, 1, '--check defined nothing');
  const r = await play('virt_install', args);
  t.is(r.status, 'changed', JSON.stringify(r));
  t.regex(await must([...V, 'domstate', 't-dom']), /running/);
  t.regex(await must(['qemu-img', 'info', '-U', overlay]), new RegExp(`backing file: ${image.disk}`));
  const again = await play('virt_install', args);
  t.is(again.status, 'ok', JSON.stringify(again));
  await checkPlansNothing(t, 'virt_install', args);
  // name and state only: the definition stays as virt_install wrote it (the guest, still booting, ignores ACPI: destroyed)
  const defined = await must([...V, 'dumpxml', '--inactive', 't-dom']);
  const off = await play('virt_domain', { name: 't-dom', state: 'shutoff', shutdown_timeout: 5 });
  t.deepEqual(
    off.changes.map((c) => c.property),
    ['state'],
    JSON.stringify(off),
  );
  t.regex(await must([...V, 'domstate', 't-dom']), /shut off/);
  t.is(await must([...V, 'dumpxml', '--inactive', 't-dom']), defined);
  await checkPlansNothing(t, 'virt_domain', { name: 't-dom', state: 'shutoff' });
  const gone = await play('virt_domain', { name: 't-dom', state: 'absent' });
  t.is(gone.status, 'changed', JSON.stringify(gone));
  t.deepEqual(gone.result['disks_kept'], [overlay]);
  t.is((await hv.run([...V, 'domstate', 't-dom'])).rc, 1);
  t.true(existsSync(overlay), 'the disk is kept');
  t.is((await play('virt_domain', { name: 't-dom', state: 'absent' })).status, 'ok');
});

test.serial("virt_install pxe, --check: the plan shows the virt-install command and the XML hv1's libvirtd would define", async (t) => {
  const args = {
    name: 't-pxe',
    mode: 'pxe',
    type: 'qemu',
    memory: 256,
    vcpus: 1,
    disks: [{ path: join(TDOM, 'pxe.qcow2'), target: 'vda', size: 1 }],
    nics: [{ name: 'eth0', mac: '52:54:00:61:01:41', network: HV1.network }],
  };
  // an existing folder (else virt-install refuses the disk); --dry-run defines a storage pool for it, which read takes away
  await must(['mkdir', '-p', TDOM]);
  const pools = await must([...V, 'pool-list', '--all', '--name']);
  const r = await play('virt_install', args, true);
  t.is(r.status, 'changed', JSON.stringify(r));
  t.is(await must([...V, 'pool-list', '--all', '--name']), pools, 'no storage pool left behind');
  t.deepEqual((r.result['virt_install'] as string[]).slice(0, 5), ['virt-install', '--connect', 'qemu:///system', '--name', 't-pxe']);
  const xml = String(r.result['domain_xml']);
  t.regex(xml, /<domain type="qemu">[\s\S]*<name>t-pxe<\/name>/);
  t.regex(xml, /<source network="lab"\/>\s*<mac address="52:54:00:61:01:41"\/>/);
  t.is((await hv.run([...V, 'domstate', 't-pxe'])).rc, 1, 'nothing defined');
  t.false(existsSync(join(TDOM, 'pxe.qcow2')), 'no disk created');
});

const macsOf = async (layer: string[]): Promise<string[]> => [...(await must([...V, 'dumpxml', ...layer, 'vm1'])).matchAll(/<mac address='([^']+)'\/>/g)].map((m) => m[1]!);
const qemuLog = async (): Promise<string> => (await hv.run(['cat', '/var/log/libvirt/qemu/vm1.log'])).stdout;

test.serial('virt_domain: a machine type change with allow_restart: vm1 shut down gracefully, defined, started; MACs kept, ssh answers again', async (t) => {
  t.timeout(15 * 60_000);
  const macs = await macsOf([]);
  const qemu = async (): Promise<number> => (await qemuLog()).length;
  try {
    for (const [machine, board] of [
      ['q35', /machine='pc-q35-[0-9.]+'/],
      ['pc', /machine='pc-i440fx-[0-9.]+'/],
    ] as const) {
      const from = await qemu();
      const p = await pingDuring(HV1, VM1.address, () => play('virt_domain', vm1({ machine, allow_restart: true, shutdown_timeout: 120 })));
      const r = p.value;
      t.is(r.status, 'changed', JSON.stringify(r));
      t.deepEqual(
        r.changes.map((c) => [c.property, c.class]),
        [['os.type@machine', 'restart']],
      );
      t.is(r.result['pending_restart'], undefined, 'restarted: nothing left pending');
      for (const l of [['--inactive'], []]) {
        t.regex(await must([...V, 'dumpxml', ...l, 'vm1']), board);
        t.deepEqual(await macsOf(l), macs, `MACs kept (${l.join('') || 'live'})`);
      }
      t.regex(await must([...V, 'domstate', 'vm1']), /running/);
      // qemu logs why it ended: an ACPI shutdown the guest carried out, not a destroy after the timeout
      const log = (await qemuLog()).slice(from);
      t.regex(log, /shutting down, reason=shutdown/, log);
      t.notRegex(log, /reason=destroyed/);
      const ssh = await waitForSsh('vm1', 5 * 60_000);
      t.log(
        `machine ${machine}: task ${(r.durationMs / 1000).toFixed(1)} s (shutdown, define, start), ssh answered ${ssh.toFixed(0)} s after it; pings lost ${p.lost} of ${p.sent} (100 ms apart) during the task`,
      );
      const again = await play('virt_domain', vm1({ machine, allow_restart: true }));
      t.is(again.status, 'ok', JSON.stringify(again));
    }
  } finally {
    // a failure half-way must not leave vm1 on another board for the next test file
    if (!/machine='pc-i440fx-/.test(await must([...V, 'dumpxml', '--inactive', 'vm1']))) await play('virt_domain', vm1({ allow_restart: true }));
  }
  await checkPlansNothing(t, 'virt_domain', vm1());
});

/** serveInHv1 serves `dir` over HTTP on 127.0.0.1:port inside hv1's namespaces; resolves with its stop and its request log. */
async function serveInHv1(dir: string, port: number): Promise<{ stop: () => Promise<void>; log: () => string }> {
  const [cmd, ...argv] = inHv(HV1, ['python3', '-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir, String(port)]);
  const p = spawn(cmd!, argv);
  let log = '';
  p.stdout.on('data', (b: Buffer) => (log += b.toString()));
  p.stderr.on('data', (b: Buffer) => (log += b.toString()));
  const closed = new Promise<void>((r) => p.on('close', () => r()));
  const deadline = Date.now() + 20_000;
  while (!/Serving HTTP/.test(log)) {
    if (Date.now() > deadline || p.exitCode !== null) throw new Error(`http.server in hv1: ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    stop: async () => {
      p.kill('SIGTERM');
      await closed;
    },
    log: () => log,
  };
}

test.serial("virt_install kickstart, --check: the plan shows virt-install with --location, --initrd-inject and inst.ks, and the XML hv1's libvirtd would define; nothing written", async (t) => {
  t.timeout(5 * 60_000);
  // an install tree (a .treeinfo naming the lab image's kernel and initrd) served inside hv1: there is no install medium offline
  const image = cachedImage()!;
  const tree = join(TDOM, 'tree');
  mkdirSync(join(tree, 'images', 'pxeboot'), { recursive: true });
  copyFileSync(image.kernel, join(tree, 'images', 'pxeboot', 'vmlinuz'));
  copyFileSync(image.initrd, join(tree, 'images', 'pxeboot', 'initrd.img'));
  writeFileSync(
    join(tree, '.treeinfo'),
    '[general]\nfamily = Rocky Linux\nversion = 9.4\narch = x86_64\nname = Rocky Linux 9.4\n\n[images-x86_64]\nkernel = images/pxeboot/vmlinuz\ninitrd = images/pxeboot/initrd.img\n',
  );
  const ks = join(import.meta.dirname, '..', 'kickstart', 'golden', 'pxe-example', 'ks', 'el9-lb.ks');
  const args = {
    name: 't-ks',
    mode: 'kickstart',
    type: 'qemu',
    memory: 1024,
    vcpus: 1,
    location: 'http://127.0.0.1:8089/',
    kickstart: ks,
    disks: [{ path: join(TDOM, 'ks.qcow2'), target: 'vda', size: 2 }],
    nics: [{ name: 'eth0', mac: '52:54:00:61:01:42', network: HV1.network }],
  };
  const target = '/var/lib/tsplay/kickstart/t-ks';
  const written = async (): Promise<string[]> => [
    await must([...V, 'pool-list', '--all', '--name']),
    await must([...V, 'list', '--all', '--name']),
    String((await hv.run(['test', '-e', target])).rc),
    String((await hv.run(['test', '-e', join(TDOM, 'ks.qcow2')])).rc),
    await must(['ls', '-A', '/var/lib/libvirt/boot']),
  ];
  // virt-install fetches the kernel and initrd into /var/lib/libvirt/boot (a pool it defines); libvirt's
  // Debian package ships that folder, the lab's private /var/lib/libvirt does not have it
  await must(['mkdir', '-p', '/var/lib/libvirt/boot']);
  const server = await serveInHv1(tree, 8089);
  try {
    const before = await written();
    const r = await play('virt_install', args, true);
    t.is(r.status, 'changed', JSON.stringify(r));
    t.deepEqual(await written(), before, 'no pool, domain, kickstart or disk left behind');
    t.is(before[2], '1', 'the kickstart folder did not exist before');
    const argv = r.result['virt_install'] as string[];
    const after = (o: string): string | undefined => argv[argv.indexOf(o) + 1];
    t.is(after('--location'), 'http://127.0.0.1:8089/');
    t.is(after('--initrd-inject'), `${target}/el9-lb.ks`);
    t.is(after('--extra-args'), 'inst.ks=file:/el9-lb.ks console=ttyS0');
    t.is(r.result['print_xml_error'], undefined, JSON.stringify(r.result));
    t.is(r.result['pending_restart'], undefined, 'a new guest waits for no restart');
    const xml = String(r.result['domain_xml']);
    t.regex(xml, /<name>t-ks<\/name>/);
    t.regex(xml, /<kernel>[^<]+<\/kernel>/, "the installer phase boots the tree's kernel");
    t.regex(xml, /<cmdline>[^<]*inst\.ks=file:\/el9-lb\.ks[^<]*<\/cmdline>/);
    t.regex(xml, /<mac address="52:54:00:61:01:42"\/>/);
    const kc = r.changes.find((c) => c.property === 'kickstart');
    t.is(kc?.after, `${target}/el9-lb.ks`);
    t.regex(server.log(), /"GET \/\.treeinfo HTTP/, 'virt-install read the tree from the server');
    t.log(
      `virt_install kickstart --check: ${(r.durationMs / 1000).toFixed(1)} s; requests: ${
        server
          .log()
          .split('\n')
          .filter((l) => l.includes('GET')).length
      }`,
    );
  } finally {
    await server.stop();
  }
});
