// Step "keys": the lab's client key, every host's host key, known_hosts and an ssh_config,
// all in the lab state dir. Host keys are made here (not on first boot) so the controller
// can check them strictly from the very first connection.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { mustRun } from './run-tool.ts';
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
  const config: string[] = ['# written by `tsplay lab up`; use: ssh -F ' + k.sshConfig + ' vm1', ''];
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
    'Host *', '  User root', `  IdentityFile ${k.clientKey}`, '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${k.knownHosts}`, '  StrictHostKeyChecking yes', '  ConnectTimeout 20',
    '  ServerAliveInterval 5', '  ServerAliveCountMax 3', '  LogLevel ERROR', '',
  );
  writeFileSync(k.knownHosts, known.join('\n') + '\n');
  writeFileSync(k.sshConfig, config.join('\n'));
  syncUserKnownHosts(known);
  return k;
}

const BEGIN = '# tsplay-lab begin (managed by `tsplay lab up`; host keys of the lab in /var/lib/tsplay-lab)';
const END = '# tsplay-lab end';

/** replaceManagedBlock returns `text` with the lab's marked block replaced by `lines` (appended if absent). */
export function replaceManagedBlock(text: string, lines: readonly string[]): string {
  const block = [BEGIN, ...lines, END].join('\n');
  const re = new RegExp(`${BEGIN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*?${END}`);
  if (re.test(text)) return text.replace(re, block);
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${block}\n`;
}

/**
 * syncUserKnownHosts keeps the lab's host keys in a marked block of ~/.ssh/known_hosts. Why:
 * tsplay's ssh checks ~/.ssh/known_hosts and does not (yet) read UserKnownHostsFile from
 * ansible_ssh_common_args as OpenSSH/ansible do; the keys are stable across down/up.
 */
function syncUserKnownHosts(lines: readonly string[]): void {
  const file = join(homedir(), '.ssh', 'known_hosts');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const after = replaceManagedBlock(before, lines);
  if (after !== before) writeFileSync(file, after, { mode: 0o600 });
}
