// ipxe/boot.ipxe chains to the booting NIC's script. iPXE expands ${mac:hexhyp} and then resolves the
// URI against the script's own URI as RFC 3986 says (WHATWG `new URL(rel, base)` resolves the same way
// for these http paths), so the test follows the chain like that and fetches it from a real --serve
// server on 127.0.0.1, whose log must show every request.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { generateTree } from '../../engine/kickstart/generate.ts';
import { macDashes } from '../../engine/kickstart/pxe.ts';
import { serveTree } from '../../engine/kickstart/serve.ts';
import { waitFor } from '../helpers/wait-for.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** curlGet fetches a URL with curl in its own process: it hangs up the moment it has Content-Length bytes, as firmware does. */
async function curlGet(url: string): Promise<string> {
  return (await promisify(execFile)('curl', ['-sS', '--fail', url], { encoding: 'utf8' })).stdout;
}

test('boot.ipxe chains, as iPXE resolves it, to the per-MAC script of every guest, fetched through --serve', async (t) => {
  const tree = await generateTree({ inventories: ['inventories/pxe-example'], cwd: root });
  const out = mkdtempSync(join(tmpdir(), 'tsplay-ipxe-'));
  for (const f of tree.files) {
    mkdirSync(dirname(join(out, f.path)), { recursive: true });
    writeFileSync(join(out, f.path), f.content);
  }
  const log: string[] = [];
  const server = await serveTree(out, { host: '127.0.0.1', port: 0 }, (l) => log.push(l));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const boot = await fetch(`${base}/ipxe/boot.ipxe`);
    t.is(boot.status, 200);
    const script = await boot.text();
    const target = /^chain (\S+)$/m.exec(script)?.[1];
    t.truthy(target, script);
    for (const g of tree.guests) {
      const uri = target!.replace('${mac:hexhyp}', macDashes(g.index.boot_mac));
      const resolved = new URL(uri, `${base}/ipxe/boot.ipxe`);
      t.is(resolved.pathname, `/ipxe/${macDashes(g.index.boot_mac)}.ipxe`, g.host);
      const res = await fetch(resolved);
      t.is(res.status, 200, `${g.host}: ${resolved.href}`);
      t.is(await res.text(), readFileSync(join(out, 'ipxe', `${macDashes(g.index.boot_mac)}.ipxe`), 'utf8'));
    }
    // the spelling the chain had before resolves one folder too deep: the resolution above is what catches it
    t.is(new URL('ipxe/52-54-00-54-f4-75.ipxe', `${base}/ipxe/boot.ipxe`).pathname, '/ipxe/ipxe/52-54-00-54-f4-75.ipxe');
    t.is((await fetch(`${base}/ipxe/ipxe/52-54-00-54-f4-75.ipxe`)).status, 404);
    // a client in another process that hangs up as soon as it has the body (once, every 'finish'-based
    // log line was lost this way for most files): each of its requests is logged too
    const paths = tree.files.map((f) => f.path);
    for (const p of paths) t.is(await curlGet(`${base}/${p}`), readFileSync(join(out, p), 'utf8'), p);
    const requests = 1 + tree.guests.length + 1 + paths.length;
    await waitFor(() => log.length >= requests, 'a log line per request');
    t.is(log.length, requests, log.join('\n'));
    t.regex(log[0]!, /^127\.0\.0\.1 "GET \/ipxe\/boot\.ipxe" 200 \d+$/);
    t.true(
      log.some((l) => /"GET \/ipxe\/ipxe\/52-54-00-54-f4-75\.ipxe" 404 0$/.test(l)),
      log.join('\n'),
    );
    for (const p of paths) t.true(log.includes(`127.0.0.1 "GET /${p}" 200 ${Buffer.byteLength(readFileSync(join(out, p)))}`), p);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(out, { recursive: true, force: true });
  }
});
