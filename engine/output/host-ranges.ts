// Fifty hosts named web1..web50 read better as `web[1:50]`, the range syntax Ansible's own
// inventory uses, than as fifty names: the terminal view lists hosts this way.

interface Named {
  readonly name: string;
  readonly prefix: string;
  readonly digits: string;
  readonly n: number;
}

function parse(name: string): Named | undefined {
  const m = /^(.*?)(\d+)$/.exec(name);
  return m ? { name, prefix: m[1] ?? '', digits: m[2] ?? '', n: Number(m[2]) } : undefined;
}

/** padded numbers (web01) only run on with numbers of their own width; plain ones run on with any */
function follows(prev: Named, next: Named): boolean {
  if (next.prefix !== prev.prefix || next.n !== prev.n + 1) return false;
  const fixed = prev.digits.startsWith('0') || next.digits.startsWith('0');
  return !fixed || prev.digits.length === next.digits.length;
}

/**
 * hostRanges names a set of hosts compactly: runs of three or more consecutive numbers with the
 * same prefix become `prefix[first:last]`, the rest stay as they are. Order: by prefix, then
 * number; names without a trailing number keep their order, after the numbered ones.
 */
export function hostRanges(names: readonly string[]): string[] {
  const numbered = names.map(parse).filter((p): p is Named => p !== undefined);
  numbered.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : a.n - b.n));
  const out: string[] = [];
  for (let i = 0; i < numbered.length; ) {
    let j = i;
    while (j + 1 < numbered.length && follows(numbered[j] as Named, numbered[j + 1] as Named)) j++;
    const first = numbered[i] as Named;
    const last = numbered[j] as Named;
    if (j - i >= 2) out.push(`${first.prefix}[${first.digits}:${last.digits}]`);
    else for (let k = i; k <= j; k++) out.push((numbered[k] as Named).name);
    i = j + 1;
  }
  out.push(...names.filter((n) => parse(n) === undefined));
  return out;
}

/**
 * wrapList joins items with ", " into lines of at most `width` columns, the first starting with
 * `lead` and the others indented as far; an item longer than a line gets a line of its own.
 */
export function wrapList(lead: string, items: readonly string[], width: number): string[] {
  const pad = ' '.repeat(lead.length);
  const lines: string[] = [];
  let cur = lead;
  let empty = true;
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (!empty && cur.length + 1 + piece.length > width) {
      lines.push(cur);
      cur = pad + piece;
    } else {
      cur = empty ? cur + piece : `${cur} ${piece}`;
    }
    empty = false;
  }
  lines.push(cur);
  return lines;
}
