// Shared parsing of virsh's two text layouts: "Key:   value" blocks and dash-ruled tables.

/** parseKeyValues reads "Key:   value" lines (dominfo, net-info, domiftune) into a map. */
export function parseKeyValues(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

/**
 * parseTable reads a virsh table: a header line, a dashed rule, rows. Columns are cut at the
 * header's column starts, because values (a state like "shut off", a hostname "-") may hold
 * single spaces while columns are separated by at least two. With -q there is no header: then
 * `fallbackHeader` names the columns and rows are split on runs of 2+ spaces.
 */
export function parseTable(text: string, fallbackHeader?: readonly string[]): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const rule = lines.findIndex((l) => /^-{3,}$/.test(l.trim()));
  if (rule < 1) {
    if (!fallbackHeader) return [];
    return lines.map((l) => {
      const cells = l.trim().split(/\s{2,}/);
      return Object.fromEntries(fallbackHeader.map((h, i) => [h, cells[i] ?? '']));
    });
  }
  const header = lines[rule - 1] ?? '';
  const starts: { name: string; at: number }[] = [];
  const re = /\S+(?: \S+)*/g;
  for (let m = re.exec(header); m; m = re.exec(header)) starts.push({ name: m[0], at: m.index });
  return lines.slice(rule + 1).map((row) => {
    const rec: Record<string, string> = {};
    starts.forEach((c, i) => {
      const end = starts[i + 1]?.at ?? row.length;
      rec[c.name] = row.slice(c.at, end).trim();
    });
    return rec;
  });
}

/** yesNo turns virsh's yes/no (and "enable"/"disable") into a boolean. */
export function yesNo(v: string | undefined): boolean {
  return v === 'yes' || v === 'enable' || v === 'enabled';
}
