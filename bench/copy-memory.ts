// Controller peak RSS of `copy` of one large file to many hosts (issue 10 item 7): tsplay from a
// given checkout (default this one; pass another checkout's root to measure it before a change)
// and, with --ansible, ansible-playbook 2.14 on the same hosts and file.
//   node bench/copy-memory.ts [--mb 100] [--hosts 10] [--root /path/to/checkout] [--ansible]
// Figures go to bench/RESULTS.md by hand ("copy of a large file" section).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchHosts } from './hosts.ts';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '100' }, hosts: { type: 'string', default: '10' }, root: { type: 'string' }, ansible: { type: 'boolean', default: false } },
});
const mb = Number(values.mb);
const n = Number(values.hosts);
const root = values.root ?? new URL('..', import.meta.url).pathname;

// Incompressible and not all one byte, so nothing in the path can shortcut it.
function makeFile(path: string): string {
  const sum = createHash('sha1');
  const fd = openSync(path, 'w');
  let block = createHash('sha512').update('seed').digest();
  for (let i = 0; i < mb * 16; i++) {
    const chunk = Buffer.alloc(64 * 1024);
    for (let o = 0; o < chunk.length; o += 64) {
      block = createHash('sha512').update(block).digest();
      block.copy(chunk, o);
    }
    writeSync(fd, chunk);
    sum.update(chunk);
  }
  closeSync(fd);
  return sum.digest('hex');
}

function maxRss(stderr: string): number {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'tsplay-copy-mem-'));
const bh = await startBenchHosts(n);
try {
  const src = join(dir, 'big.img');
  const want = makeFile(src);
  const play = join(dir, 'copy.yml');
  writeFileSync(play, `- hosts: bench\n  gather_facts: false\n  tasks:\n    - copy:\n        src: ${src}\n        dest: "{{ bench_root }}/big.img"\n`);
  const inv = bh.inventoryFor(n);
  const env = { ...process.env, HOME: bh.home, ANSIBLE_HOST_KEY_CHECKING: 'False' };
  const tools: [string, string[]][] = [['tsplay', [process.execPath, join(root, 'bin/tsplay.js'), play, '-i', inv, '-f', String(n)]]];
  if (values.ansible) tools.push(['ansible-playbook', ['ansible-playbook', play, '-i', inv, '-f', String(n)]]);
  for (const [name, argv] of tools) {
    for (const h of bh.hs.hosts) rmSync(join(h.root, 'big.img'), { force: true });
    for (const run of ['first', 'again']) {
      const t0 = Date.now();
      const r = spawnSync('/usr/bin/time', ['-v', ...argv], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
      const secs = (Date.now() - t0) / 1000;
      const ok = bh.hs.hosts.every(
        (h) =>
          existsSync(join(h.root, 'big.img')) &&
          createHash('sha1')
            .update(readFileSync(join(h.root, 'big.img')))
            .digest('hex') === want,
      );
      console.log(`${name} ${run}: ${mb} MB to ${n} hosts, exit ${r.status}, peak RSS ${maxRss(r.stderr).toFixed(0)} MiB, ${secs.toFixed(1)} s, content ${ok ? 'ok' : 'WRONG'}`);
      if (r.status !== 0) console.log(r.stdout.slice(-1500), r.stderr.slice(-2500));
    }
  }
} finally {
  await bh.teardown();
  rmSync(dir, { recursive: true, force: true });
}
