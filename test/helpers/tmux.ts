// A real terminal for tests of what people see: a private tmux server (its own socket, so no
// other tmux on the machine is touched) running one command in a pane of a fixed size.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { waitFor } from './wait-for.ts';

/** Terminal is one tmux pane running a command; `teardown` ends its private server. */
export interface Terminal {
  /** screen is what the pane shows now, one string per row (trailing blank rows dropped). */
  screen(): string[];
  /** scrollback is everything the pane printed: its history and the screen (trailing blank rows dropped). */
  scrollback(): string[];
  /** exited waits until the command ended and returns its exit code. */
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
 * stays after the command ends (remain-on-exit), so its last screen and exit code can be read.
 */
export function openTerminal(argv: readonly string[], o: { cols: number; rows: number; cwd: string; env: Record<string, string | undefined> }): Terminal {
  const socket = `tsplay-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: o.env as NodeJS.ProcessEnv });
  // the server starts with the session; history-limit applies to panes made after it is set,
  // so the first (empty) window only sets options and the command runs in a second one
  tmux('new-session', '-d', '-s', 't', '-x', String(o.cols), '-y', String(o.rows));
  tmux('set-option', '-g', 'history-limit', '100000');
  tmux('set-option', '-g', 'remain-on-exit', 'on');
  tmux('new-window', '-t', 't:1', '-c', o.cwd, '--', ...argv);
  tmux('kill-window', '-t', 't:0');
  const pane = 't:1';
  const capture = (...range: string[]): string[] => trimEnd(tmux('capture-pane', '-p', '-t', pane, ...range).split('\n'));
  return {
    screen: () => capture(),
    scrollback: () => capture('-S', '-', '-E', '-'),
    async exited(timeoutMs: number): Promise<number> {
      // tmux marks the pane dead when its terminal closes, which can be before it has reaped the
      // process: the status is empty until then (and Number('') would read as a clean exit 0)
      let status = '';
      const ended = async (): Promise<boolean> => {
        // each look spawns tmux: look every 100 ms, not waitFor's 10
        await new Promise((r) => setTimeout(r, 100));
        const [dead, code] = tmux('display-message', '-p', '-t', pane, '#{pane_dead}:#{pane_dead_status}').trim().split(':');
        status = code ?? '';
        return dead === '1' && /^\d+$/.test(status);
      };
      await waitFor(ended, `${argv.join(' ')} to end`, timeoutMs);
      return Number(status);
    },
    teardown(): void {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
