// Data test for ssh option parsing (data/ssh-options.json), with OpenSSH's `ssh -G` run on the
// same arguments as the oracle, plus how resolveTarget ranks host vars over ssh options.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { hostKeyPolicy, knownHostsFiles } from '../../engine/connection/ssh-connect.ts';
import { configOptionsFor, loadSshConfig, parseSshArgs, type SshSettings, sshSettings, splitShellWords } from '../../engine/connection/ssh-options.ts';
import { resolveTarget } from '../../engine/connection/ssh-target.ts';
import type { ConnectOptions } from '../../engine/connection/types.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

const DATA = new URL('./data/', import.meta.url).pathname.replace(/\/$/, '');
interface Case {
  name: string;
  args: string;
  host: string;
  expect: Partial<SshSettings>;
  ignored?: string[];
}
const cases = caseList<Case>(readCaseFile<{ cases?: unknown }>(`${DATA}/ssh-options.json`).cases, `${DATA}/ssh-options.json`, ['name', 'args', 'host', 'expect']);
const fill = (s: string): string => s.replaceAll('{data}', DATA);
const home = (s: string): string => (s.startsWith('~/') ? homedir() + s.slice(1) : s);

function ours(c: Case): SshSettings {
  const a = parseSshArgs(fill(c.args));
  const fromConfig = a.configFile ? configOptionsFor(loadSshConfig(a.configFile, 'case'), c.host) : [];
  return sshSettings([...a.options, ...fromConfig], 'case');
}

// `ssh -G` prints the settings ssh would use, one `keyword value` line each, without connecting.
function oracle(c: Case): Map<string, string[]> {
  const args = splitShellWords(fill(c.args));
  const out = execFileSync('ssh', ['-G', ...(args.includes('-F') ? [] : ['-F', '/dev/null']), ...args, c.host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0) m.set(line.slice(0, i), [...(m.get(line.slice(0, i)) ?? []), line.slice(i + 1)]);
  }
  return m;
}

const STRICT: Record<string, string> = { true: 'yes', ask: 'yes', false: 'no', 'accept-new': 'accept-new' };

for (const c of cases) {
  test(`ssh options: ${c.name}`, (t) => {
    const got = ours(c);
    const want = c.expect;
    const fields = ['hostName', 'port', 'user', 'knownHostsFiles', 'strictHostKeyChecking', 'connectTimeoutMs', 'serverAliveIntervalMs', 'serverAliveCountMax', 'proxyJump', 'proxyCommand'] as const;
    for (const f of fields) {
      const w = want[f];
      t.deepEqual(got[f], Array.isArray(w) ? w.map((x) => home(fill(x))) : w, f);
    }
    t.deepEqual(
      got.identityFiles,
      (want.identityFiles ?? []).map((x) => home(fill(x))),
      'identityFiles',
    );
    if (c.ignored)
      t.deepEqual(
        got.ignored.map((x) => x.replace(/ \(.*\)$/, '')),
        c.ignored,
        'ignored',
      );

    // the oracle agrees on every field the case sets
    const g = oracle(c);
    const one = (k: string): string | undefined => g.get(k)?.[0];
    if (want.hostName) t.is(one('hostname'), want.hostName, 'ssh -G hostname');
    if (want.port) t.is(one('port'), String(want.port), 'ssh -G port');
    if (want.user) t.is(one('user'), want.user, 'ssh -G user');
    if (want.knownHostsFiles) t.deepEqual(splitShellWords(one('userknownhostsfile') ?? ''), got.knownHostsFiles, 'ssh -G userknownhostsfile');
    if (want.strictHostKeyChecking) t.is(STRICT[one('stricthostkeychecking') ?? ''], want.strictHostKeyChecking, 'ssh -G stricthostkeychecking');
    if (want.connectTimeoutMs) t.is(Number(one('connecttimeout')) * 1000, want.connectTimeoutMs, 'ssh -G connecttimeout');
    if (want.serverAliveIntervalMs) t.is(Number(one('serveraliveinterval')) * 1000, want.serverAliveIntervalMs, 'ssh -G serveraliveinterval');
    if (want.serverAliveCountMax) t.is(Number(one('serveralivecountmax')), want.serverAliveCountMax, 'ssh -G serveralivecountmax');
    t.is(one('proxyjump'), want.proxyJump, 'ssh -G proxyjump');
    t.is(one('proxycommand'), want.proxyCommand, 'ssh -G proxycommand');
    if (want.identityFiles) t.deepEqual((g.get('identityfile') ?? []).map(home), got.identityFiles, 'ssh -G identityfile');
  });
}

const opts: ConnectOptions = { hostKeyChecking: 'yes', verbosity: 0 };

