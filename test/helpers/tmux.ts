// A real terminal for tests of what people see: a private tmux server (its own socket, so no
// other tmux on the machine is touched) running one command in a pane of a fixed size.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait-for.ts';

/** Terminal is one tmux pane running a command; `teardown` ends its private server. */
export interface Terminal {
  /** screen is what the pane shows now, one string per row (trailing blank rows dropped). */
  screen(): string[];
  /** scrollback is everything the pane printed: its history and the screen (trailing blank rows dropped). */
  scrollback(): string[];
  /** keys types into the pane (tmux key names: `C-c` is Ctrl-C, delivered by the terminal as SIGINT). */
  keys(...keys: string[]): void;
  /** exited waits until the command ended and returns its exit code (128+N when signal N ended it). */
  exited(timeoutMs: number): Promise<number>;
  teardown(): void;
}

function trimEnd(rows: string[]): string[] {
  // remain-on-exit's own `Pane is dead (status 0, …)` line is tmux's, not the command's
  const out = rows.map((r) => r.replace(/\s+$/, '')).filter((r) => !r.startsWith('Pane is dead ('));
  while (out.length > 0 && out.at(-1) === '') out.pop();
  return out;
}

/**
 * openTerminal starts `argv` in a detached tmux pane of `cols`×`rows` (cwd, env as given). The pane
 * stays after the command ends (remain-on-exit), so its last screen can be read.
 */
export function openTerminal(argv: readonly string[], o: { cols: number; rows: number; cwd: string; env: Record<string, string | undefined> }): Terminal {
  const socket = `tsplay-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: o.env as NodeJS.ProcessEnv });
  // Why a shell writes the exit status to a file: tmux can mark a pane dead (its terminal closed)
  // and never record the status. The trap keeps that shell alive through a Ctrl-C meant for the
  // command (a trapped signal, unlike an ignored one, is back to default in the command).
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-tmux-'));
  const statusFile = join(dir, 'status');
  const wrapped = ['sh', '-c', 'trap : INT; "$@"; echo $? > "$0.tmp" && mv "$0.tmp" "$0"', statusFile, ...argv];
  // the server starts with the session; history-limit applies to panes made after it is set,
  // so the first (empty) window only sets options and the command runs in a second one
  tmux('new-session', '-d', '-s', 't', '-x', String(o.cols), '-y', String(o.rows));
  tmux('set-option', '-g', 'history-limit', '100000');
  tmux('set-option', '-g', 'remain-on-exit', 'on');
  tmux('new-window', '-t', 't:1', '-c', o.cwd, '--', ...wrapped);
  tmux('kill-window', '-t', 't:0');
  const pane = 't:1';
  const capture = (...range: string[]): string[] => trimEnd(tmux('capture-pane', '-p', '-t', pane, ...range).split('\n'));
  return {
    screen: () => capture(),
    scrollback: () => capture('-S', '-', '-E', '-'),
    keys: (...keys: string[]): void => void tmux('send-keys', '-t', pane, ...keys),
    async exited(timeoutMs: number): Promise<number> {
      // each look is a file read; every 100 ms is plenty for runs of seconds
      const ended = async (): Promise<boolean> => (await new Promise((r) => setTimeout(r, 100))) === undefined && existsSync(statusFile);
      try {
        await waitFor(ended, `${argv.join(' ')} to end`, timeoutMs);
      } catch (e) {
        throw new Error(`${(e as Error).message}; the screen:\n${capture().join('\n')}`);
      }
      return Number(readFileSync(statusFile, 'utf8').trim());
    },
    teardown(): void {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
