// The remote-command counter the lab's speed figures use (test/helpers/exec-trace.ts), checked
// against a real sshd: strace follows it while tsplay's connection sends known commands, and
// exactly those must come back — not the driver's own plumbing (stdin, stderr, start-up probes),
// not what a `sh -c` script starts, and a command whose exec finds no program still counts.
import test from 'ava';
import { openConnection, SshPool } from '../../engine/connection/index.ts';
import { NO_PROGRAM, traceCommands } from '../helpers/exec-trace.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

let hs: TestHosts;
test.before(async () => {
  hs = await createTestHosts(1);
});
test.after.always(async () => {
  await hs?.teardown();
});

test('traceCommands counts the commands a connection sends, one per command, whatever they start', async (t) => {
  const h = hs.hosts[0]!;
  const pool = new SshPool();
  const { value, commands } = await traceCommands(h.pid, async () => {
    const conn = await openConnection(h.name, h.vars, { hostKeyChecking: 'yes', knownHostsFile: hs.knownHostsFile, verbosity: 0 }, pool);
    try {
      const rs = await conn.batch([['test', '-e', '/'], ['sh', '-c', 'cat /proc/version >/dev/null; ls / >/dev/null; echo oops >&2'], ['cat'], ['tsplay-no-such-command']]);
      // in a subshell (here: a cwd), a missing program still costs a process, so it counts
      const missing = await conn.run(['tsplay-no-such-command'], { cwd: '/' });
      const one = await conn.run(['cat'], { stdin: 'from stdin\n' });
      const late = await conn.run(['sleep', '0'], { timeoutMs: 5000 });
      return [...rs.map((r) => r.rc), missing.rc, one.stdout, late.rc];
    } finally {
      await conn.close();
    }
  });
  t.deepEqual(value, [0, 0, 0, 127, 127, 'from stdin\n', 0]);
  // every command is exec'd (`test` too, not the shell's builtin). A missing program run by the
  // driver's shell itself (a plain argv) starts no process at all: dash finds nothing before it
  // would vfork; in a subshell it is a process that starts no program.
  t.deepEqual(commands, [['test', '-e', '/'], ['sh', '-c', 'cat /proc/version >/dev/null; ls / >/dev/null; echo oops >&2'], ['cat'], NO_PROGRAM, ['cat'], ['sleep', '0']]);
});
