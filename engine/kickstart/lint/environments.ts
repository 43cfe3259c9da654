import type { OsTarget } from '../os-target.ts';

// Environment groups of the installation media's comps (RHEL 7 and RHEL 8-10 Server/BaseOS+AppStream).
const EL7_IDS = new Set([
  'minimal',
  'compute-node-environment',
  'infrastructure-server-environment',
  'file-print-server-environment',
  'web-server-environment',
  'virtualization-host-environment',
  'graphical-server-environment',
  'gnome-desktop-environment',
  'kde-desktop-environment',
  'developer-workstation-environment',
]);
const EL7_NAMES = new Set([
  'Minimal Install',
  'Compute Node',
  'Infrastructure Server',
  'File and Print Server',
  'Basic Web Server',
  'Virtualization Host',
  'Server with GUI',
  'GNOME Desktop',
  'KDE Plasma Workspaces',
  'Development and Creative Workstation',
]);
const EL8_NAMES = new Set(['Server with GUI', 'Server', 'Minimal Install', 'Workstation', 'Custom Operating System', 'Virtualization Host']);

/**
 * environmentKnown tells whether `@^` names an environment of this OS: by id (`minimal-environment`)
 * or by its name (`Server with GUI`); a name it does not know may still come from a repo of the user's.
 */
export function environmentKnown(env: string, os: OsTarget): 'ok' | 'unknown-id' | 'unknown-name' {
  const el7 = os.family === 'rhel' && os.major === 7;
  // comps ids are lower case without spaces; anything else is a (possibly translated) name
  if (/[\sA-Z]/.test(env)) {
    if (os.family === 'fedora') return 'ok';
    return (el7 ? EL7_NAMES : EL8_NAMES).has(env) ? 'ok' : 'unknown-name';
  }
  return (el7 ? EL7_IDS.has(env) : env.endsWith('-environment')) ? 'ok' : 'unknown-id';
}
