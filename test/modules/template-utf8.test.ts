// Issue 10 item 9: a template that is not UTF-8 must fail with its file and byte offset, never
// reach the host with U+FFFD in place of the byte; copy of the same bytes stays exact.
import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { Diagnostics } from '../../engine/errors/index.ts';
import { loadYamlFile } from '../../engine/files/yaml-file.ts';
import { runModule } from './support/drive.ts';

const conn = new LocalConnection('localhost');
const root = mkdtempSync(join(tmpdir(), 'tsplay-utf8-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));
// "caf\xe9" in Latin-1 on the second line: byte offset 10, line 2, column 4
const LATIN1 = Buffer.from([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x63, 0x61, 0x66, 0x0a, 0xe9, 0x0a]);

test('template: a Latin-1 template fails with the file and byte offset, and writes nothing', async (t) => {
  const tdir = join(root, 'templates');
  mkdirSync(tdir, { recursive: true });
  writeFileSync(join(tdir, 'latin1.hbs'), LATIN1);
  const dest = join(root, 'out-template');
  const err = await t.throwsAsync(runModule(conn, 'template', { src: 'latin1.hbs', dest }, { templates: [tdir] }));
  t.true(err instanceof TsplayError);
  t.is((err as TsplayError).code, 'E_FILE_READ');
  t.regex(err!.message, /latin1\.hbs is not valid UTF-8: invalid byte sequence at byte offset 10 \(line 3, column 1; bytes 0xe9 0x0a\)/);
  t.false(existsSync(dest), 'nothing written');
});

test('template: a genuine U+FFFD in a UTF-8 template is carried, not mistaken for a bad byte', async (t) => {
  const tdir = join(root, 'templates2');
  mkdirSync(tdir, { recursive: true });
  writeFileSync(join(tdir, 'ok.hbs'), 'a\uFFFDb \u00e9\n');
  const dest = join(root, 'out-ok');
  const r = await runModule(conn, 'template', { src: 'ok.hbs', dest }, { templates: [tdir] });
  t.is(r.status, 'changed');
  t.is(readFileSync(dest, 'utf8'), 'a\uFFFDb \u00e9\n');
});

test('copy: the same Latin-1 bytes are copied exactly', async (t) => {
  const fdir = join(root, 'files');
  mkdirSync(fdir, { recursive: true });
  writeFileSync(join(fdir, 'latin1.bin'), LATIN1);
  const dest = join(root, 'out-copy');
  const r = await runModule(conn, 'copy', { src: 'latin1.bin', dest }, { files: [fdir] });
  t.is(r.status, 'changed');
  t.deepEqual(readFileSync(dest), LATIN1);
});

test('a Latin-1 vars/playbook YAML file is refused with file and offset instead of decoded lossily', (t) => {
  const f = join(root, 'vars.yml');
  writeFileSync(f, Buffer.concat([Buffer.from('motd: "caf'), Buffer.from([0xe9]), Buffer.from('"\n')]));
  const diags = new Diagnostics();
  t.is(loadYamlFile(f, diags), undefined);
  const d = diags.items[0]!;
  t.is(d.code, 'E_FILE_READ');
  t.regex(d.message, /vars\.yml is not valid UTF-8: invalid byte sequence at byte offset 10 \(line 1, column 11/);
  t.deepEqual(d.pos, { file: f, line: 1, col: 11 });
});
