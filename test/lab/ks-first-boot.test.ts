// The kickstart's first-boot unit deletes every profile bound to a team port before it builds the
// team (else NetworkManager keeps activating them). A profile can be bound by MAC only, and
// `nmcli -g` prints a MAC as 52\:54\:00\:…: the unit must compare it without the escapes. This runs
// the unit's own deletion loop, rendered by tsplay's generator for a guest whose ports are vm1's
// eth1/eth2 (their real MACs), on the lab's vm1 (NetworkManager 1.42): both kinds of bound profile
// go, the management profile stays; the same loop without the unescape (what the unit did before)
// leaves the MAC-bound profile behind.
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../../engine/connection/types.ts';
import { generateTree } from '../../engine/kickstart/generate.ts';
import { GUESTS } from '../../engine/lab/topology.ts';
import { useLab } from '../helpers/lab.ts';
import { closeAll, labConnection } from './lab-connection.ts';

const VM1 = GUESTS[0]!;
const [, MAC1, MAC2] = VM1.macs;
const tmp = mkdtempSync(join(tmpdir(), 'tsplay-ks-boot-'));
const vm1 = (): Connection => labConnection('vm1');

// the guests as site.yml's hypervisor play leaves them: running, management profile only
useLab(test, {
  converge: 'hypervisors',
  done: async () => {
    try {
      await vm1()
        .shell('for n in bymac byname; do nmcli -g UUID connection show id "$n" 2>/dev/null | xargs -r -n1 nmcli connection delete uuid >/dev/null; done; true')
        .catch(() => undefined);
      await closeAll();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
});

/** deletionLoop renders vm1's kickstart with tsplay's generator and returns the first-boot unit's deletion loop. */
async function deletionLoop(): Promise<string> {
  const inv = join(tmp, 'hosts.yml');
  writeFileSync(
    inv,
    JSON.stringify({
      all: {
        hosts: {
          vm1: {
            guest: {
              os: 'rhel9',
              hostname: 'vm1.lab.example',
              install_url: 'http://10.61.1.1/repo',
              root: { password_hash: '$6$tsplaylab$0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000' },
              nics: [
                { name: 'eth0', mac: VM1.macs[0], network: 'lab' },
                { name: 'eth1', mac: MAC1, network: 'lab' },
                { name: 'eth2', mac: MAC2, network: 'lab' },
              ],
              team: { runner: 'activebackup', ports: [{ nic: 'eth1' }, { nic: 'eth2' }], ipv4: { method: 'dhcp' } },
              pxe: { next_server: '10.61.1.1', kernel: 'vmlinuz', initrd: 'initrd.img' },
            },
          },
        },
      },
    }),
  );
  const tree = await generateTree({ inventories: [inv], cwd: tmp });
  const ks = tree.files.find((f) => f.path === 'ks/vm1.ks')!.content;
  const start = ks.indexOf('nmcli -g UUID con show | while read -r uuid; do');
  const end = ks.indexOf('\ndone\n', start);
  if (start < 0 || end < 0) throw new Error('no deletion loop in the rendered kickstart');
  return ks.slice(start, end + '\ndone\n'.length);
}

const PROFILES = `nmcli connection add type ethernet con-name bymac ifname '*' 802-3-ethernet.mac-address ${MAC1} connection.autoconnect no >/dev/null
nmcli connection add type ethernet con-name byname ifname eth2 connection.autoconnect no >/dev/null`;
const LEFT = `echo '=== left:'; nmcli -g NAME connection show | sort | tr '\\n' ' '`;
const leftOf = (out: string): string[] => (out.split('=== left:')[1] ?? '').trim().split(' ');

test.serial('the first-boot unit deletes the profiles bound to the ports by MAC and by name, and keeps the rest', async (t) => {
  const loop = await deletionLoop();
  t.true(loop.includes("tr -d '\\\\'"), 'the rendered loop unescapes nmcli -g output');
  const r = await vm1().shell(`${PROFILES}\n${loop}\n${LEFT}`);
  t.is(r.rc, 0, r.stderr);
  const left = leftOf(r.stdout);
  t.false(left.includes('bymac'), `left: ${r.stdout}`);
  t.false(left.includes('byname'), `left: ${r.stdout}`);
  t.true(left.includes('mgmt'), `the management profile stays: ${r.stdout}`);
});

test.serial('without the unescape (the unit before this fix) the MAC-bound profile would stay', async (t) => {
  const old = (await deletionLoop()).replace(" | tr -d '\\\\'", '');
  t.false(old.includes("tr -d '\\\\'"));
  const r = await vm1().shell(`${PROFILES}\n${old}\n${LEFT}`);
  t.is(r.rc, 0, r.stderr);
  t.true(leftOf(r.stdout).includes('bymac'), `nmcli -g escapes the MAC, so the plain comparison misses it: ${r.stdout}`);
  await vm1().shell('nmcli -g UUID connection show id bymac | xargs -r -n1 nmcli connection delete uuid >/dev/null');
});
