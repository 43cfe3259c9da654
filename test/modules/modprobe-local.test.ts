// modprobe's read on this machine, for real and read-only: its kernel (6.18, no module support:
// no /proc/modules, no modprobe) shows built-in modules only under /sys/module. Loading and the
// persisted files are proven by plan cases (plans/modprobe.yaml) until a lab guest runs them.
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { LocalConnection } from '../../engine/connection/local.ts';
import { runModule } from './support/drive.ts';

const conn = new LocalConnection('localhost');
test.after.always(() => conn.close());

test('a built-in module with parameters reads as loaded: converged, nothing runs', async (t) => {
  if (!existsSync('/sys/module/kvm')) return t.pass('no /sys/module/kvm on this machine');
  const r = await runModule(conn, 'modprobe', { name: 'kvm' });
  t.is(r.status, 'ok', JSON.stringify(r.registered));
  t.is(r.plan.reason, 'kvm is loaded');
  t.deepEqual(r.registered, { name: 'kvm', params: '', state: 'present', changed: false, failed: false });
});

test('--check with persistent: present plans the boot files with their classes and writes nothing', async (t) => {
  if (!existsSync('/sys/module/kvm/parameters/ignore_msrs') || existsSync('/etc/modules-load.d/kvm.conf')) return t.pass('not this machine');
  const r = await runModule(conn, 'modprobe', { name: 'kvm', params: 'ignore_msrs=1', persistent: 'present' }, { check: true });
  t.is(r.status, 'changed');
  // with ignore_msrs N in the running kernel the option only takes effect at the next load
  const running = readFileSync('/sys/module/kvm/parameters/ignore_msrs', 'utf8').trim();
  const cls = running === 'Y' ? 'live' : 'config';
  t.deepEqual(
    r.plan.changes.map((c) => [c.property, c.class]),
    [
      ['load at boot', 'live'],
      ['options at boot', cls],
    ],
  );
  t.is(r.registered['pending_restart'] === true, cls === 'config');
  t.false(existsSync('/etc/modules-load.d/kvm.conf'));
  t.false(existsSync('/etc/modprobe.d/kvm.conf'));
});
