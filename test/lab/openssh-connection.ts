// A minimal Connection over OpenSSH's client and the lab's ssh_config, for the lab smoke test
// while engine/connection/ (tsplay's own ssh) is written in parallel. `batch` sends every
// command in ONE ssh round trip: a fixed script runs them in order and returns each one's
// stdout, stderr and rc base64-framed (quoting by single-quote escaping, never raw joining).
import { spawn } from 'node:child_process';
import type { Argv, Connection, RunOptions, RunResult } from '../../engine/connection/types.ts';
import { labKeyPaths } from '../../engine/lab/keys.ts';

const q = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;

function ssh(host: string, script: string, opts?: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn('ssh', ['-F', labKeyPaths().sshConfig, '-o', 'BatchMode=yes', host, '--', script], {
      stdio: [opts?.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: opts?.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts?.stdin);
    child.on('close', (code) => resolve({ rc: code ?? 124, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), timedOut: code === null }));
  });
}

/** openSshConnection returns a Connection to a lab host driven by OpenSSH. */
export function openSshConnection(host: string): Connection {
  return {
    host,
    run: (argv: Argv, opts?: RunOptions) => ssh(host, argv.map(q).join(' '), opts),
    shell: (script: string, opts?: RunOptions) => ssh(host, script, opts),
    async batch(cmds: readonly Argv[], opts?: RunOptions): Promise<RunResult[]> {
      const body = cmds.map((c, i) => `${c.map(q).join(' ')} >"$d/o${i}" 2>"$d/e${i}"; echo $? >"$d/r${i}"`).join('\n');
      const emit = cmds.map((_c, i) => `printf '@%s@%s@%s@\\n' "$(base64 -w0 "$d/o${i}")" "$(base64 -w0 "$d/e${i}")" "$(cat "$d/r${i}")"`).join('\n');
      const r = await ssh(host, `d=$(mktemp -d) || exit 1\n${body}\n${emit}\nrm -rf "$d"`, opts);
      const frames = r.stdout.split('\n').filter((l) => l.startsWith('@'));
      if (r.rc !== 0 || frames.length !== cmds.length) throw new Error(`batch on ${host} failed (rc ${r.rc}): ${r.stderr}`);
      return frames.map((f) => {
        const [, o = '', e = '', rc = '1'] = f.split('@');
        return { rc: Number(rc), stdout: Buffer.from(o, 'base64').toString(), stderr: Buffer.from(e, 'base64').toString() };
      });
    },
    put: () => Promise.reject(new Error('put is not needed by the smoke test')),
    get: () => Promise.reject(new Error('get is not needed by the smoke test')),
    close: () => Promise.resolve(),
  };
}
