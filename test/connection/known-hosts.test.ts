import test from 'ava';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendKnownHost, checkHostKey, entriesFor, fingerprint, hostMatches, knownHostName, loadKnownHosts, parseKnownHosts } from '../../engine/connection/known-hosts.ts';
import { knownHostsFor, knownHostsParses, recordKnownHost } from '../../engine/connection/known-hosts-cache.ts';

// data/known_hosts: hashed lines made by `ssh-keygen -H` (OpenSSH 9.2), plus plain, wildcard,
// negated, [host]:port and marker lines. `ssh-keygen -F NAME` is the oracle for which lines match.
const FILE = new URL('./data/known_hosts', import.meta.url).pathname;
const entries = parseKnownHosts(readFileSync(FILE, 'utf8'), FILE);
const NAMES = [
  'alpha.example.com',
  '[alpha.example.com]:2222',
  '10.1.2.3',
  'beta.example.com',
  '192.0.2.7',
  'x.wild.example.com',
  'bad.wild.example.com',
  '[gamma.example.com]:2200',
  '[127.0.0.1]:2200',
  'gamma.example.com',
  'nobody.example.org',
];

function oracle(name: string): number[] {
  let out = '';
  try {
    out = execFileSync('ssh-keygen', ['-F', name, '-f', FILE], { encoding: 'utf8' });
  } catch {
    return []; // exit 1: not found
  }
  return [...out.matchAll(/found: line (\d+)/g)].map((m) => Number(m[1]));
}

test('hostMatches agrees with ssh-keygen -F on every line, hashed and plain', (t) => {
  for (const name of NAMES) {
    const ours = entries.filter((e) => hostMatches(e.hosts, name)).map((e) => e.line);
    t.deepEqual(ours, oracle(name), name);
  }
});

function keyOf(line: number): Buffer {
  const e = entries.find((x) => x.line === line);
  if (!e) throw new Error(`no line ${line}`);
  return e.key;
}

test('checkHostKey: match, mismatch, revoked, unknown, negated', (t) => {
  t.is(checkHostKey(entries, 'alpha.example.com', keyOf(2)).kind, 'match');
  t.is(checkHostKey(entries, 'alpha.example.com', keyOf(3)).kind, 'mismatch');
  t.is(checkHostKey(entries, 'x.wild.example.com', keyOf(6)).kind, 'match');
  t.is(checkHostKey(entries, 'bad.wild.example.com', keyOf(6)).kind, 'unknown');
  t.is(checkHostKey(entries, '[127.0.0.1]:2200', keyOf(7)).kind, 'match');
  t.is(checkHostKey(entries, '127.0.0.1', keyOf(7)).kind, 'unknown');
  // line 8 revokes the key of line 4, wherever it is presented
  t.is(checkHostKey(entries, '10.1.2.3', keyOf(4)).kind, 'revoked');
  t.is(checkHostKey(entries, 'nobody.example.org', keyOf(5)).kind, 'unknown');
  // the @cert-authority line (key of line 2) must not make alpha's CA key a host key for others
  t.is(checkHostKey(entries, 'zzz.example.com', keyOf(2)).kind, 'unknown');
});

test('entriesFor keeps what a connection needs: the verdict for every name and key is the one the whole file gives', (t) => {
  const keys = [...new Set(entries.map((e) => e.key.toString('base64')))].map((k) => Buffer.from(k, 'base64'));
  for (const name of [...NAMES, 'zzz.example.com', '127.0.0.1']) {
    const kept = entriesFor(entries, name);
    t.true(kept.length < entries.length, `${name}: not the whole file`);
    for (const key of keys) {
      const whole = checkHostKey(entries, name, key);
      const part = checkHostKey(kept, name, key);
      t.is(part.kind, whole.kind, `${name}, ${fingerprint(key)}`);
      if (part.kind === 'match' && whole.kind === 'match') t.is(part.entry.line, whole.entry.line);
    }
  }
});

test('unknown markers and broken lines are skipped', (t) => {
  t.false(entries.some((e) => e.line === 10 || e.line === 11));
  t.is(knownHostName('h', 22), 'h');
  t.is(knownHostName('h', 2222), '[h]:2222');
});

