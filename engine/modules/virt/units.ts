// libvirt's <bandwidth> units against tc's. libvirt hands tc `rate <average>kbps` and
// `burst <burst>kb`; tc reads "kbps" as 1000 bytes/s (8000 bit/s) and "kb" as 1024 bytes.
// Proof in test/probes/cases: average 128, peak 256, burst 64 (virsh-domiftune-set.json) became
// "rate 1024Kbit ceil 2048Kbit burst 64Kb" (tc-class-real.json), i.e. 128 000 bytes/s and 65 536 bytes.

/** BYTES_PER_RATE_UNIT is what one unit of libvirt's average/peak is on the tap, in bytes/s. */
export const BYTES_PER_RATE_UNIT = 1000;
/** BYTES_PER_BURST_UNIT is what one unit of libvirt's burst is on the tap, in bytes. */
export const BYTES_PER_BURST_UNIT = 1024;

/** rateToBytes turns a libvirt average/peak into the bytes per second tc stores. */
export function rateToBytes(rate: number): number {
  return rate * BYTES_PER_RATE_UNIT;
}

/** rateToBits turns a libvirt average/peak into tc's bit/s. */
export function rateToBits(rate: number): number {
  return rate * BYTES_PER_RATE_UNIT * 8;
}

/** bitsToRate turns tc's bit/s back into libvirt's average/peak unit (rounded). */
export function bitsToRate(bits: number): number {
  return Math.round(bits / 8 / BYTES_PER_RATE_UNIT);
}

/** bytesToRate turns tc's bytes/s back into libvirt's average/peak unit (rounded). */
export function bytesToRate(bytes: number): number {
  return Math.round(bytes / BYTES_PER_RATE_UNIT);
}

/** burstToBytes turns a libvirt burst into tc's bytes. */
export function burstToBytes(burst: number): number {
  return burst * BYTES_PER_BURST_UNIT;
}

/** bytesToBurst turns tc's burst bytes back into libvirt's burst unit (rounded). */
export function bytesToBurst(bytes: number): number {
  return Math.round(bytes / BYTES_PER_BURST_UNIT);
}

/**
 * closeEnough compares a value read back from tc with the one asked for: htb keeps a burst as a
 * time at the class's rate and prints it rounded ("64Kb"), so a read-back is only near the input.
 */
export function closeEnough(got: number, want: number, tolerance = 0.02): boolean {
  if (want === 0) return got === 0;
  return Math.abs(got - want) / want <= tolerance;
}
