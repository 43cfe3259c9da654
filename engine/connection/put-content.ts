import { open, readFile } from 'node:fs/promises';
import type { PutContent } from './types.ts';

/** PUT_CHUNK is the piece size put sends in; OpenSSH's sftp-server caps requests at 256 KiB. */
export const PUT_CHUNK = 64 * 1024;

/**
 * putChunks yields put content in order as pieces of at most PUT_CHUNK bytes; a controller file
 * is read piece by piece as the consumer asks, so one transfer holds one piece, not the file.
 */
export async function* putChunks(content: PutContent): AsyncGenerator<Buffer> {
  if (typeof content === 'string' || Buffer.isBuffer(content)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    for (let off = 0; off < data.length; off += PUT_CHUNK) yield data.subarray(off, off + PUT_CHUNK);
    return;
  }
  const fh = await open(content.localPath, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(PUT_CHUNK);
      const { bytesRead } = await fh.read(buf, 0, PUT_CHUNK, null);
      if (bytesRead === 0) return;
      yield bytesRead === PUT_CHUNK ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

/**
 * putBytes is put content as one Buffer, for the paths that hand it to a command's stdin (sudo);
 * a controller file is read whole there, which only those paths pay for.
 */
export function putBytes(content: PutContent): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return Promise.resolve(content);
  if (typeof content === 'string') return Promise.resolve(Buffer.from(content, 'utf8'));
  return readFile(content.localPath);
}
