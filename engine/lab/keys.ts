// Step "keys": the lab's client key, every host's host key, known_hosts and an ssh_config,
// all in the lab state dir. Host keys are made here (not on first boot) so the controller
// can check them strictly from the very first connection.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { mustRun } from './lab-host.ts';
import { statePath, LAB_STATE_DIR } from './paths.ts';
import { GUESTS, HYPERVISORS, hypervisorOf } from './topology.ts';

/** LabKeys names the files the lab's ssh clients use. */
export interface LabKeys {
  readonly clientKey: string;
  readonly knownHosts: string;
  readonly sshConfig: string;
  readonly authorizedKeys: string;
}

/** labKeyPaths returns where the lab's key files live. */
export function labKeyPaths(): LabKeys {
  return {
    clientKey: statePath('id_ed25519'),
    knownHosts: statePath('known_hosts'),
    sshConfig: statePath('ssh_config'),
    authorizedKeys: statePath('authorized_keys'),
  };
}

/** hostKeyPath is the private host key file of a lab host (hypervisor or guest). */
export function hostKeyPath(host: string): string {
  return statePath('hostkeys', host, 'ssh_host_ed25519_key');
}

async function ensureKey(path: string, comment: string): Promise<string> {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    await mustRun('keys', ['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  }
  return readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** ensureLabKeys makes missing keys and rewrites known_hosts, authorized_keys and ssh_config. */
export async function ensureLabKeys(): Promise<LabKeys> {
  mkdirSync(LAB_STATE_DIR, { recursive: true, mode: 0o755 });
  const k = labKeyPaths();
  const clientPub = await ensureKey(k.clientKey, 'tsplay-lab-controller');
  writeFileSync(k.authorizedKeys, `${clientPub} tsplay-lab-controller\n`, { mode: 0o644 });
  const known: string[] = [];
  const config: string[] = [`# written by \`tsplay lab up\`; use: ssh -F ${k.sshConfig} vm1`, ''];
  for (const h of HYPERVISORS) {
    const pub = await ensureKey(hostKeyPath(h.name), `tsplay-lab-${h.name}`);
    known.push(`[127.0.0.1]:${h.sshPort} ${pub}`);
    config.push(`Host ${h.name}`, '  HostName 127.0.0.1', `  Port ${h.sshPort}`, '');
  }
  for (const g of GUESTS) {
    const pub = await ensureKey(hostKeyPath(g.name), `tsplay-lab-${g.name}`);
    known.push(`${g.address} ${pub}`, `${g.teamAddress} ${pub}`);
    config.push(`Host ${g.name}`, `  HostName ${g.address}`, `  ProxyJump ${hypervisorOf(g).name}`, '');
  }
  config.push(
    'Host *',
    '  User root',
    `  IdentityFile ${k.clientKey}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${k.knownHosts}`,
    '  StrictHostKeyChecking yes',
    '  ConnectTimeout 20',
    '  ServerAliveInterval 5',
    '  ServerAliveCountMax 3',
    '  LogLevel ERROR',
    '',
  );
  writeFileSync(k.knownHosts, `${known.join('\n')}\n`);
  writeFileSync(k.sshConfig, config.join('\n'));
  removeOldUserKnownHostsBlock();
  return k;
}

// Earlier versions of `lab up` kept the lab's host keys in a marked block of ~/.ssh/known_hosts,
// because tsplay's ssh then ignored `-o UserKnownHostsFile`. It honours it now (the inventory
// names /var/lib/tsplay-lab/known_hosts), so the lab never writes the user's file; `up` and
// `down` only remove a block such a version left behind.
const BEGIN = '# tsplay-lab begin (managed by `tsplay lab up`; host keys of the lab in /var/lib/tsplay-lab)';
const END = '# tsplay-lab end';

/** removeManagedBlock returns `text` without the marked block an earlier `lab up` wrote (unchanged if there is none). */
export function removeManagedBlock(text: string): string {
  const esc = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?:^|(?<=\n))${esc(BEGIN)}\n[\\s\\S]*?${esc(END)}(?:\n|$)`), '');
}

/** removeOldUserKnownHostsBlock drops that block from ~/.ssh/known_hosts if present; true when it removed one. */
export function removeOldUserKnownHostsBlock(): boolean {
  const file = join(homedir(), '.ssh', 'known_hosts');
  if (!existsSync(file)) return false;
  const before = readFileSync(file, 'utf8');
  const after = removeManagedBlock(before);
  if (after === before) return false;
  writeFileSync(file, after);
  return true;
}