test('host vars win over -o options, -o over the -F config; tsplay_known_hosts wins over UserKnownHostsFile', (t) => {
  const args = `-F ${DATA}/ssh_config -o Port=2300 -o User=bob -o IdentityFile=/k2 -o UserKnownHostsFile=/kh1`;
  const tg = resolveTarget('vm', { ansible_host: 'hv1', ansible_ssh_common_args: args }, opts);
  t.like(tg, {
    host: '127.0.0.1',
    port: 2300,
    user: 'bob',
    keyFiles: ['/k2', '/var/lib/tsplay-lab/id_ed25519'],
    knownHostsFiles: ['/kh1'],
    strictHostKeyChecking: 'yes',
    connectTimeoutMs: 20000,
    keepaliveIntervalMs: 5000,
    keepaliveCountMax: 3,
  });
  const tv = resolveTarget(
    'vm',
    { ansible_host: 'hv1', ansible_port: 2400, ansible_user: 'carol', ansible_ssh_private_key_file: '/k1', tsplay_known_hosts: ['~/kh0'], ansible_ssh_common_args: args },
    opts,
  );
  t.like(tv, { port: 2400, user: 'carol', keyFiles: ['/k1', '/k2', '/var/lib/tsplay-lab/id_ed25519'], knownHostsFiles: [`${homedir()}/kh0`] });
  // extra args come after common args, so common args win where both set a keyword
  t.like(resolveTarget('x', { ansible_host: 'h', ansible_ssh_common_args: '-o Port=1', ansible_ssh_extra_args: '-o Port=2 -o User=eve' }, opts), { port: 1, user: 'eve' });
});

test("known_hosts files: the host's own plus the global one; else the run-wide file; else ~/.ssh/known_hosts", (t) => {
  const tg = resolveTarget('x', { ansible_host: 'h', ansible_ssh_common_args: "-o 'UserKnownHostsFile /a /b'" }, opts);
  t.deepEqual(knownHostsFiles({ ...opts, knownHostsFile: '/run-wide' }, tg), ['/a', '/b', '/etc/ssh/ssh_known_hosts']);
  const plain = resolveTarget('x', { ansible_host: 'h' }, opts);
  t.deepEqual(knownHostsFiles({ ...opts, knownHostsFile: '/run-wide' }, plain), ['/run-wide']);
  t.deepEqual(knownHostsFiles(opts, plain), [`${homedir()}/.ssh/known_hosts`, '/etc/ssh/ssh_known_hosts']);
});

test("StrictHostKeyChecking: the host's value wins, `no` becomes accept-new, never no", (t) => {
  const withStrict = (v: string): ReturnType<typeof resolveTarget> => resolveTarget('x', { ansible_host: 'h', ansible_ssh_common_args: `-o StrictHostKeyChecking=${v}` }, opts);
  t.is(hostKeyPolicy(withStrict('no'), opts), 'accept-new');
  t.is(hostKeyPolicy(withStrict('off'), opts), 'accept-new');
  t.is(hostKeyPolicy(withStrict('yes'), { ...opts, hostKeyChecking: 'accept-new' }), 'yes');
  t.is(hostKeyPolicy(withStrict('accept-new'), opts), 'accept-new');
  t.is(hostKeyPolicy(resolveTarget('x', { ansible_host: 'h' }, opts), { ...opts, hostKeyChecking: 'accept-new' }), 'accept-new');
});

test('bad values and a missing -F file are errors naming the host; unknown options are logged', (t) => {
  const e1 = t.throws(() => resolveTarget('web1', { ansible_ssh_common_args: '-o Port=http' }, opts), { instanceOf: TsplayError });
  t.is((e1 as TsplayError).host, 'web1');
  t.regex(e1?.message ?? '', /port "http"/i);
  t.throws(() => resolveTarget('web1', { ansible_ssh_common_args: '-o StrictHostKeyChecking=maybe' }, opts), { instanceOf: TsplayError, message: /StrictHostKeyChecking "maybe"/ });
  const e2 = t.throws(() => resolveTarget('web1', { ansible_ssh_common_args: '-F /nonexistent/ssh_config' }, opts), { instanceOf: TsplayError });
  t.is((e2 as TsplayError).code, 'E_UNREACHABLE');
  t.regex(e2?.message ?? '', /-F \/nonexistent\/ssh_config/);
  const lines: string[] = [];
  resolveTarget('web1', { ansible_ssh_common_args: `-o ControlMaster=auto -F ${DATA}/ssh_config` }, { ...opts, log: (l) => lines.push(l) });
  t.true(
    lines.some((l) => l.startsWith('web1: ssh options tsplay does not use: controlmaster=auto (-o)')),
    lines.join('\n'),
  );
  t.true(
    lines.some((l) => /ssh config lines tsplay skips: .*ssh_config:\d+: Match block/.test(l)),
    lines.join('\n'),
  );
});

test('a jump name that is no inventory host is looked up in the same -F config', (t) => {
  // the -o options of the target do not reach its jump host (ssh passes only -F to ProxyJump)
  const tg = resolveTarget('vm', { ansible_host: 'vm1', ansible_ssh_common_args: `-F ${DATA}/ssh_config -o UserKnownHostsFile=/only-vm` }, opts);
  t.like(tg, {
    host: '10.61.1.11',
    knownHostsFiles: ['/only-vm'],
    via: { key: 'literal:root@127.0.0.1:2201', host: '127.0.0.1', port: 2201, user: 'root', knownHostsFiles: ['/var/lib/tsplay-lab/known_hosts'] },
  });
  t.is(resolveTarget('vm', { ansible_host: '10.61.1.11', ansible_ssh_common_args: `-F ${DATA}/ssh_config -J hv1` }, opts).via?.port, 2201);
});
