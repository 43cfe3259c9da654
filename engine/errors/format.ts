import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { formatPos } from './source-pos.ts';
import type { TsplayError } from './tsplay-error.ts';

const sourceCache = new Map<string, string[] | null>();

// Why a bound: the file in error may be the 2 GB one that was refused, or /dev/zero; quoting a
// line needs only the start of a regular file, and a quoted line longer than a screen helps nobody.
const MAX_SOURCE_BYTES = 1024 * 1024;
const MAX_SHOWN_CHARS = 300;

function readStart(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return null;
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(MAX_SOURCE_BYTES);
      const n = readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

function sourceLine(file: string, line: number): string | undefined {
  let lines = sourceCache.get(file);
  if (lines === undefined) {
    lines = readStart(file)?.split('\n') ?? null;
    sourceCache.set(file, lines);
  }
  return lines?.[line - 1];
}

/**
 * formatError renders `file:line:col: error[CODE]: message`, the offending source line with a
 * caret under the column, and the hint, in the shape compilers use so editors can jump to it.
 */
export function formatError(err: TsplayError): string {
  const where = err.pos ? `${formatPos(err.pos)}: ` : '';
  const who = [err.host && `host ${err.host}`, err.task && `task "${err.task}"`].filter(Boolean).join(', ');
  const out = [`${where}error[${err.code}]: ${err.message}${who ? ` (${who})` : ''}`];
  if (err.pos) {
    const full = sourceLine(err.pos.file, err.pos.line);
    const src = full !== undefined && full.length > MAX_SHOWN_CHARS ? `${full.slice(0, Math.max(MAX_SHOWN_CHARS, err.pos.col + 20))}…` : full;
    if (src !== undefined) {
      const gutter = String(err.pos.line).length;
      out.push(`${' '.repeat(gutter)} |`);
      out.push(`${err.pos.line} | ${src.replace(/\t/g, ' ')}`);
      out.push(`${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, err.pos.col - 1))}^`);
    }
  }
  if (err.hint) out.push(`  = hint: ${err.hint}`);
  return out.join('\n');
}
