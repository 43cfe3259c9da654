// nm_team and teamd_state end to end on the lab's vm1 (NetworkManager 1.42, libteam 1.31, team.ko
// of the cloud kernel): tsplay's own CLI with playbooks/lab-team.yml from the bare guest (only the
// management profile on eth0), then changed=0 and --check with every layer (profiles with
// team.config / team-port.config, teamd's running config and state, links) dumped before and
// after; a prio change applied live (no carrier change), a runner change re-activating, a
// half-applied profile and a stale profile repaired; the checkpoint: a good change moving the
// address tsplay connects to, and a wrong address or gateway that NetworkManager rolls back by
// itself; and the bond fallback on vm2 with NetworkManager's team plugin moved aside. The failover
// drill is roles-guest.test.ts's (the guest-team role's `--tags drill` on both guests; vm1's guest
// description is the team0 that lab-team.yml makes here).
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Connection } from '../../engine/connection/types.ts';
import { labKeyPaths } from '../../engine/lab/keys.ts';
import { hvHost } from '../../engine/lab/lab-host.ts';
import { GUESTS, HYPERVISORS } from '../../engine/lab/topology.ts';
import { runSite, type SiteRun, useLab } from '../helpers/lab.ts';
import { BARE_GUEST } from '../helpers/lab-pass.ts';
import { GUEST_LAYERS } from '../helpers/guest-layers.ts';
import { type Change, taskName } from '../helpers/site-events.ts';
import { closeAll, labConnection } from './lab-connection.ts';

const REPO = join(import.meta.dirname, '..', '..');
const VM1 = GUESTS[0]!;
const TEAM = `${VM1.teamAddress}/24`;
const tmp = mkdtempSync(join(tmpdir(), 'tsplay-team-lab-'));

const t0 = Date.now();

const vm1 = (): Connection => labConnection('vm1');
const vm2 = (): Connection => labConnection('vm2');

// vm2 without NetworkManager's team plugin (as on RHEL 10): the .so moved aside, NM restarted.
const PLUGIN = '/usr/lib/x86_64-linux-gnu/NetworkManager/1.42.4/libnm-device-plugin-team.so';
const HIDE = `mv ${PLUGIN} /root/team-plugin.hidden && systemctl restart NetworkManager`;
// back: the bond's profiles and device gone (NM would adopt a leftover bond0 as an external profile), plugin back
const UNHIDE = `for u in $(nmcli -g UUID,TYPE connection show | awk -F: '$2 == "bond" || $2 == "802-3-ethernet" { print $1 }'); do [ "$(nmcli -g connection.id connection show uuid "$u")" = mgmt ] || nmcli connection delete uuid "$u" >/dev/null; done
ip link del bond0 2>/dev/null; if [ -e /root/team-plugin.hidden ]; then mv /root/team-plugin.hidden ${PLUGIN} && systemctl restart NetworkManager; fi; true`;

