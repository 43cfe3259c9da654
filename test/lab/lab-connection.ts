// Connections to lab hosts for the smoke test: tsplay's own ssh (engine/connection) with the
// lab inventory's vars, the lab's known_hosts and strict host key checking; OpenSSH only as a
// fallback while engine/connection is absent. Opened lazily, one per host, closed by closeAll.
import { join } from 'node:path';
import type { Connection } from '../../engine/connection/types.ts';
import { labKeyPaths } from '../../engine/lab/keys.ts';
import { openSshConnection } from './openssh-connection.ts';

const REPO = join(import.meta.dirname, '..', '..');
const open = new Map<string, Promise<Connection>>();

/** connectionKind says which client the smoke test drove the lab with. */
export let connectionKind = 'unknown';

async function connect(host: string): Promise<Connection> {
  try {
    const { openConnection, SshPool } = await import('../../engine/connection/index.ts');
    const { loadInventory } = await import('../../engine/inventory/index.ts');
    const inv = loadInventory([join(REPO, 'inventories', 'lab')], { baseDir: REPO });
    connectionKind = 'tsplay engine/connection';
    return await openConnection(
      host,
      inv.hostVars(host),
      {
        hostKeyChecking: 'yes',
        knownHostsFile: labKeyPaths().knownHosts,
        verbosity: 0,
        connectTimeoutMs: 30_000,
        resolveJump: (name) => (inv.hosts.has(name) ? inv.hostVars(name) : undefined),
      },
      new SshPool(),
    );
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    connectionKind = 'OpenSSH client (engine/connection not present)';
    return openSshConnection(host);
  }
}

function get(host: string): Promise<Connection> {
  let p = open.get(host);
  if (!p) {
    p = connect(host);
    open.set(host, p);
    p.catch(() => open.delete(host));
  }
  return p;
}

/** labConnection returns a Connection to a lab host that connects on first use. */
export function labConnection(host: string): Connection {
  return {
    host,
    run: async (argv, opts) => (await get(host)).run(argv, opts),
    shell: async (script, opts) => (await get(host)).shell(script, opts),
    batch: async (cmds, opts) => (await get(host)).batch(cmds, opts),
    put: async (path, content, opts) => (await get(host)).put(path, content, opts),
    get: async (path, opts) => (await get(host)).get(path, opts),
    close: async () => {
      const p = open.get(host);
      open.delete(host);
      if (p !== undefined) await (await p).close();
    },
  };
}

/** closeAll closes every connection opened so far. */
export async function closeAll(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  await Promise.allSettled(all.map(async (p) => (await p).close()));
}