test('fingerprint matches ssh-keygen -l', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kh-'));
  const f = join(dir, 'known_hosts');
  appendKnownHost(f, '[127.0.0.9]:2022', keyOf(7));
  const back = loadKnownHosts([f]);
  t.is(back.length, 1);
  t.true(back[0]?.key.equals(keyOf(7)));
  const ours = fingerprint(keyOf(7));
  const theirs = execFileSync('ssh-keygen', ['-l', '-f', f], { encoding: 'utf8' });
  t.true(theirs.includes(ours), `${ours} not in ${theirs}`);
  t.regex(execFileSync('ssh-keygen', ['-F', '[127.0.0.9]:2022', '-f', f], { encoding: 'utf8' }), /found: line 1/);
});

test('entriesFor through the index picks the lines a scan with hostMatches picks, in file order, whatever the case', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kh-'));
  const f = join(dir, 'known_hosts');
  // the data file, plus a line naming one host twice in two cases and one plain line a
  // non-ASCII name must not match (/^k$/i does not match the Kelvin sign; toLowerCase would)
  writeFileSync(f, `${readFileSync(FILE, 'utf8')}Dup.Example.com,dup.example.COM ssh-ed25519 ${keyOf(5).toString('base64')}\nk.example.com ssh-ed25519 ${keyOf(6).toString('base64')}\n`);
  const all = parseKnownHosts(readFileSync(f, 'utf8'), f);
  const names = [...NAMES, 'ALPHA.EXAMPLE.COM', 'Beta.Example.Com', '[GAMMA.example.com]:2200', 'dup.example.com', 'DUP.EXAMPLE.COM', 'k.example.com', '\u212A.example.com', 'zzz.example.com'];
  for (const name of names) {
    const scan = all.filter((e) => e.marker === 'revoked' || hostMatches(e.hosts, name)).map((e) => e.line);
    t.deepEqual(
      knownHostsFor([f], name).map((e) => e.line),
      scan,
      name,
    );
  }
  t.deepEqual(
    knownHostsFor([f], 'dup.example.com').map((e) => e.line),
    [8, 9, 13], // @revoked *, @cert-authority *.example.com, and the line naming it twice once
  );
});

test('knownHostsFor parses a file once for all connections, and again after it changed or we appended to it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kh-'));
  const f = join(dir, 'known_hosts');
  const missing = join(dir, 'absent');
  writeFileSync(f, `a.example.com ssh-ed25519 ${keyOf(5).toString('base64')}\nb.example.com ssh-ed25519 ${keyOf(6).toString('base64')}\n`);
  const kind = (name: string, key: Buffer): string => checkHostKey(knownHostsFor([f, missing], name), name, key).kind;
  const n0 = knownHostsParses();
  t.is(kind('a.example.com', keyOf(5)), 'match');
  t.is(kind('b.example.com', keyOf(6)), 'match');
  t.is(kind('c.example.com', keyOf(7)), 'unknown');
  t.is(knownHostsParses() - n0, 1, 'three connections, one parse');

  // another process appends a line during the run: the size changes
  appendFileSync(f, `c.example.com ecdsa-sha2-nistp256 ${keyOf(7).toString('base64')}\n`);
  t.is(kind('c.example.com', keyOf(7)), 'match');
  t.is(knownHostsParses() - n0, 2);

  // a's key replaced by one of the same length: same size, a later mtime
  const text = readFileSync(f, 'utf8');
  writeFileSync(f, text.replace(keyOf(5).toString('base64'), keyOf(2).toString('base64')));
  t.is(statSync(f).size, text.length);
  const later = new Date(statSync(f).mtimeMs + 10_000);
  utimesSync(f, later, later);
  t.is(kind('a.example.com', keyOf(5)), 'mismatch');
  t.is(kind('a.example.com', keyOf(2)), 'match');
  t.is(knownHostsParses() - n0, 3);

  // our own accept-new append (recordKnownHost) is seen by the next connection
  recordKnownHost(f, '[d.example.com]:2222', keyOf(4));
  t.is(kind('[d.example.com]:2222', keyOf(4)), 'match');
  t.is(kind('[d.example.com]:2222', keyOf(5)), 'mismatch');
  t.is(knownHostsParses() - n0, 4);
  // and the file is still one ssh-keygen reads
  t.regex(execFileSync('ssh-keygen', ['-F', '[d.example.com]:2222', '-f', f], { encoding: 'utf8' }), /found: line 4/);

  // the file removed: nothing known any more
  rmSync(f);
  t.is(kind('a.example.com', keyOf(2)), 'unknown');
});
