// Issues 11-13 "Bad input": a mistake in the inventory's `guest` or `libvirt_networks` stops a
// playbook run before any host is contacted. Real CLI, real sshd hosts: the broken inventory exits
// 4 with every mistake at its file:line:col and no host's marker written; the same run with the
// mistakes fixed writes every marker (so the markers could have appeared).
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliWorkDir, createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
let work: string;
const bin = join(import.meta.dirname, '../../bin/tsplay.js');

test.before(async () => {
  hs = await createTestHosts(3, { names: ['hv1', 'g1', 'g2'] });
  work = cliWorkDir(hs, 'tsplay-guest-data-');
  writeFileSync(join(work, 'site.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: touch {{ dest_root }}/ran\n');
});
test.after.always(async () => {
  await hs?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** inventory renders the test inventory: g2's second MAC and hv1's dhcp range are the two places a mistake can be put. */
function inventory(g2mac: string, dhcpEnd: string): string {
  const conn = (name: string): string => {
    const h = hs.byName.get(name)!;
    return Object.entries({ ...h.vars, dest_root: h.root })
      .map(([k, v]) => `          ${k}: "${v}"\n`)
      .join('');
  };
  const nics = (a: string, b: string): string => `            nics:\n              - { name: ens3, mac: "${a}", network: lab }\n              - { name: ens4, mac: "${b}", network: lab }\n`;
  return `all:
  vars:
    guest_defaults:
      os: rhel9
      install_url: http://192.168.100.1:8080/repo/rhel9/BaseOS
      root: { password_hash: $6$salt$0123456789abcdefghijkl }
      pxe: { kernel: images/vmlinuz, initrd: images/initrd.img, next_server: 192.168.100.1 }
      team: { runner: activebackup, ports: [{ nic: ens3 }, { nic: ens4 }], ipv4: { method: dhcp } }
  hosts:
    hv1:
${conn('hv1')}          libvirt_networks:
            lab: { cidr: 192.168.100.0/24, dhcp: { start: 192.168.100.100, end: ${dhcpEnd} } }
    g1:
${conn('g1')}          hypervisor: hv1
          guest:
            hostname: g1.lab.example
${nics('52:54:00:00:00:11', '52:54:00:00:00:12')}    g2:
${conn('g2')}          hypervisor: hv1
          guest:
            hostname: g2.lab.example
${nics('52:54:00:00:00:21', g2mac)}`;
}

function cli(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'site.yml', '-i', 'inventory.yml'], { cwd: work, env: { ...process.env, HOME: join(work, 'home') } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

test.serial('a mistake in guest data: exit 4, every mistake at its inventory place, nothing run on any host', async (t) => {
  const text = inventory('52:54:00:00:00:11', '192.168.101.199');
  writeFileSync(join(work, 'inventory.yml'), text);
  const lines = text.split('\n');
  const at = (needle: string, value: string): string => {
    const i = lines.findIndex((l) => l.includes(needle));
    return `${join(work, 'inventory.yml')}:${i + 1}:${lines[i]!.indexOf(value) + 1}`;
  };
  const r = await cli();
  t.is(r.code, 4, r.out);
  t.true(r.out.includes(at('dhcp:', '{ start')), `hv1's dhcp range is placed: ${r.out}`);
  t.regex(r.out, /E_KS_DATA.*libvirt_networks\.lab\.dhcp: DHCP range 192\.168\.100\.100-192\.168\.101\.199 is outside 192\.168\.100\.0\/24/);
  t.true(r.out.includes(at('name: ens4, mac: "52:54:00:00:00:11"', '"52:54:00:00:00:11"')), `g2's MAC is placed: ${r.out}`);
  t.regex(r.out, /E_KS_DATA.*guest\.nics\[1\]\.mac: MAC 52:54:00:00:00:11 is also used by g1 \(NIC ens3\)/);
  for (const h of hs.hosts) t.false(existsSync(join(h.root, 'ran')), `nothing ran on ${h.name}`);
});

test.serial('the same run with the mistakes fixed reaches every host', async (t) => {
  writeFileSync(join(work, 'inventory.yml'), inventory('52:54:00:00:00:22', '192.168.100.199'));
  const r = await cli();
  t.is(r.code, 0, r.out);
  for (const h of hs.hosts) t.true(existsSync(join(h.root, 'ran')), `ran on ${h.name}`);
});
