// Runs bench/floor.ts's measurement as a process of its own, so the floor is timed like every
// other tool (node start-up included, under GNU time). Reads the hosts from a JSON file:
//   node bench/floor-child.ts HOSTS.json N COMMANDS
import { readFileSync } from 'node:fs';
import type { TestHosts } from '../test/helpers/ssh-hosts.ts';
import { measureFloor } from './floor.ts';

/** FloorHosts is the part of TestHosts measureFloor reads, as written by bench/run.ts. */
export interface FloorHosts {
  readonly knownHostsFile: string;
  readonly hosts: { readonly name: string; readonly vars: Record<string, string> }[];
}

const [file, n, k] = process.argv.slice(2);
if (!file || !n || !k) {
  process.stderr.write('usage: node bench/floor-child.ts HOSTS.json N COMMANDS\n');
  process.exit(2);
}
const hosts = JSON.parse(readFileSync(file, 'utf8')) as FloorHosts;
// measureFloor reads only `hosts[].name`, `hosts[].vars` and `knownHostsFile`
const res = await measureFloor(hosts as unknown as TestHosts, Number(n), Number(k), 'fork', 'raw');
process.stdout.write(`${JSON.stringify(res)}\n`);
// the pool keeps sockets referenced; the measurement is done
process.exit(0);
