// sysctl for real, inside a network namespace this test creates: the connection is a local one
// whose every command runs under `ip netns exec NS`, so net.* keys are the namespace's own and the
// machine's values never move (checked before and after). The persisted file lives in a temp dir.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.ts';
import { runModule } from './support/drive.ts';

const NS = `tsplay-sysctl-${process.pid}`;
const KEY = '/proc/sys/net/ipv4/ip_forward';
let dir: string;
let conn: LocalConnection;
let hostValue: string;

const inNs = (path: string): string => execFileSync('ip', ['netns', 'exec', NS, 'cat', path], { encoding: 'utf8' }).trim();

test.before(() => {
  hostValue = readFileSync(KEY, 'utf8');
  execFileSync('ip', ['netns', 'add', NS]);
  dir = mkdtempSync(join(tmpdir(), 'tsplay-sysctl-'));
  conn = new LocalConnection('ns1', {}, { prefix: ['ip', 'netns', 'exec', NS] });
});

test.after.always(async () => {
  await conn?.close();
  // only the namespace this file created, by its name
  execFileSync('ip', ['netns', 'del', NS]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test.serial('ip_forward set in the namespace only: both layers live, second run and --check change nothing', async (t) => {
  const file = join(dir, 'forward.conf');
  writeFileSync(file, '# tsplay test\nnet.ipv4.tcp_syncookies = 1\n');
  t.is(inNs(KEY), '0', 'a new namespace starts without forwarding');
  const args = { name: 'net.ipv4.ip_forward', value: '1', sysctl_set: true, sysctl_file: file };

  const check = await runModule(conn, 'sysctl', args, { check: true });
  t.is(check.status, 'changed');
  t.is(inNs(KEY), '0', '--check set nothing');
  t.is(readFileSync(file, 'utf8'), '# tsplay test\nnet.ipv4.tcp_syncookies = 1\n', '--check wrote nothing');

  const first = await runModule(conn, 'sysctl', args);
  t.is(first.status, 'changed', JSON.stringify(first.registered));
  t.deepEqual(
    first.result.changes.map((c) => [c.property, c.before, c.after, c.class]),
    [
      ['running', '0', '1', 'live'],
      ['persisted', null, '1', 'live'],
    ],
  );
  t.false('pending_restart' in first.registered, 'applied live: nothing waits for a restart');
  t.is(inNs(KEY), '1');
  t.is(readFileSync(file, 'utf8'), '# tsplay test\nnet.ipv4.tcp_syncookies=1\nnet.ipv4.ip_forward=1\n');
  t.is(readFileSync(KEY, 'utf8'), hostValue, "the machine's own value did not move");

  const second = await runModule(conn, 'sysctl', args);
  t.is(second.status, 'ok', second.plan.reason);
  const again = await runModule(conn, 'sysctl', args, { check: true, diff: true });
  t.is(again.status, 'ok');
  t.deepEqual(again.plan.changes, []);
});

test.serial('state absent drops the entry and leaves the running value: config, pending restart', async (t) => {
  const file = join(dir, 'absent.conf');
  writeFileSync(file, 'net.ipv4.ip_forward=1\n');
  const r = await runModule(conn, 'sysctl', { name: 'net.ipv4.ip_forward', state: 'absent', sysctl_file: file, reload: false });
  t.is(r.status, 'changed');
  t.is(r.result.changes[0]?.class, 'config');
  t.is(r.registered['pending_restart'], true);
  t.is(readFileSync(file, 'utf8'), '');
  t.is(inNs(KEY), '1', 'the running value stays until the next boot');
});

test.serial('half-applied: file right, kernel not, reload no - reported, unchanged; with reload the kernel follows', async (t) => {
  const file = join(dir, 'half.conf');
  writeFileSync(file, 'net.ipv4.conf.all.forwarding=0\n');
  t.is(inNs('/proc/sys/net/ipv4/conf/all/forwarding'), '1', 'ip_forward=1 turned all.forwarding on');
  const args = { name: 'net.ipv4.conf.all.forwarding', value: '0', sysctl_file: file };
  const quiet = await runModule(conn, 'sysctl', { ...args, reload: false });
  t.is(quiet.status, 'ok');
  t.regex(quiet.plan.reason ?? '', /half-applied: .* has net\.ipv4\.conf\.all\.forwarding=0 but the running kernel has 1/);
  const fixed = await runModule(conn, 'sysctl', args);
  t.is(fixed.status, 'changed');
  t.deepEqual(
    fixed.result.changes.map((c) => c.property),
    ['running'],
  );
  t.is(inNs('/proc/sys/net/ipv4/conf/all/forwarding'), '0');
});

test.serial('a key the namespace does not have fails before writing anything', async (t) => {
  const file = join(dir, 'nosuch.conf');
  const r = await runModule(conn, 'sysctl', { name: 'net.ipv4.tsplay_nosuch', value: '1', sysctl_file: file });
  t.is(r.status, 'failed');
  t.regex(String(r.registered['msg']), /not a key of this kernel/);
  t.throws(() => readFileSync(file));
});
