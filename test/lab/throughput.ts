// Measures TCP throughput across a guest's tap without ssh in the path (under TCG the guest's
// ssh crypto, not the link, would be the bottleneck): a tiny python3 server in the guest, a Node
// client in the hypervisor's namespace that times the transfer.
import type { Connection } from '../../engine/connection/types.ts';

const SERVER = `
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5001))
s.listen(4)
while True:
    c, _ = s.accept()
    line = b""
    while not line.endswith(b"\\n"):
        b = c.recv(1)
        if not b:
            break
        line += b
    cmd = line.split()
    if cmd and cmd[0] == b"send":
        n = int(cmd[1])
        buf = b"\\0" * 65536
        while n > 0:
            k = min(n, 65536)
            c.sendall(buf[:k])
            n -= k
    else:
        n = 0
        while True:
            d = c.recv(65536)
            if not d:
                break
            n += len(d)
        c.sendall(str(n).encode())
    c.close()
`;

const CLIENT = `
const [addr, port, mode, bytes] = process.argv.slice(1);
const net = require('node:net');
const t0 = Date.now();
let got = 0;
const s = net.connect(Number(port), addr, () => {
  if (mode === 'to-guest') { s.write('recv\\n'); s.end(Buffer.alloc(Number(bytes))); }
  else s.write('send ' + bytes + '\\n');
});
s.on('data', (d) => { got += d.length; });
s.on('end', () => { console.log(JSON.stringify({ seconds: (Date.now() - t0) / 1000, got })); s.destroy(); });
s.on('error', (e) => { console.error(e.message); process.exit(1); });
`;

/** startThroughputServer starts the python3 server in the guest (detached, port 5001) and waits until it listens. */
export async function startThroughputServer(guest: Connection): Promise<void> {
  const r = await guest.shell(`setsid python3 -c '${SERVER.replace(/'/g, `'\\''`)}' </dev/null >/dev/null 2>&1 &`);
  if (r.rc !== 0) throw new Error(`throughput server: ${r.stderr}`);
  // python3 under TCG on a loaded host takes from under a second to many: wait for the listening socket
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const l = await guest.run(['ss', '-Hltn', 'sport = :5001']);
    if (l.rc === 0 && l.stdout.trim() !== '') return;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('throughput server: nothing listens on port 5001 after 90 s');
}

/** measureKiBps times one transfer of `bytes` between the hypervisor and the guest's address. */
export async function measureKiBps(hv: Connection, address: string, direction: 'to-guest' | 'from-guest', bytes: number): Promise<number> {
  const r = await hv.run([process.execPath, '-e', CLIENT, address, '5001', direction, String(bytes)], { timeoutMs: 120_000 });
  if (r.rc !== 0) throw new Error(`throughput client: ${r.stderr}`);
  const v = JSON.parse(r.stdout) as { seconds: number; got: number };
  return bytes / 1024 / v.seconds;
}
