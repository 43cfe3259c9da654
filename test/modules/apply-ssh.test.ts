// Modules over a real sshd (test/helpers/ssh-hosts.ts), driven by the executor's driveModule:
// each read costs exactly ONE call on the connection (one round trip), --check on an unconverged
// host reports changed and writes nothing, a first run changes (its effect read back over ssh),
// a second run plans nothing. (Per-task timing is measured in bench/, not asserted here.)
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import type { Connection } from '../../engine/connection/types.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { runModule, snapshot } from './support/drive.ts';

let hs: TestHosts;
let conn: Connection;
let pool: SshPool;
const calls: string[] = [];

// Counts every call a module makes on the connection; a batch is one call, one round trip.
function counting(c: Connection): Connection {
  return new Proxy(c, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function') return v;
      if (['run', 'shell', 'batch', 'put', 'get'].includes(String(prop))) {
        return (...a: unknown[]) => {
          calls.push(String(prop));
          return (v as (...x: unknown[]) => unknown).apply(target, a);
        };
      }
      return (v as (...x: unknown[]) => unknown).bind(target);
    },
  });
}

test.before(async () => {
  hs = await createTestHosts(1);
  pool = new SshPool();
  const h = hs.hosts[0]!;
  conn = counting(await openConnection(h.name, h.vars, { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 }, pool));
});

test.after.always(async () => {
  await conn?.close();
  await hs?.teardown();
});

// Read back over ssh (not from the local filesystem) what the host now holds.
async function over(argv: string[]): Promise<string> {
  const r = await conn.run(argv);
  return r.rc === 0 ? r.stdout : `rc ${r.rc}: ${r.stderr}`;
}

test.serial('every read is one round trip; a first run changes, a second plans nothing, --check writes nothing', async (t) => {
  const root = join(hs.hosts[0]!.root, 'rt');
  mkdirSync(root, { recursive: true });
  const tdir = join(root, 'templates');
  mkdirSync(tdir);
  writeFileSync(join(tdir, 't.hbs'), 'host {{ inventory_hostname }}\n');
  writeFileSync(join(root, 'cfg'), 'a=1\n');
  // changes: whether the module has something to do on this unconverged host (stat and slurp only
  // read; dpkg is installed already and nothing may be installed on this machine)
  const tasks: [string, Record<string, unknown>, boolean][] = [
    ['copy', { content: 'x\n', dest: join(root, 'c'), mode: '0640' }, true],
    ['template', { src: 't.hbs', dest: join(root, 't') }, true],
    ['file', { path: join(root, 'd'), state: 'directory', mode: '0755' }, true],
    ['lineinfile', { path: join(root, 'cfg'), regexp: '^a=', line: 'a=2' }, true],
    ['blockinfile', { path: join(root, 'cfg'), block: 'b=3' }, true],
    ['command', { cmd: `touch ${join(root, 'm')}`, creates: join(root, 'm') }, true],
    ['stat', { path: join(root, 'c') }, false],
    ['slurp', { src: join(root, 'cfg') }, false],
    ['package', { name: ['dpkg'] }, false],
  ];
  const opts = { templates: [tdir], vars: { inventory_hostname: 'h1' } };
  for (const [m, a, changes] of tasks) {
    const want = changes ? 'changed' : 'ok';
    const before = snapshot(root);
    calls.length = 0;
    const dry = await runModule(conn, m, a, { ...opts, check: true });
    t.deepEqual(calls, [calls[0]!], `${m}: read in one call, got ${calls.join(',')}`);
    t.deepEqual(snapshot(root), before, `${m}: --check wrote nothing`);
    t.is(dry.status, want, `${m} under --check on the unconverged host`);
    const first = await runModule(conn, m, a, opts);
    t.is(first.status, want, `${m} first run: ${first.result.msg ?? ''}`);
    t.is(first.registered['changed'], changes, `${m}: registered changed`);
    calls.length = 0;
    const second = await runModule(conn, m, a, opts);
    t.is(second.status, 'ok', `${m} second run: ${JSON.stringify(second.plan.changes)}`);
    t.is(calls.length, 1, `${m}: a converged run is one round trip`);
  }
  t.is(await over(['cat', join(root, 'cfg')]), 'a=2\n# BEGIN ANSIBLE MANAGED BLOCK\nb=3\n# END ANSIBLE MANAGED BLOCK\n');
  t.is(await over(['cat', join(root, 't')]), 'host h1\n');
  t.is(await over(['stat', '-c', '%F %a', join(root, 'c')]), 'regular file 640\n');
  t.is(await over(['cat', join(root, 'c')]), 'x\n');
  t.is(await over(['stat', '-c', '%F %a', join(root, 'd')]), 'directory 755\n');
  t.is(await over(['stat', '-c', '%F', join(root, 'm')]), 'regular empty file\n', 'command ran on the host');
  t.regex(await over(['dpkg-query', '-W', '-f=${Status}', 'dpkg']), /install ok installed/);
});

// A new directory with a plain mode is made by one `mkdir -p -m`: the same result as `mkdir -p`
// then `chmod`, which is what a mode with special bits or an owner still takes. In a setgid
// parent a numeric mode gives exactly that mode, as Ansible's os.chmod does (GNU chmod and mkdir
// keep a directory's setgid bit for a mode of four digits or fewer); a symbolic one keeps the
// inherited bit, as Ansible's mode computed from the directory it just made does.
test.serial('file state=directory: a new directory gets its mode exactly, whatever the umask and a setgid parent; the second run changes nothing', async (t) => {
  const root = join(hs.hosts[0]!.root, 'dirs');
  mkdirSync(join(root, 'sgid'), { recursive: true });
  await conn.run(['chmod', '2775', join(root, 'sgid')]);
  await conn.run(['mkdir', join(root, 'sgid/old'), join(root, 'sgid/old2')]);
  t.is(await over(['stat', '-c', '%a', join(root, 'sgid/old')]), '2755\n', 'a directory made in the setgid parent inherits the bit');
  const cases: [string, string, string][] = [
    [join(root, 'a/b/open'), '0777', 'directory 777'],
    [join(root, 'closed'), '0700', 'directory 700'],
    [join(root, 'sgid/n'), '0750', 'directory 750'],
    [join(root, 'sgid/old'), '0750', 'directory 750'],
    [join(root, 'sgid/old2'), 'g=rx', 'directory 755'],
    [join(root, 'sgid/rel'), 'g-w', 'directory 2755'],
    [join(root, 'special'), '2750', 'directory 2750'],
    [join(root, 'sym'), 'u=rwx,g=rx,o=', 'directory 750'],
  ];
  for (const [path, mode, want] of cases) {
    const r = await runModule(conn, 'file', { path, state: 'directory', mode });
    t.is(r.status, 'changed', path);
    t.is(await over(['stat', '-c', '%F %a', path]), `${want}\n`, `${path} mode ${mode}`);
    const again = await runModule(conn, 'file', { path, state: 'directory', mode });
    t.is(again.status, 'ok', `${path} mode ${mode}: a second run changes nothing (${JSON.stringify(again.plan.changes)})`);
  }
  // the parents mkdir -p made: the login umask's mode, as before
  const umask = (await over(['sh', '-c', 'umask'])).trim();
  t.is(await over(['stat', '-c', '%a', join(root, 'a')]), `${(0o777 & ~Number.parseInt(umask, 8)).toString(8)}\n`);
});
