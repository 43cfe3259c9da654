import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendKnownHost, checkHostKey, entriesFor, fingerprint, hostMatches, knownHostName, loadKnownHosts, parseKnownHosts } from '../../engine/connection/known-hosts.ts';

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
