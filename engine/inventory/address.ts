// Host addresses and host ranges as Ansible reads them (lib/ansible/parsing/utils/addresses.py
// and expand_hostname_range in lib/ansible/plugins/inventory/__init__.py): `web[01:10]`,
// `db-[a:f]`, `h[1:9:2]`, `host:2222`, `[::1]:22`.

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const IPV6_C = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const IPV4_C = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
// Python's \w with re.UNICODE: letters, digits (any script) and underscore
const W = String.raw`[\p{L}\p{N}\p{M}_]`;
const LABEL = `(?:${W}|${ALNUM_RANGE})(?:${W}|[_-]|${ALNUM_RANGE})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(`^(?:${IPV4_C}\\.){3}${IPV4_C}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${IPV6_C}:){7}${IPV6_C}`,
      `(?:${IPV6_C}:){1,6}:`,
      `(?:${IPV6_C}:)(?::${IPV6_C}){1,6}`,
      `(?:${IPV6_C}:){2}(?::${IPV6_C}){1,5}`,
      `(?:${IPV6_C}:){3}(?::${IPV6_C}){1,4}`,
      `(?:${IPV6_C}:){4}(?::${IPV6_C}){1,3}`,
      `(?:${IPV6_C}:){5}(?::${IPV6_C}){1,2}`,
      `(?:${IPV6_C}:){6}(?::${IPV6_C})`,
      `:(?::${IPV6_C}){1,6}`,
      `${IPV6_C}?::`,
      `(?:0:){6}(?:${IPV6_C}\\.){3}${IPV6_C}`,
      `::(?:ffff:)?(?:${IPV6_C}\\.){3}${IPV6_C}`,
      `(?:0:){5}ffff:(?:${IPV6_C}\\.){3}${IPV6_C}`,
    ].join('|') +
    ')$',
  'i',
);
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'iu');
// Why a second pattern: compiling HOSTNAME (Unicode classes, case-insensitive) costs about 7 ms
// of every start; on an all-ASCII name without a range it accepts exactly what this one does
const ASCII_NAME = /^[A-Za-z0-9_.-]+$/;
const ASCII_LABEL = String.raw`[A-Za-z0-9_][A-Za-z0-9_-]*(?<![_-])`;
const ASCII_HOSTNAME = new RegExp(`^${ASCII_LABEL}(?:\\.${ASCII_LABEL})*$`);

/** isHostname tells whether a name is a valid hostname as Ansible's pattern reads it; `full` skips the ASCII fast path. */
export function isHostname(name: string, full = false): boolean {
  return !full && ASCII_NAME.test(name) ? ASCII_HOSTNAME.test(name) : HOSTNAME.test(name);
}

/** isIpAddress tells whether a name is an IPv4 or IPv6 address (ranges allowed, as Ansible's patterns do). */
export function isIpAddress(name: string): boolean {
  // Why the includes(): IPV4 needs three `.`, every IPV6 branch a `:`; skipping a pattern that
  // cannot match spares compiling it (about 3 ms of each start for a plain host name)
  return (name.includes('.') && IPV4.test(name)) || (name.includes(':') && IPV6.test(name));
}

/**
 * parseAddress splits `host`, `host:port` or `[host]:port` like Ansible's parse_address; it returns
 * undefined where Ansible raises "Not a valid network hostname" or rejects a range.
 */
export function parseAddress(address: string, allowRanges: boolean): { host: string; port: number | undefined } | undefined {
  let port: number | undefined;
  let a = address;
  // both forms are tried in turn, as Ansible does, so `[h]:1` then re-checks `h`
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(a);
    if (m) {
      a = m[1] ?? '';
      port = Number(m[2]);
    }
  }
  if (!(isIpAddress(a) || isHostname(a))) return undefined;
  if (!allowRanges && a.includes('[')) return undefined;
  return { host: a, port };
}

/** HostRangeError is thrown for a malformed host range; the message is Ansible's wording. */
export class HostRangeError extends Error {}

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function pyInt(s: string): number {
  // Python's int() accepts surrounding whitespace and single underscores between digits
  const t = s.trim();
  if (!/^[-+]?[0-9](?:_?[0-9])*$/.test(t)) throw new HostRangeError(`invalid literal for int() with base 10: '${s}'`);
  return Number(t.replace(/_/g, ''));
}

/** expandHostnameRange expands the first `[a:b(:step)]` of a name, recursively, like Ansible. */
export function expandHostnameRange(line: string): string[] {
  const open = line.indexOf('[');
  const close = line.indexOf(']');
  // Ansible replaces the first `[` and the first `]` and splits on `|`; anything else is malformed
  const replaced = line.replace('[', '|').replace(']', '|');
  const parts = replaced.split('|');
  if (open < 0 || close < 0 || parts.length !== 3) throw new HostRangeError(`not a valid host range: ${line}`);
  const [head = '', nrange = '', tail = ''] = parts;
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostRangeError('host range must be begin:end or begin:end:step');
  let beg = bounds[0] ?? '';
  const end = bounds[1] ?? '';
  const stepS = bounds.length === 3 ? (bounds[2] ?? '') : '1';
  if (!beg) beg = '0';
  if (!end) throw new HostRangeError('host range must specify end value');
  let fill = (x: string | number): string => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    const rlen = beg.length;
    if (rlen !== end.length) throw new HostRangeError('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(rlen, '0');
  }
  let seq: (string | number)[];
  const iBeg = ASCII_LETTERS.indexOf(beg);
  const iEnd = ASCII_LETTERS.indexOf(end);
  let alpha = false;
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new HostRangeError('host range must have begin <= end');
    const step = Number(stepS.trim());
    // an unusable step makes Python fall through to the numeric reading, which then fails
    if (Number.isInteger(step) && step > 0 && /^\s*[-+]?\d+\s*$/.test(stepS)) {
      alpha = true;
      seq = [];
      for (let i = iBeg; i <= iEnd; i += step) seq.push(ASCII_LETTERS[i] ?? '');
    } else if (Number.isInteger(step) && step < 0 && /^\s*[-+]?\d+\s*$/.test(stepS)) {
      alpha = true;
      seq = [];
    }
  }
  if (!alpha) {
    const b = pyInt(beg);
    const e = pyInt(end);
    const step = pyInt(stepS);
    if (step === 0) throw new HostRangeError('range() arg 3 must not be zero');
    seq = [];
    if (step > 0) for (let i = b; i < e + 1; i += step) seq.push(i);
    else for (let i = b; i > e + 1; i += step) seq.push(i);
  }
  const out: string[] = [];
  for (const r of seq!) {
    const name = head + fill(r) + tail;
    if (name.includes('[')) out.push(...expandHostnameRange(name));
    else out.push(name);
  }
  return out;
}

/**
 * expandHostPattern turns a host entry (`web[01:03]:2222`) into host names and an optional port,
 * as BaseInventoryPlugin._expand_hostpattern does.
 */
export function expandHostPattern(pattern: string): { hosts: string[]; port: number | undefined } {
  const parsed = parseAddress(pattern, true);
  const name = parsed ? parsed.host : pattern;
  const port = parsed ? parsed.port : undefined;
  return { hosts: name.includes('[') ? expandHostnameRange(name) : [name], port };
}
