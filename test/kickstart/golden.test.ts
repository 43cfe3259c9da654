// Golden files: the whole PXE tree of inventories/pxe-example (one guest per OS target and per team
// runner), reviewed once and asserted byte for byte. `npm run golden:update` rewrites them for review (never the test).
// A second test checks, independently of the goldens, that each kickstart carries the inventory's settings.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { generateTree } from '../../engine/kickstart/generate.ts';
import { parseGuest, TEAM_RUNNERS, type Guest } from '../../engine/guest/schema.ts';
import { openInventory } from '../../engine/kickstart/inventory-source.ts';
import { shlexSplit } from '../../engine/kickstart/ks-shlex.ts';
import { parseOsTarget } from '../../engine/kickstart/os-target.ts';
import { macDashes } from '../../engine/kickstart/pxe.ts';
import { parseTeamSlaves } from '../../engine/kickstart/team-spelling.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const goldenDir = fileURLToPath(new URL('./golden/pxe-example/', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

test('the example tree matches the reviewed golden files', async (t) => {
  const tree = await generateTree({ inventories: ['inventories/pxe-example'], cwd: root });
  const golden = listFiles(goldenDir)
    .map((f) => relative(goldenDir, f))
    .sort();
  t.deepEqual(tree.files.map((f) => f.path).sort(), golden);
  for (const f of tree.files) t.is(f.content, readFileSync(join(goldenDir, f.path), 'utf8'), f.path);
});

function words(line: string): string[] {
  const r = shlexSplit(line);
  if (!r.ok) throw new Error(r.error);
  return r.words;
}
function opt(ws: string[], name: string): string | undefined {
  return ws.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1);
}
function section(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(name));
  return lines.slice(start + 1, lines.indexOf('%end', start));
}

test('every kickstart carries exactly the inventory settings of its guest', async (t) => {
  const tree = await generateTree({ inventories: ['inventories/pxe-example'], cwd: root });
  const inv = await openInventory(['inventories/pxe-example'], root);
  const guests = new Map<string, Guest>();
  for (const h of inv.hosts.keys()) {
    const p = parseGuest(inv.hostVars(h));
    if ('guest' in p) guests.set(h, p.guest);
  }
  // the example covers every OS family/level and every runner
  const oses = [...guests.values()].map((g) => parseOsTarget(g.os)).map((o) => ('error' in o ? '' : o.family === 'fedora' ? 'fedora' : o.name));
  for (const want of ['rhel7', 'rhel8', 'rhel9', 'rhel10', 'fedora']) t.true(oses.includes(want), want);
  t.deepEqual([...new Set([...guests.values()].map((g) => g.team.runner))].sort(), [...TEAM_RUNNERS].sort());

  for (const [host, g] of guests) {
    const ks = tree.files.find((f) => f.path === `ks/${host}.ks`)!.content;
    const lines = ks.split('\n');
    const cmd = (name: string): string[][] => lines.filter((l) => l.startsWith(`${name} `)).map(words);
    t.is(cmd('url')[0]?.[1], `--url=${g.install_url}`, host);
    t.is(cmd('rootpw')[0]?.[2], g.root.password_hash, host);
    t.is(cmd('timezone')[0]?.[1], g.timezone, host);
    t.is(cmd('lang')[0]?.[1], g.lang);
    const keys = [...cmd('sshkey').map((w) => w[2]), ...lines.filter((l) => /^(ssh|ecdsa)-/.test(l))];
    t.deepEqual(keys, g.root.ssh_keys, host);
    const pkgs = section(ks, '%packages');
    for (const p of g.packages) t.true(pkgs.includes(p), `${host} package ${p}`);
    const ntp = [...cmd('timesource').map((w) => opt(w, '--ntp-server')), ...(opt(cmd('timezone')[0]!, '--ntpservers')?.split(',') ?? [])];
    t.deepEqual(ntp, g.timeservers, host);
    const net = cmd('network')[0]!;
    t.is(opt(net, '--hostname'), g.hostname);
    const ip = g.team.ipv4;
    t.is(opt(net, '--bootproto'), ip.method);
    if (ip.method === 'static') t.is(opt(net, '--ip'), ip.address.split('/')[0]);
    const os = parseOsTarget(g.os);
    if ('error' in os) return t.fail();
    if (os.family === 'rhel' && os.major === 10) {
      t.is(opt(net, '--bondslaves'), g.team.ports.map((p) => p.nic).join(','));
      const best = [...g.team.ports].sort((a, b) => (b.prio ?? 0) - (a.prio ?? 0))[0]!;
      t.regex(opt(net, '--bondopts') ?? '', new RegExp(`mode=active-backup,primary=${best.nic},`));
    } else {
      const slaves = parseTeamSlaves(opt(net, '--teamslaves') ?? '');
      t.deepEqual(
        slaves.map((s) => s.name),
        g.team.ports.map((p) => p.nic),
      );
      slaves.forEach((s, i) => {
        const p = g.team.ports[i]!;
        const cfg = s.config ? (JSON.parse(s.config) as Record<string, unknown>) : {};
        t.is(cfg['prio'], p.prio);
        t.is(cfg['sticky'], p.sticky);
        t.is(cfg['lacp_key'], p.lacp_key);
      });
      const teamConfig = JSON.parse(opt(net, '--teamconfig') ?? '{}') as { runner: { name: string } };
      t.is(teamConfig.runner.name, g.team.runner);
      // the full teamd JSON written in %post has runner options, link_watch and the ports' prio/sticky
      const fullLine = lines[lines.indexOf(`cat > /etc/tsplay/${g.team.device}.json <<'TSPLAY_EOF'`) + 1]!;
      const full = JSON.parse(fullLine) as { runner: Record<string, unknown>; link_watch: unknown; ports: Record<string, Record<string, unknown>> };
      t.deepEqual(full.runner, { name: g.team.runner, ...g.team.runner_options });
      t.deepEqual(full.link_watch, g.team.link_watch);
      for (const p of g.team.ports) t.is(full.ports[p.nic]?.['prio'], p.prio);
    }
    for (const p of g.team.ports) {
      const nic = g.nics.find((n) => n.name === p.nic)!;
      const out = nic.bandwidth?.outbound;
      if (out) t.true(ks.includes(`tc class replace dev ${nic.name} parent 1: classid 1:1 htb rate ${out.average}kbps ceil ${out.peak ?? out.average}kbps`), `${host} shaping ${nic.name}`);
      const inb = nic.bandwidth?.inbound;
      if (inb) t.true(ks.includes(`inbound average=${inb.average} KiB/s`), `${host} host-side comment ${nic.name}`);
    }
    const bootMac = g.nics.find((n) => n.name === (g.pxe!.boot_nic ?? g.team.ports[0]!.nic))!.mac;
    const pxe = tree.files.find((f) => f.path === `pxelinux.cfg/01-${macDashes(bootMac)}`)!.content;
    t.true(pxe.includes(`BOOTIF=01-${macDashes(bootMac)}`));
    t.regex(pxe, new RegExp(`\\b(inst\\.)?ks=${g.pxe!.ks_base_url}/ks/${host}\\.ks\\b`));
    t.true(pxe.includes(`KERNEL ${g.pxe!.kernel}`) && pxe.includes(`initrd=${g.pxe!.initrd}`));
    t.true(pxe.includes(ip.method === 'dhcp' ? 'ip=dhcp' : `ip=${ip.address.split('/')[0]}::${ip.gateway}:255.255.255.0:${g.hostname}:`));
  }
});
