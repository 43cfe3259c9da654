import { randomFillSync } from 'node:crypto';

// randomBytes(n) per call costs a trip into OpenSSL's CSPRNG for a few bytes (about 4 µs, ten
// times slicing a pool), and a run asks for one per request (frame markers) and per writing
// task: 1 500 at 50 hosts. The pool is filled from the same CSPRNG and every byte is used once.
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let used = POOL_SIZE;

/** randomHex returns `bytes` bytes from the CSPRNG as hex (each byte of the pool is handed out once). */
export function randomHex(bytes: number): string {
  if (bytes > POOL_SIZE) return randomFillSync(Buffer.alloc(bytes)).toString('hex');
  if (used + bytes > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.toString('hex', used, used + bytes);
  used += bytes;
  return out;
}
