import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { TsplayError } from '../errors/index.ts';

/** ServeAddress is where `--serve` listens. */
export interface ServeAddress {
  readonly host: string;
  readonly port: number;
}

/** parseServeAddress reads `[ADDR:]PORT` (`[::1]:8080` for IPv6); the address defaults to 127.0.0.1. */
export function parseServeAddress(text: string): ServeAddress {
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[^:]+):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new TsplayError({ code: 'E_OPTION', message: `--serve: "${text}" is not [ADDR:]PORT` });
  return { host: m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port };
}

const TYPES: Record<string, string> = { '.ks': 'text/plain; charset=utf-8', '.ipxe': 'text/plain; charset=utf-8', '.json': 'application/json', '.cfg': 'text/plain; charset=utf-8' };

/**
 * serveTree serves DIR read-only over HTTP for installers and iPXE (GET and HEAD, no listings, no
 * path outside DIR) and reports every request through `log`. Resolves once listening.
 */
export function serveTree(dir: string, addr: ServeAddress, log: (line: string) => void): Promise<Server> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    // logged when the response closes, whatever ended it: a client that has its Content-Length of
    // bytes may hang up before the file stream's end reaches res.end(), so 'finish' never comes and a
    // log on 'finish' lost most requests; bytes are counted as they are written instead
    const from = req.socket.remoteAddress ?? '-';
    let sent = 0;
    let size = -1;
    res.on('close', () => {
      const bytes = size >= 0 && req.method === 'GET' && sent < size ? `${sent} of ${size} (cut short)` : String(sent);
      log(`${from} "${req.method} ${req.url}" ${res.statusCode} ${bytes}`);
    });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const file = normalize(join(root, path));
    try {
      if (file === root || file.startsWith(root + sep)) {
        const st = statSync(file);
        if (st.isFile()) size = st.size;
      }
    } catch {
      size = -1;
    }
    if (size < 0) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const type = TYPES[extname(file)] ?? (path.includes('pxelinux.cfg/') || path.includes('grub2/') ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    res.writeHead(200, { 'content-type': type, 'content-length': size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('data', (chunk) => (sent += chunk.length));
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', (e) => fail(new TsplayError({ code: 'E_OPTION', message: `--serve: cannot listen on ${addr.host}:${addr.port}: ${(e as Error).message}` })));
    server.listen(addr.port, addr.host, () => ok(server));
  });
}
