// The domain XML virt_domain and virt_install define, checked by libvirt's own schema
// (virt-xml-validate, libvirt-clients 9.0), and the virt-install argv they plan, run by
// virt-install 4.1 itself with --print-xml --dry-run against libvirt's test:///default driver
// (no libvirtd; it defines nothing). The same run against a hypervisor's libvirtd is the lab's.
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { getModule } from '../../engine/modules/registry.ts';
import { installArgsSchema, installArgv } from '../../engine/modules/virt/install-plan.ts';
import { attr, kid, kids, parseXmlRoot } from '../../engine/modules/virt/xml-tree.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsplay-virt-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

// captured tool output as the plan runner (virt-plans.test.ts) resolves it: { capture, replace }
function resolve(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolve);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o['capture'] !== 'string') return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  let text = (JSON.parse(readFileSync(new URL(`../probes/cases/${o['capture']}`, import.meta.url), 'utf8')) as { stdout: string }).stdout;
  for (const [from, to] of (o['replace'] as [string, string][] | undefined) ?? []) text = text.replace(from, to);
  return text;
}

// Every case of the plan files whose steps define a domain: its XML must be valid libvirt domain XML.
const defined: { name: string; xml: string }[] = [];
for (const file of ['virt_domain.yaml', 'virt_install.yaml']) {
  const data = parse(readFileSync(new URL(`./virt-plans/${file}`, import.meta.url), 'utf8'), { merge: true, maxAliasCount: 1000 }) as {
    module: string;
    cases: { name: string; args: unknown; current?: unknown }[];
  };
  const mod = getModule(data.module)!;
  for (const c of data.cases) {
    const args = mod.schema.safeParse(resolve(c.args));
    if (!args.success || c.current === undefined || JSON.stringify(c.current).includes('repoFile')) continue;
    const plan = mod.plan(args.data, resolve(c.current), { host: 'hv1', vars: {}, check: false, diff: false });
    for (const s of (plan.payload as { steps?: { run?: string[]; stdin?: string }[] } | undefined)?.steps ?? []) {
      if (s.run?.includes('define') && s.stdin) defined.push({ name: `${data.module}: ${c.name}`, xml: s.stdin });
    }
  }
}

test('the plans define domains (so the schema check below checks something)', (t) => {
  t.true(defined.length >= 8, `${defined.length} defined`);
});

for (const [i, d] of defined.entries()) {
  test(`virt-xml-validate accepts the domain XML of ${d.name}`, (t) => {
    const f = join(dir, `domain-${i}.xml`);
    writeFileSync(f, d.xml);
    const r = spawnSync('virt-xml-validate', [f, 'domain'], { encoding: 'utf8' });
    t.is(r.status, 0, `${r.stdout}${r.stderr}`);
  });
}

test('virt-install 4.1 takes the planned pxe argv: quoted disk path, MACs and models arrive intact', (t) => {
  const args = installArgsSchema.parse({
    name: 'vm7',
    mode: 'pxe',
    memory: 768,
    vcpus: 1,
    cpu: 'qemu64',
    console_log: '/var/log/vm7.log',
    guest_agent: true,
    rng: true,
    memballoon: false,
    disks: [{ path: '/var/lib/tsplay/a,b$(reboot).qcow2', target: 'vda', size: 8 }],
    nics: [
      { name: 'eth0', mac: '52:54:00:61:07:10', network: 'default' },
      { name: 'eth1', mac: '52:54:00:61:07:11', network: 'default', model: 'e1000' },
    ],
  });
  // the test driver only offers i686 guests of type "test": leave virt-type out, point at test:///default
  const argv = installArgv(args, { inject: false }).map((w) => (w === 'qemu:///system' ? 'test:///default' : w));
  const out = execFileSync(argv[0]!, [...argv.slice(1), '--print-xml', '--dry-run'], { encoding: 'utf8' });
  const doms = out.split('</domain>').filter((x) => x.includes('<domain'));
  const last = parseXmlRoot(`${doms[doms.length - 1]}</domain>`, 'domain')!;
  const devices = kid(last, 'devices');
  t.is(attr(kid(kids(devices, 'disk')[0], 'source'), 'file'), '/var/lib/tsplay/a,b$(reboot).qcow2');
  t.deepEqual(
    kids(devices, 'interface').map((i) => [attr(kid(i, 'mac'), 'address'), attr(kid(i, 'model'), 'type'), attr(kid(i, 'source'), 'network')]),
    [
      ['52:54:00:61:07:10', 'virtio', 'default'],
      ['52:54:00:61:07:11', 'e1000', 'default'],
    ],
  );
  t.is(attr(kid(kids(devices, 'serial')[0], 'source'), 'path'), '/var/log/vm7.log');
  // the first XML is the install boot: network first
  t.is(attr(kids(kid(parseXmlRoot(`${doms[0]}</domain>`, 'domain'), 'os'), 'boot')[0], 'dev'), 'network');
});
