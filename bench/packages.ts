// The Debian packages the compared tools need, installed by the bench when missing (as
// test/setup-host.sh does for the tests): ansible-core for ansible-playbook, ansible-mitogen
// (which brings its mitogen_linear strategy into Ansible's plugin path) for the Mitogen column.
import { ensurePackages } from '../engine/lab/host-packages.ts';
import type { ToolName } from './tools.ts';

const NEEDS: Partial<Record<ToolName, readonly string[]>> = {
  ansible: ['ansible-core'],
  mitogen: ['ansible-core', 'ansible-mitogen'],
};

/** ensureToolPackages installs what `tools` need and is not installed yet; returns what it installed. */
export function ensureToolPackages(tools: readonly ToolName[], log: (m: string) => void): Promise<string[]> {
  return ensurePackages([...new Set(tools.flatMap((t) => NEEDS[t] ?? []))], log);
}
