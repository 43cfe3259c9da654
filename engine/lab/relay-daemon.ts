// The loopback relay of one hypervisor, run as its own process INSIDE the hypervisor's network
// namespace. Its parent (relay-start.ts) binds the listening socket in the root namespace on
// 127.0.0.1 and hands it over through Node's IPC channel; accepted connections are therefore
// root-namespace loopback sockets, while this process's outgoing connect reaches the sshd on
// 127.0.0.1:22 of the hypervisor's namespace. No address exists outside the namespace and no
// veth is needed (127/8 on a veth would need route_localnet and martian tweaks).
import { writeFileSync } from 'node:fs';
import net from 'node:net';

const [pidFile, portText] = process.argv.slice(2);
const targetPort = Number(portText ?? '22');

process.on('message', (msg: unknown, handle: unknown) => {
  if (msg !== 'server' || !(handle instanceof net.Server)) return;
  handle.on('connection', (client: net.Socket) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    upstream.setNoDelay(true);
    client.pipe(upstream).pipe(client);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
  process.send?.('ready');
  process.disconnect?.();
});
process.on('SIGTERM', () => process.exit(0));
