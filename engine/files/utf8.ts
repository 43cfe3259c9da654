import { TsplayError } from '../errors/index.ts';
import { shortPath } from './paths.ts';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// A lossy decode is exact up to its first U+FFFD that the bytes do not spell out themselves
// (EF BF BD), so that character's byte offset is where the first invalid sequence starts.
function firstInvalid(buf: Buffer): number {
  const lossy = buf.toString('utf8');
  for (let i = lossy.indexOf('\uFFFD'); i !== -1; i = lossy.indexOf('\uFFFD', i + 1)) {
    const at = Buffer.byteLength(lossy.slice(0, i), 'utf8');
    if (!(buf[at] === 0xef && buf[at + 1] === 0xbf && buf[at + 2] === 0xbd)) return at;
  }
  return buf.length;
}

/**
 * decodeUtf8 decodes a controller file's bytes as UTF-8 and refuses invalid bytes, as Ansible
 * does: the error names the file, the byte offset (and line/column) of the first invalid
 * sequence, never writing U+FFFD in its place. `what` starts the message ('template', 'vars file').
 */
export function decodeUtf8(buf: Buffer, file: string, what = 'file'): string {
  try {
    return strict.decode(buf);
  } catch {
    const at = firstInvalid(buf);
    const before = buf.subarray(0, at).toString('utf8');
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    const bytes = [...buf.subarray(at, at + 4)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    throw new TsplayError({
      code: 'E_FILE_READ',
      message: `${what} ${shortPath(file)} is not valid UTF-8: invalid byte sequence at byte offset ${at} (line ${line}, column ${col}; bytes ${bytes})`,
      pos: { file, line, col },
      hint: 'convert it to UTF-8 (iconv -f latin1 -t utf-8), or use copy, which carries bytes exactly',
    });
  }
}
