// The PXE tree is safe to regenerate: tsplay removes the entries it wrote that are no longer wanted
// (a boot MAC changed, a guest removed; each would still point a machine at a zerombr/clearpart
// kickstart), shows the removal under -C -D first, keeps what the user edited, never touches a file
// index.json does not record, and -l narrows what is written but not what is known or checked.
// The real CLI in a child process over a copy of inventories/pxe-example.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parseDocument } from 'yaml';
import { sha256 } from '../../engine/kickstart/index-file.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'tsplay.js');

function tsplay(args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, 'kickstart', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${statSync(p).mtimeMs} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

interface Index {
  hosts: Record<string, { boot_mac: string; files: string[] }>;
  written: Record<string, string>;
}
const readIndex = (out: string): Index => JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Index;

/** setup copies the example inventory, generates the tree, and adds files of the user's own. */
function setup(t: { is: (a: unknown, b: unknown, m?: string) => void }): { dir: string; inv: string; out: string; edit: (f: (text: string) => string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kstree-'));
  const inv = join(dir, 'hosts.yml');
  copyFileSync(join(root, 'inventories/pxe-example/hosts.yml'), inv);
  const out = join(dir, 'out');
  const first = tsplay(['-i', inv, '--out', out]);
  t.is(first.code, 0, first.err);
  // the user's own files in the same TFTP/HTTP root: a pxelinux default, an image, a hand-made entry
  mkdirSync(join(out, 'images'));
  writeFileSync(join(out, 'images', 'vmlinuz'), 'kernel bytes\n');
  writeFileSync(join(out, 'pxelinux.cfg', 'default'), 'DEFAULT local\n');
  writeFileSync(join(out, 'pxelinux.cfg', '01-52-54-00-99-99-99'), '# written by hand\n');
  return { dir, inv, out, edit: (f) => writeFileSync(inv, f(readFileSync(inv, 'utf8'))) };
}

const USER_FILES = ['images/vmlinuz', 'pxelinux.cfg/default', 'pxelinux.cfg/01-52-54-00-99-99-99'];
const OLD = ['pxelinux.cfg/01-52-54-00-54-f4-75', 'grub2/grub.cfg-01-52-54-00-54-f4-75', 'ipxe/52-54-00-54-f4-75.ipxe'];
const NEW = ['pxelinux.cfg/01-52-54-00-54-f4-99', 'grub2/grub.cfg-01-52-54-00-54-f4-99', 'ipxe/52-54-00-54-f4-99.ipxe'];

test('a changed boot MAC: -C -D shows the old entries as deleted files and writes nothing; the run removes them', (t) => {
  const { dir, out, inv, edit } = setup(t);
  edit((s) => s.replace('mac: "52:54:00:54:f4:75"', 'mac: "52:54:00:54:f4:99"'));
  const before = snapshot(out);
  const check = tsplay(['-i', inv, '--out', out, '-C', '-D']);
  t.is(check.code, 0, check.err);
  for (const p of OLD) {
    t.true(check.out.includes(`--- a/${p}\n+++ /dev/null\n`), `diff removes ${p}`);
    t.true(check.out.includes(`would remove: ${p}\n`), p);
  }
  t.regex(check.out, /3 to remove, .*check: nothing written.*; 3 file\(s\) not written by tsplay \(not in .*index\.json\) left alone/);
  t.deepEqual(snapshot(out), before, '-C -D wrote nothing');

  const run = tsplay(['-i', inv, '--out', out]);
  t.is(run.code, 0, run.err);
  for (const p of OLD) t.false(existsSync(join(out, p)), `${p} removed`);
  for (const p of NEW) t.true(existsSync(join(out, p)), `${p} written`);
  const after = snapshot(out);
  for (const p of USER_FILES) t.is(after[p], before[p], `${p} untouched`);
  const index = readIndex(out);
  t.is(index.hosts['el7-ab']?.boot_mac, '52:54:00:54:f4:99');
  for (const p of OLD) t.false(p in index.written, `${p} no longer recorded`);
  for (const p of NEW) t.is(index.written[p], sha256(readFileSync(join(out, p), 'utf8')));
  for (const p of USER_FILES) t.false(p in index.written);
  // every file tsplay wrote is recorded, and only those
  const onDisk = Object.keys(after)
    .filter((p) => p !== 'index.json' && !USER_FILES.includes(p))
    .sort();
  t.deepEqual(Object.keys(index.written).sort(), onDisk);
  t.regex(tsplay(['-i', inv, '--out', out]).out, /0 created, 0 changed, \d+ ok/);
  rmSync(dir, { recursive: true, force: true });
});

test('a removed guest: its kickstart and boot entries go; a stale file the user edited is kept and reported', (t) => {
  const { dir, out, inv, edit } = setup(t);
  const gone = readIndex(out).hosts['el9-lb']!.files;
  const doc = parseDocument(readFileSync(inv, 'utf8'));
  doc.deleteIn(['all', 'children', 'guests', 'hosts', 'el9-lb']);
  edit(() => doc.toString());
  // the user edited one of el9-lb's entries by hand: it is theirs now
  const edited = gone.find((p) => p.startsWith('grub2/'))!;
  writeFileSync(join(out, edited), `${readFileSync(join(out, edited), 'utf8')}# local change\n`);
  const run = tsplay(['-i', inv, '--out', out]);
  t.is(run.code, 0, run.err);
  for (const p of gone.filter((p) => p !== edited)) {
    t.false(existsSync(join(out, p)), `${p} removed`);
    t.true(run.out.includes(`removed: ${p}\n`));
  }
  t.true(readFileSync(join(out, edited), 'utf8').endsWith('# local change\n'));
  t.true(run.err.includes(`warning: kept ${edited}: no longer generated, but edited since tsplay wrote it`), run.err);
  const index = readIndex(out);
  t.false('el9-lb' in index.hosts);
  t.true(edited in index.written, 'the edited file stays recorded, so every run reports it until the user removes it');
  t.true(tsplay(['-i', inv, '--out', out]).err.includes(`warning: kept ${edited}`));
  for (const p of USER_FILES) t.true(existsSync(join(out, p)));
  rmSync(dir, { recursive: true, force: true });
});

test('-l writes only the selected guest but keeps every other host in index.json', (t) => {
  const { dir, out, inv, edit } = setup(t);
  const full = readIndex(out);
  edit((s) => s.replace('mac: "52:54:00:54:f4:75"', 'mac: "52:54:00:54:f4:99"').replace('timezone: Europe/Berlin', 'timezone: Europe/Paris'));
  const run = tsplay(['-i', inv, '--out', out, '-l', 'el7-ab']);
  t.is(run.code, 0, run.err);
  const index = readIndex(out);
  t.deepEqual(Object.keys(index.hosts).sort(), Object.keys(full.hosts).sort());
  t.is(index.hosts['el7-ab']?.boot_mac, '52:54:00:54:f4:99');
  for (const p of OLD) t.false(existsSync(join(out, p)), `${p}: the selected guest's stale entry is removed`);
  // the others are not rewritten (their kickstarts keep the old time zone) and stay recorded
  t.true(readFileSync(join(out, 'ks/el8-rr.ks'), 'utf8').includes('timezone Europe/Berlin'));
  for (const h of Object.keys(full.hosts).filter((h) => h !== 'el7-ab')) {
    t.deepEqual(index.hosts[h], full.hosts[h], h);
    for (const p of full.hosts[h]!.files) t.is(index.written[p], full.written[p], p);
  }
  rmSync(dir, { recursive: true, force: true });
});

test('-l still checks the selected guest against the guests it does not write', (t) => {
  const { dir, out, inv, edit } = setup(t);
  const before = snapshot(out);
  // el8-rr takes el7-ab's boot MAC: writing only el7-ab must still see the clash
  edit((s) => s.replace('mac: "52:54:00:00:08:01"', 'mac: "52:54:00:54:f4:75"'));
  const r = tsplay(['-i', inv, '--out', out, '-l', 'el7-ab']);
  t.is(r.code, 4, r.out);
  t.regex(r.err, /KS_DUP_MAC: MAC 52:54:00:54:f4:75 is also used by el7-ab/);
  t.deepEqual(snapshot(out), before);
  rmSync(dir, { recursive: true, force: true });
});
