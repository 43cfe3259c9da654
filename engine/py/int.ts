// Python ints are unbounded; a JavaScript number holds integers exactly only up to 2^53. tsplay
// keeps an int as a number while that is exact and as a bigint beyond it, so ordinary data stays
// plain numbers and `12345678901234567890` still prints (and compares) as Python has it.

/** pyInt is an integer as tsplay holds it: a number when exactly representable, else a bigint. */
export function pyInt(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** parsePyInt reads decimal digits (with an optional sign) as pyInt does: exact at any size. */
export function parsePyInt(text: string): number | bigint {
  return pyInt(BigInt(text));
}
