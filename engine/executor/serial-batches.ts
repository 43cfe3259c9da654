/**
 * serialBatches splits a play's hosts into batches as Ansible's `serial` does: each entry is a
 * count or a percentage of all hosts (at least 1), entries apply in order and the last one
 * repeats; without `serial` (or with 0) there is one batch of every host.
 */
export function serialBatches(hosts: readonly string[], serial: readonly (number | string)[] | undefined): string[][] {
  if (hosts.length === 0) return [];
  if (!serial || serial.length === 0) return [[...hosts]];
  const sizes = serial.map((s) => {
    let n: number;
    if (typeof s === 'string' && s.trim().endsWith('%')) {
      // Ansible: int(pct / 100 * len(all_hosts)), and a 0 becomes 1 so the play makes progress
      n = Math.floor((Number.parseFloat(s) / 100) * hosts.length);
      return Math.max(1, n);
    }
    n = typeof s === 'number' ? s : Number.parseInt(s, 10);
    return !Number.isFinite(n) || n <= 0 ? hosts.length : n;
  });
  const out: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)] as number;
    out.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return out;
}
