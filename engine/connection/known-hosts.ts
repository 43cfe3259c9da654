import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { sshGlobMatch } from './host-pattern.ts';

/** KnownHostEntry is one usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** `revoked` keys are refused even for hosts they name; `cert-authority` lines are kept but never match a plain key */
  readonly marker?: 'revoked' | 'cert-authority';
  /** the host patterns field as written (comma list, or one `|1|salt|hash` hashed name) */
  readonly hosts: string;
  readonly keyType: string;
  /** the key blob (SSH wire format), decoded from base64 */
  readonly key: Buffer;
  readonly line: number;
  readonly file: string;
}

/** parseKnownHosts reads known_hosts text; malformed lines are skipped, as OpenSSH skips them. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/[ \t]+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // an unknown marker: OpenSSH ignores the line, so do we
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const key = Buffer.from(b64, 'base64');
    if (key.length < 8) continue;
    out.push({ ...(marker ? { marker } : {}), hosts, keyType, key, line: i + 1, file });
  }
  return out;
}

/** knownHostName is the name OpenSSH looks up for a host and port: `host`, or `[host]:port` off port 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** hostMatches tells whether an entry's host field names `name` (hashed, wildcard and negated patterns). */
export function hostMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  let hit = false;
  for (const pat of hosts.split(',')) {
    if (pat.startsWith('!')) {
      if (sshGlobMatch(pat.slice(1), name)) return false;
    } else if (sshGlobMatch(pat, name)) {
      hit = true;
    }
  }
  return hit;
}

/** keyTypeOf reads the algorithm name at the start of an SSH public key blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** fingerprint renders a key blob as OpenSSH does: `SHA256:` and unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** HostKeyVerdict is the outcome of checking a presented host key against known_hosts. */
export type HostKeyVerdict =
  | { readonly kind: 'match'; readonly entry: KnownHostEntry }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry }
  /** the host is known with other keys: someone may be in the middle; always refused */
  | { readonly kind: 'mismatch'; readonly entries: readonly KnownHostEntry[] };

/** checkHostKey decides whether `blob` is the right key for `name` (a knownHostName) given the entries. */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, blob: Buffer): HostKeyVerdict {
  for (const e of entries) {
    if (e.marker === 'revoked' && e.key.equals(blob)) return { kind: 'revoked', entry: e };
  }
  const mine = entries.filter((e) => e.marker === undefined && hostMatches(e.hosts, name));
  const same = mine.find((e) => e.key.equals(blob));
  if (same) return { kind: 'match', entry: same };
  if (mine.length > 0) return { kind: 'mismatch', entries: mine };
  return { kind: 'unknown' };
}

/** knownKeyTypes lists the key types known for `name`, so the client can ask the server for one of them first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && hostMatches(e.hosts, name)).map((e) => e.keyType))];
}

/**
 * KnownHostsIndex finds the lines that can name a host without trying every line: a line whose
 * patterns are all plain ASCII names is filed under each name (lower case: OpenSSH compares host
 * names case-insensitively); hashed, wildcard, negated and non-ASCII lines are tried one by one.
 */
export interface KnownHostsIndex {
  readonly entries: readonly KnownHostEntry[];
  /** lower-cased plain name → positions in `entries` */
  readonly byName: ReadonlyMap<string, readonly number[]>;
  /** positions of the lines that must be matched with hostMatches, and of the @revoked ones */
  readonly scan: readonly number[];
  readonly revoked: readonly number[];
}

// a plain name: no `*`, `?`, `!`, and ASCII, so /^name$/i (what sshGlobMatch builds) is exactly
// lower-case equality (outside ASCII the regexp's case folding and toLowerCase differ, e.g. K/k)
const PLAIN = /^[\x21-\x7e]+$/;
const isPlain = (pat: string): boolean => PLAIN.test(pat) && !/[*?!]/.test(pat);

/** indexKnownHosts builds the KnownHostsIndex of `entries` (one pass). */
export function indexKnownHosts(entries: readonly KnownHostEntry[]): KnownHostsIndex {
  const byName = new Map<string, number[]>();
  const scan: number[] = [];
  const revoked: number[] = [];
  entries.forEach((e, i) => {
    if (e.marker === 'revoked') revoked.push(i);
    const pats = e.hosts.startsWith('|1|') ? [] : e.hosts.split(',');
    if (pats.length === 0 || !pats.every(isPlain)) {
      scan.push(i);
      return;
    }
    for (const pat of new Set(pats.map((p) => p.toLowerCase()))) {
      const list = byName.get(pat);
      if (list) list.push(i);
      else byName.set(pat, [i]);
    }
  });
  return { entries, byName, scan, revoked };
}

/**
 * entriesFor keeps the entries that can decide `name`'s key (a knownHostName): its own lines and
 * every @revoked line, in file order. A connection holds them as long as it lives (ssh2 keeps the
 * host verifier), so it must not hold whole files: with one line per host that is hosts² entries
 * across a run.
 */
export function entriesFor(from: readonly KnownHostEntry[] | KnownHostsIndex, name: string): KnownHostEntry[] {
  const ix = Array.isArray(from) ? indexKnownHosts(from) : (from as KnownHostsIndex);
  const picked = new Set<number>(ix.revoked);
  if (PLAIN.test(name)) {
    for (const i of ix.byName.get(name.toLowerCase()) ?? []) picked.add(i);
    for (const i of ix.scan) if (hostMatches((ix.entries[i] as KnownHostEntry).hosts, name)) picked.add(i);
  } else {
    // a name outside plain ASCII: every line the slow way, as before the index
    ix.entries.forEach((e, i) => {
      if (hostMatches(e.hosts, name)) picked.add(i);
    });
  }
  // copies: a parsed field is a slice of its file's whole text (and the key of a shared buffer
  // pool), and would keep all of it alive for as long as the connection lives
  return [...picked]
    .sort((a, b) => a - b)
    .map((i) => ix.entries[i] as KnownHostEntry)
    .map((e) => ({ ...e, hosts: Buffer.from(e.hosts).toString(), keyType: Buffer.from(e.keyType).toString(), key: Buffer.from(e.key) }));
}

/** loadKnownHosts parses each existing file of `files` (missing files count as empty). */
export function loadKnownHosts(files: readonly string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    out.push(...parseKnownHosts(readFileSync(f, 'utf8'), f));
  }
  return out;
}

/** appendKnownHost records a newly accepted key as one plain `name type base64` line (accept-new). */
export function appendKnownHost(file: string, name: string, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) prefix = '\n';
  }
  appendFileSync(file, `${prefix}${name} ${keyTypeOf(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
