// Runs the real host tools the lab drives and turns their failures into one clear error.
import { spawn } from 'node:child_process';
import { TsplayError } from '../errors/index.ts';

/** ToolResult is what a finished local command produced. */
export interface ToolResult {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** ToolOptions tunes one local command. */
export interface ToolOptions {
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** stream the command's output to this file descriptor (long steps like debootstrap) */
  readonly logFd?: number;
  readonly timeoutMs?: number;
}

/** runTool runs argv without a shell and resolves with rc/stdout/stderr, never throwing for rc != 0. */
export function runTool(argv: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) {
      reject(new Error('runTool: empty argv'));
      return;
    }
    const child = spawn(cmd, args, {
      env: { ...process.env, LC_ALL: 'C', ...opts.env },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => {
      out.push(b);
      if (opts.logFd !== undefined) process.stderr.write(b);
    });
    child.stderr?.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.logFd !== undefined) process.stderr.write(b);
    });
    child.on('error', (e) => resolve({ rc: 127, stdout: '', stderr: `${cmd}: ${e.message}` }));
    child.on('close', (code, signal) =>
      resolve({
        rc: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (signal ? `\n(killed by ${signal})` : ''),
      }),
    );
    if (child.stdin) {
      // a command that exits before reading its stdin must not crash the lab with EPIPE
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.stdin);
    }
  });
}

/** mustRun runs argv for a named lab step and throws E_LAB with the tool's own stderr when it fails. */
export async function mustRun(step: string, argv: readonly string[], opts: ToolOptions = {}): Promise<ToolResult> {
  const r = await runTool(argv, opts);
  if (r.rc !== 0) throw labError(step, argv, r);
  return r;
}

/** labError builds the error for a failed lab step, quoting the command and the tail of its stderr. */
export function labError(step: string, argv: readonly string[], r: ToolResult): TsplayError {
  const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-15).join('\n');
  return new TsplayError({
    code: 'E_LAB',
    message: `lab step "${step}" failed: \`${argv.join(' ')}\` exited ${r.rc}:\n${tail}`,
  });
}

/** stepError builds an E_LAB error for a step that failed without a tool to blame. */
export function stepError(step: string, message: string): TsplayError {
  return new TsplayError({ code: 'E_LAB', message: `lab step "${step}" failed: ${message}` });
}
