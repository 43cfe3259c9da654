// -K/--ask-become-pass: the sudo password, asked once before the run. It goes only into the
// connection options; it is never printed, logged or put into an event.
import { TsplayError } from '../../errors/index.ts';

/** BECOME_PROMPT is the prompt ansible-playbook shows for -K. */
export const BECOME_PROMPT = 'BECOME password: ';

/**
 * readBecomePassword asks for the become password: on a terminal with echo off (raw mode, the
 * prompt on stderr so stdout stays clean for --output json), otherwise one line read from stdin.
 */
export function readBecomePassword(input: NodeJS.ReadStream = process.stdin, prompt: NodeJS.WritableStream = process.stderr): Promise<string> {
  return input.isTTY ? fromTerminal(input, prompt) : firstLine(input);
}

function fromTerminal(input: NodeJS.ReadStream, prompt: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    // echo goes off before the prompt appears (as Python's getpass does): a password typed the
    // moment the prompt shows must never be echoed by the terminal
    input.setRawMode(true);
    prompt.write(BECOME_PROMPT);
    const done = (err?: Error): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      prompt.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new TsplayError({ code: 'E_INTERRUPTED', message: 'interrupted at the BECOME password prompt' }));
        if (ch === '\u0004') {
          if (typed === '') return done();
          continue;
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch === '\u0015')
          typed = ''; // Ctrl-U clears the line, as a cooked terminal would
        else typed += ch;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

function firstLine(input: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const finish = (): void => {
      input.off('data', onData);
      input.off('end', finish);
      input.pause();
      // the rest of stdin is not ours to read: stop holding the process open for it
      (input as { unref?: () => void }).unref?.();
      resolve(buf.replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer | string): void => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        buf = buf.slice(0, nl);
        finish();
      }
    };
    input.on('data', onData);
    input.on('end', finish);
    input.resume();
  });
}