async function must(script: string): Promise<string> {
  const r = await vm1().shell(script);
  if (r.rc !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
}

// bare guests: site.yml's hypervisor play only (no team); vm2's team plugin back (UNHIDE)
useLab(test, {
  converge: 'hypervisors',
  // useLab made both guests bare (bareGuests); vm2's plugin may still be hidden by a failed run
  ready: async () => {
    await vm2().shell(UNHIDE);
  },
  done: async (log) => {
    try {
      await must(BARE_GUEST).catch((e: unknown) => log(`cleaning vm1: ${String(e)}`));
      await vm2()
        .shell(UNHIDE)
        .catch((e: unknown) => log(`cleaning vm2: ${String(e)}`));
      await closeAll();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      log(`team.test.ts took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  },
});

interface Outcome {
  status: string;
  changes: Change[];
  result: Record<string, unknown>;
}

/** tsplay runs a playbook (playbooks/NAME, or an absolute path) through tsplay's CLI against the lab inventory, limited to one host. */
function tsplay(playbook: string, extra: Record<string, unknown> = {}, flags: string[] = [], host = 'vm1'): Promise<SiteRun> {
  return runSite(['-l', host, '-e', JSON.stringify(extra), ...flags], { playbook: isAbsolute(playbook) ? playbook : join(REPO, 'playbooks', playbook), json: true });
}

/** team runs lab-team.yml and returns the nm_team task's result on vm1. */
async function team(extra: Record<string, unknown> = {}, check = false): Promise<Outcome> {
  const r = await tsplay('lab-team.yml', extra, check ? ['-C'] : []);
  const ev = r.events.find((e) => e['type'] === 'host-result' && e['host'] === 'vm1' && taskName(e) === 'team0 over eth1 and eth2');
  if (!ev) throw new Error(`no nm_team result for vm1: ${r.out}`);
  return ev as unknown as Outcome;
}

/** layers dumps every layer nm_team reads or writes on vm1, for before/after comparisons. */
const layers = (): Promise<string> => must(GUEST_LAYERS);

// NM's rollback re-activates team0 (carrier and teamd counters move on): compare the profiles only
const profiles = async (): Promise<string> => must('nmcli -t -f NAME,UUID,TYPE connection show | sort; nmcli -t -f team.config,ipv4.addresses connection show team0');

const carrier = async (): Promise<string> => must('for d in eth1 eth2 team0; do echo "$d $(cat /sys/class/net/$d/carrier_changes)"; done');

/** converge: changed, then changed=0, then --check planning nothing and changing no layer. */
async function converge(t: ExecutionContext, extra: Record<string, unknown> = {}): Promise<Outcome> {
  const first = await team(extra);
  t.is(first.status, 'changed', JSON.stringify(first));
  const second = await team(extra);
  t.is(second.status, 'ok', JSON.stringify(second));
  const before = await layers();
  const c = await team(extra, true);
  t.is(c.status, 'ok', JSON.stringify(c));
  t.deepEqual(c.changes ?? [], []);
  t.is(await layers(), before, '--check on the converged team changed no layer');
  return first;
}

test.serial('nm_team: team0 from the bare guest, changed=0, --check plans and changes nothing; teamd_state asserts it', async (t) => {
  t.timeout(5 * 60_000);
  const first = await converge(t);
  t.true(
    first.changes.some((c) => c.property === 'profile team0'),
    JSON.stringify(first.changes),
  );
  const st = JSON.parse(await must('teamdctl team0 state dump')) as { runner: { active_port: string }; setup: { runner_name: string } };
  t.is(st.setup.runner_name, 'activebackup');
  t.is(st.runner.active_port, 'eth1', 'prio 100 wins');
  t.regex(await must('ip -o -4 addr show team0'), new RegExp(`inet ${TEAM.replace(/\./g, '\\.')}`));
  const cfg = JSON.parse(await must('teamdctl team0 config dump actual')) as { notify_peers?: { count: number } };
  t.is(cfg.notify_peers?.count, 3);
});

test.serial('nm_team: a prio change is exactly that change, applied live (teamdctl port config update, no carrier change)', async (t) => {
  t.timeout(5 * 60_000);
  const before = await carrier();
  const first = await converge(t, { team_prio1: 5 });
  t.deepEqual(
    first.changes.map((c) => [c.property, c.before, c.after, c.class]),
    [['ports.eth1.prio', 100, 5, 'live']],
  );
  t.is(await carrier(), before, 'no link bounced');
  t.is((JSON.parse(await must('teamdctl team0 port config dump eth1')) as { prio: number }).prio, 5);
  t.is((JSON.parse(await must('teamdctl team0 state dump')) as { runner: { active_port: string } }).runner.active_port, 'eth2', 'teamd re-elected the port with the higher prio');
  // back (one run: converge() above proved a run of this change converges)
  const back = await team();
  t.deepEqual(
    back.changes.map((c) => [c.property, c.before, c.after]),
    [['ports.eth1.prio', 5, 100]],
  );
});

test.serial('nm_team: a runner change is refused without allow_restart (nothing written), re-activates with it', async (t) => {
  t.timeout(5 * 60_000);
  const before = await layers();
  const refused = await team({ team_runner: 'roundrobin' });
  t.is(refused.status, 'failed');
  t.regex(String(refused.result['msg']), /runner\.name needs a re-activation of the team .*allow_restart: true/);
  t.is(await layers(), before, 'a refused change wrote nothing');
  const rr = await converge(t, { team_runner: 'roundrobin', team_allow_restart: true });
  t.true(
    rr.changes.some((c) => c.property === 'runner.name' && c.class === 'restart'),
    JSON.stringify(rr.changes),
  );
  t.is((JSON.parse(await must('teamdctl team0 state dump')) as { setup: { runner_name: string } }).setup.runner_name, 'roundrobin');
  const back = await team({ team_allow_restart: true });
  t.true(
    back.changes.some((c) => c.property === 'runner.name' && c.after === 'activebackup'),
    JSON.stringify(back.changes),
  );
});

test.serial('nm_team: half-applied (a port profile edited by hand, never activated; teamd changed by hand) and a stale profile bound to eth1 are repaired', async (t) => {
  t.timeout(5 * 60_000);
  await must(`nmcli connection modify team0-port-eth1 team-port.config '{"prio":77}'`);
  await must('nmcli connection add type ethernet ifname eth1 con-name stale-eth1 autoconnect no >/dev/null');
  const c = await team({}, true);
  t.deepEqual(c.changes.map((x) => x.property).sort(), ['ports.eth1.prio (profile only; teamd already runs it)', 'profile stale-eth1']);
  const fixed = await converge(t);
  t.is(fixed.changes.length, 2, JSON.stringify(fixed.changes));
  t.notRegex(await must('nmcli -g NAME connection show'), /stale-eth1/);
  t.regex(await must('nmcli -g team-port.config connection show team0-port-eth1'), /prio.{0,3}100/);
  await must(`teamdctl team0 port config update eth2 '{"prio":55}'`);
  const run = await converge(t);
  t.deepEqual(
    run.changes.map((x) => [x.property, x.before, x.after]),
    [['ports.eth2.prio (running teamd only; the profile has it: half-applied)', 55, 10]],
  );
});

// The checkpoint cases connect to vm1 through the team's address; lab up recorded vm1's key for
// it, and this test adds the address the good change moves to.
const CHECKPOINTS = 'busctl get-property org.freedesktop.NetworkManager /org/freedesktop/NetworkManager org.freedesktop.NetworkManager Checkpoints';
const MOVED = VM1.teamAddress.replace(/\.\d+$/, '.23');
function viaTeam(at: string): Record<string, unknown> {
  const kh = join(tmp, 'known_hosts');
  const lab = readFileSync(labKeyPaths().knownHosts, 'utf8');
  const key = lab
    .split('\n')
    .find((l) => l.startsWith(`${VM1.teamAddress} `))!
    .split(' ')
    .slice(1)
    .join(' ');
  writeFileSync(kh, `${lab}\n${MOVED} ${key}\n`);
  return { ansible_host: at, ansible_ssh_common_args: `-F /var/lib/tsplay-lab/ssh_config -o UserKnownHostsFile=${kh} -J hv1` };
}

// The wrong changes' checkpoint: the guarded steps (modify, reapply) must finish inside it, 3 s
// before NetworkManager's timer, for the cut-off path to be the one tested. At 20 s one CI run saw
// them unfinished on the TCG guest (tsplay then rolls back itself: "did not finish within 20 s").
const BAD_CHANGE_CHECKPOINT = 30;

test.serial('checkpoint: a change moving the address tsplay connects to reconnects there, then destroys the checkpoint', async (t) => {
  t.timeout(5 * 60_000);
  const moved = await team({ ...viaTeam(VM1.teamAddress), lab_team_address: `${MOVED}/24`, team_checkpoint: 60 });
  t.is(moved.status, 'changed', JSON.stringify(moved));
  t.regex(String(moved.result['msg']), new RegExp(`destroyed after reaching the host at its new address ${MOVED.replace(/\./g, '\\.')}`));
  t.regex(await must('ip -o -4 addr show team0'), new RegExp(`inet ${MOVED.replace(/\./g, '\\.')}/24`));
  t.is((await must(CHECKPOINTS)).trim(), 'ao 0', 'the checkpoint is destroyed: nothing will roll back');
  const back = await team({ ...viaTeam(MOVED), lab_team_address: TEAM });
  t.is(back.status, 'changed', JSON.stringify(back));
});

test.serial('checkpoint: a wrong address cuts tsplay off; NetworkManager rolls back by itself, the task says so, vm1 answers again', async (t) => {
  t.timeout(5 * 60_000);
  const before = await profiles();
  const bad = await team({ ...viaTeam(VM1.teamAddress), lab_team_address: '10.99.0.23/24', team_checkpoint: BAD_CHANGE_CHECKPOINT });
  t.is(bad.status, 'failed', JSON.stringify(bad));
  t.regex(String(bad.result['msg']), /no connection to 10\.99\.0\.23 within the checkpoint's 30 s; NetworkManager rolled the change back .* the host answers again at 10\.61\.1\.21/);
  t.regex(await must('ip -o -4 addr show team0'), new RegExp(`inet ${VM1.teamAddress.replace(/\./g, '\\.')}/24`));
  t.is((await must(CHECKPOINTS)).trim(), 'ao 0');
  t.is(await profiles(), before, 'the profiles as before the change');
  t.deepEqual((await team({}, true)).changes, [], 'rolled back to the converged team');
});

// A wrong gateway cannot cut a path inside the team's own subnet: hv1 (10.61.1.1) reaches
// 10.61.1.21 on-link and vm1 answers on-link, whatever its default route says. So tsplay comes
// from outside the subnet: hv1 gets 10.61.200.1 on its loopback and the ssh session is proxied
// through `nc -s 10.61.200.1` on hv1; vm1's answers to it then leave by team0's gateway, and a
// wrong one (nobody at 10.61.1.99) really drops them.
const OFF_SUBNET = '10.61.200.1';
function offSubnet(): Record<string, unknown> {
  const via = viaTeam(VM1.teamAddress);
  const kh = String(via['ansible_ssh_common_args']).replace(/.*UserKnownHostsFile=(\S+).*/, '$1');
  return {
    ansible_host: VM1.teamAddress,
    // the inventory's jump through hv1 would compete with the ProxyCommand: '' unsets it
    tsplay_jump: '',
    ansible_ssh_common_args: `-F /var/lib/tsplay-lab/ssh_config -o UserKnownHostsFile=${kh} -o 'ProxyCommand=ssh -F /var/lib/tsplay-lab/ssh_config hv1 nc -s ${OFF_SUBNET} %h %p'`,
  };
}

/** gatewayPlay writes a playbook converging vm1's team (as lab-team.yml has it) with `gateway` on team0. */
function gatewayPlay(gateway: string): string {
  const file = join(tmp, `gateway-${gateway}.json`);
  const team = {
    device: 'team0',
    runner: 'activebackup',
    notify_peers: { count: 3 },
    ports: [
      { nic: 'eth1', prio: 100 },
      { nic: 'eth2', prio: 10 },
    ],
    ipv4: { method: 'static', address: TEAM, gateway },
  };
  writeFileSync(
    file,
    JSON.stringify([
      { hosts: 'vm1', gather_facts: false, vars: { team_checkpoint: 60 }, tasks: [{ name: 'team0 over eth1 and eth2', nm_team: { team, checkpoint_timeout: '{{ team_checkpoint }}' } }] },
    ]),
  );
  return file;
}

test.serial('checkpoint: a wrong gateway cuts tsplay (reaching vm1 from outside the subnet) off; NetworkManager rolls back by itself, the task says so, vm1 answers again', async (t) => {
  t.timeout(5 * 60_000);
  const hv1 = hvHost(HYPERVISORS[0]!);
  const nmTeam = async (file: string, extra: Record<string, unknown> = {}): Promise<Outcome> => {
    const r = await tsplay(file, extra);
    const ev = r.events.find((e) => e['type'] === 'host-result' && e['host'] === 'vm1');
    if (!ev) throw new Error(`no nm_team result for vm1: ${r.out}`);
    return ev as unknown as Outcome;
  };
  // lab-team.yml's team, converged (this test may run alone, after the bare guest)
  await team();
  const add = await hv1.run(['ip', 'addr', 'add', `${OFF_SUBNET}/32`, 'dev', 'lo']);
  t.is(add.rc, 0, add.stderr);
  try {
    // the good gateway, set through the management address (the team carries no connection of tsplay's)
    const good = await nmTeam(gatewayPlay('10.61.1.1'));
    t.is(good.status, 'changed', JSON.stringify(good));
    t.deepEqual(
      good.changes.map((c) => [c.property, c.after]),
      [['ipv4.gateway', '10.61.1.1']],
    );
    // the off-subnet path works, and only through that gateway: converged, plans nothing
    const via = await nmTeam(gatewayPlay('10.61.1.1'), offSubnet());
    t.is(via.status, 'ok', JSON.stringify(via));
    const before = await profiles();
    const started = Date.now();
    const bad = await nmTeam(gatewayPlay('10.61.1.99'), { ...offSubnet(), team_checkpoint: BAD_CHANGE_CHECKPOINT });
    const took = (Date.now() - started) / 1000;
    t.is(bad.status, 'failed', JSON.stringify(bad));
    t.regex(
      String(bad.result['msg']),
      /no connection to 10\.61\.1\.21 within the checkpoint's 30 s; NetworkManager rolled the change back \(checkpoint .*, 30 s\); the host answers again at 10\.61\.1\.21/,
    );
    t.log(`wrong gateway: the task failed after ${took.toFixed(0)} s (checkpoint ${BAD_CHANGE_CHECKPOINT} s): ${String(bad.result['msg'])}`);
    t.is((await must('nmcli -g ipv4.gateway connection show team0')).trim(), '10.61.1.1', 'the profile has the good gateway again');
    t.regex(await must('ip -4 route show default'), /default via 10\.61\.1\.1 dev team0/);
    t.is((await must(CHECKPOINTS)).trim(), 'ao 0');
    t.is(await profiles(), before, 'the profiles as before the change');
    const after = await nmTeam(gatewayPlay('10.61.1.1'), offSubnet());
    t.is(after.status, 'ok', `the host works over the off-subnet path again: ${JSON.stringify(after)}`);
  } finally {
    await hv1.run(['ip', 'addr', 'del', `${OFF_SUBNET}/32`, 'dev', 'lo']);
    // back to lab-team.yml's team (no gateway), through the management address
    await team();
  }
});

test.serial('bond fallback on vm2 without the team plugin: the bond converges, a prio change is a live primary change', async (t) => {
  t.timeout(5 * 60_000);
  const r = await vm2().shell(HIDE);
  t.is(r.rc, 0, r.stderr);
  const play = (first: number, second: number): string => {
    const file = join(tmp, `bond-${first}.json`);
    writeFileSync(
      file,
      JSON.stringify([
        {
          hosts: 'vm2',
          gather_facts: false,
          tasks: [
            {
              name: 'team0 over eth1 and eth2',
              nm_team: {
                team: {
                  device: 'team0',
                  runner: 'activebackup',
                  ports: [
                    { nic: 'eth1', prio: first },
                    { nic: 'eth2', prio: second },
                  ],
                  ipv4: { method: 'static', address: '{{ lab_team_address }}' },
                },
              },
            },
          ],
        },
      ]),
    );
    return file;
  };
  const bond = async (file: string, check = false): Promise<Outcome> => (await tsplay(file, {}, check ? ['-C'] : [], 'vm2')).events.find((e) => e['type'] === 'host-result') as unknown as Outcome;
  const made = await bond(play(100, 10));
  t.is(made.status, 'changed', JSON.stringify(made));
  t.regex(String(made.result['msg']), /team0 becomes bond bond0: NetworkManager on this host has no team plugin/);
  t.is((await bond(play(100, 10))).status, 'ok');
  t.deepEqual((await bond(play(100, 10), true)).changes, []);
  const carrier2 = (): Promise<string> =>
    vm2()
      .shell('cat /sys/class/net/eth1/carrier_changes /sys/class/net/eth2/carrier_changes /sys/class/net/bond0/carrier_changes')
      .then((x) => x.stdout);
  const before = await carrier2();
  const swapped = await bond(play(10, 100));
  t.deepEqual(
    swapped.changes.map((c) => [c.property, c.before, c.after, c.class]),
    [['bond.options.primary', 'eth1', 'eth2', 'live']],
  );
  t.is(await carrier2(), before, 'NM reapplied the primary without a link bounce');
  t.regex((await vm2().shell('cat /proc/net/bonding/bond0')).stdout, /Currently Active Slave: eth2/);
  t.is((await bond(play(10, 100))).status, 'ok');
});
