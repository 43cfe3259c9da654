// Issue 10 item 7: copy of a large controller file streams it per transfer instead of holding it
// (and a UTF-8 string of it) once per host. Correctness through the real CLI on real sshd hosts:
// every host gets the exact bytes, a second run changes nothing. The one memory guard: the CLI
// under --max-old-space-size=96 copies 200 MB to 3 hosts (the old code died of heap exhaustion).
import test from 'ava';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LocalConnection } from '../../engine/connection/local.ts';
import { cliWorkDir, createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';

const MB = 200;
let hs: TestHosts;
let work: string;
let want: string;
const bin = join(import.meta.dirname, '../../bin/tsplay.js');

const sha1File = (p: string): string => createHash('sha1').update(readFileSync(p)).digest('hex');

test.before(async () => {
  hs = await createTestHosts(3);
  work = cliWorkDir(hs, 'tsplay-copy-large-');
  // every 64 KiB block differs, so a wrong offset or a dropped chunk changes the checksum
  const sum = createHash('sha1');
  const fd = openSync(join(work, 'big.img'), 'w');
  for (let i = 0; i < MB * 16; i++) {
    const b = Buffer.alloc(64 * 1024, i & 0xff);
    b.writeUInt32BE(i, 0);
    writeSync(fd, b);
    sum.update(b);
  }
  closeSync(fd);
  want = sum.digest('hex');
  writeFileSync(join(work, 'site.yml'), `- hosts: all\n  gather_facts: false\n  tasks:\n    - copy:\n        src: big.img\n        dest: "{{ dest_root }}/big.img"\n`);
});
test.after.always(async () => {
  await hs?.teardown();
  if (work) rmSync(work, { recursive: true, force: true });
});

function cli(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=96', bin, 'site.yml', '-i', 'inventory.ini', '-f', '3'], { cwd: work, env: { ...process.env, HOME: join(work, 'home') } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

test.serial('copy: 200 MB to 3 hosts in a 96 MB heap, exact on every host, then changed=0', async (t) => {
  const first = await cli();
  t.is(first.code, 0, first.out.slice(-3000));
  for (const h of hs.hosts) t.is(sha1File(join(h.root, 'big.img')), want, `content on ${h.name}`);
  t.regex(first.out, /h1\s+:\s+ok=1\s+changed=1/);
  const again = await cli();
  t.is(again.code, 0, again.out.slice(-3000));
  for (const h of hs.hosts) t.regex(again.out, new RegExp(`${h.name}\\s+:\\s+ok=1\\s+changed=0`));
});

test('local put of a LocalFileRef streams the file exactly (empty and multi-chunk)', async (t) => {
  const conn = new LocalConnection('localhost');
  for (const size of [0, 1, 64 * 1024, 300 * 1024 + 7]) {
    const src = join(work, `src-${size}`);
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 7) & 0xff;
    writeFileSync(src, bytes);
    const dest = join(work, `dest-${size}`);
    await conn.put(dest, { localPath: src, size }, { mode: '0640' });
    t.deepEqual(readFileSync(dest), bytes);
  }
});
