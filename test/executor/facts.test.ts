// Fact parser tests are data: real script output (facts/*.out) → expected facts, and a
// cross-check against what ansible's setup module reported on the same machine (see facts/README.md).
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFacts } from '../../engine/facts/index.ts';

const dir = join(import.meta.dirname, 'facts');

for (const f of readdirSync(dir).filter((n) => n.endsWith('.out'))) {
  const name = f.replace(/\.out$/, '');
  const facts = parseFacts(readFileSync(join(dir, f), 'utf8'));
  test(`facts parse ${name}`, (t) => {
    t.deepEqual(JSON.parse(JSON.stringify(facts)), JSON.parse(readFileSync(join(dir, `${name}.expected.json`), 'utf8')));
  });
  const oracle = join(dir, `${name}.ansible-setup.json`);
  if (!existsSync(oracle)) continue;
  test(`facts of ${name} agree with ansible's setup module`, (t) => {
    // biome-ignore lint/suspicious/noExplicitAny: ansible's recorded setup output, read as loosely as it was written
    const a = JSON.parse(readFileSync(oracle, 'utf8')) as Record<string, any>;
    for (const k of ['ansible_hostname', 'ansible_kernel', 'ansible_architecture', 'ansible_os_family', 'ansible_distribution', 'ansible_distribution_version', 'ansible_distribution_major_version']) {
      if (k in a) t.is(facts[k], a[k], k);
    }
    t.deepEqual([...facts.ansible_interfaces].sort(), [...(a['ansible_interfaces'] as string[])].sort());
    for (const k of ['address', 'interface', 'gateway', 'macaddress']) t.is((facts.ansible_default_ipv4 as Record<string, unknown>)[k], a['ansible_default_ipv4'][k], `default_ipv4.${k}`);
    for (const i of facts.ansible_interfaces) {
      const mine = facts[`ansible_${i}`] as { macaddress?: string; ipv4?: { address: string } };
      const theirs = a[`ansible_${i}`];
      if (!theirs) continue;
      t.is(mine.macaddress, theirs.macaddress, `${i} mac`);
      t.is(mine.ipv4?.address, theirs.ipv4?.address, `${i} ipv4`);
    }
  });
}
