// Keeps N bench hosts up for measuring by hand (timelines, strace, side-by-side timing): prints
// the inventory, HOME and each host's sshd PID as JSON, then waits for SIGTERM/SIGINT.
//
//   node bench/hosts-up.ts [N] > /tmp/hosts.json &
import { startBenchHosts } from './hosts.ts';

const n = Number(process.argv[2] ?? '1');
const b = await startBenchHosts(n);
process.stdout.write(`${JSON.stringify({ inventory: b.inventoryFor(n), home: b.home, hosts: b.hs.hosts.map((h) => ({ name: h.name, pid: h.pid, root: h.root, port: h.port })) })}\n`);
const stop = (): void => void b.teardown().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => undefined, 1 << 30);
