import { readFileSync } from 'node:fs';
import { formatPos } from './source-pos.ts';
import type { TsplayError } from './tsplay-error.ts';

const sourceCache = new Map<string, string[] | null>();

function sourceLine(file: string, line: number): string | undefined {
  let lines = sourceCache.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = null;
    }
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
    const src = sourceLine(err.pos.file, err.pos.line);
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
