// owner/group values reach chown/chgrp: a value starting with `-` (`--reference=FILE`) must never be
// read as an option. Every module that takes owner/group checks them with one validator at load
// time, and every user value sits after `--` in the argv anyway. Run against a real sshd.
import test from 'ava';
import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TsplayErrors } from '../../engine/errors/index.ts';
import { getModule } from '../../engine/modules/registry.ts';
import { createTestHosts, type TestHosts } from '../helpers/ssh-hosts.ts';
import { runPlaybook } from '../executor/helpers/run-playbook.ts';

let hosts: TestHosts;

test.before(async () => {
  hosts = await createTestHosts(1);
});

test.after.always(async () => {
  await hosts?.teardown();
});

const NOBODY = 65534;
const OWNER_MODULES = ['file', 'copy', 'template', 'lineinfile', 'blockinfile'] as const;

// the smallest arguments each module takes for a file at `path`, plus the attribute under test
function taskArgs(module: (typeof OWNER_MODULES)[number], path: string, dir: string): string {
  const base: Record<string, string> = {
    file: `path: ${path}`,
    copy: `dest: ${path}\n      content: "x\\n"`,
    template: `dest: ${path}\n      src: ${join(dir, 't.hbs')}`,
    lineinfile: `path: ${path}\n      line: x`,
    blockinfile: `path: ${path}\n      block: x`,
  };
  return base[module]!;
}

for (const module of OWNER_MODULES) {
  for (const attr of ['owner', 'group'] as const) {
    test.serial(`${module} ${attr}: "--reference=FILE" is refused at load time with its position, and the file keeps its ${attr}`, async (t) => {
      const dir = join(hosts.hosts[0]!.root, `${module}-${attr}`);
      mkdirSync(dir, { recursive: true });
      const target = join(dir, 'target');
      const ref = join(dir, 'ref');
      writeFileSync(target, 'x\n');
      writeFileSync(ref, 'ref\n');
      writeFileSync(join(dir, 't.hbs'), 'x\n');
      chownSync(ref, NOBODY, NOBODY);
      const h = hosts.hosts[0]!;
      const pb = `- hosts: h1\n  gather_facts: false\n  tasks:\n  - ${module}:\n      ${taskArgs(module, target, dir)}\n      ${attr}: "--reference=${ref}"\n`;
      const inv = `h1 ${Object.entries(h.vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}\n`;
      const r = await runPlaybook({ 'site.yml': pb, 'inventory.ini': inv }, {}, { connect: { knownHostsFile: hosts.knownHostsFile } }).catch((e: unknown) => e);
      const st = statSync(target);
      t.deepEqual([st.uid, st.gid], [0, 0], 'the target kept root:root');
      t.true(r instanceof TsplayErrors, `refused before running: ${r instanceof Error ? r.message : JSON.stringify((r as { text: string }).text)}`);
      const e = (r as TsplayErrors).errors[0]!;
      t.is(e.code, 'E_ARG_TYPE');
      t.is(e.pos?.line, pb.split('\n').findIndex((l) => l.includes(`${attr}: "--reference`)) + 1, 'the error points at the value');
      t.regex(e.message, new RegExp(`argument "${attr}"`));
    });
  }
}

test.serial('a templated owner that turns out to be "--reference=FILE" fails the task before any command; the file is untouched', async (t) => {
  const dir = join(hosts.hosts[0]!.root, 'templated');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, 'target');
  const ref = join(dir, 'ref');
  writeFileSync(target, 'x\n');
  writeFileSync(ref, 'ref\n');
  chownSync(ref, NOBODY, NOBODY);
  const h = hosts.hosts[0]!;
  const pb = `- hosts: h1\n  gather_facts: false\n  vars:\n    who: "--reference=${ref}"\n  tasks:\n  - file:\n      path: ${target}\n      owner: "{{ who }}"\n`;
  const inv = `h1 ${Object.entries(h.vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}\n`;
  const r = await runPlaybook({ 'site.yml': pb, 'inventory.ini': inv }, {}, { connect: { knownHostsFile: hosts.knownHostsFile } });
  t.is(r.stats['h1']?.failed, 1, r.text);
  t.regex(r.text, /bad arguments for file after templating: owner: expected a user or group name/);
  t.is(statSync(target).uid, 0);
});

test('one validator for owner and group in every module: real names and ids pass, option-like and malformed values do not', (t) => {
  const good = ['root', 'www-data', 'john.doe', 'DOMAIN\\user', 'user@example.org', 'Domain Users', '1000', 0, '+1000', 'svc_app$'];
  const bad = ['--reference=/etc/passwd', '-1', 'a:b', '', ' root', 'root\n', 'ro\x00ot'];
  for (const module of OWNER_MODULES) {
    const mod = getModule(module)!;
    const base: Record<string, unknown> = {
      file: { path: '/x' },
      copy: { dest: '/x', content: 'x' },
      template: { dest: '/x', src: 't' },
      lineinfile: { path: '/x', line: 'x' },
      blockinfile: { path: '/x', block: 'x' },
    }[module] as Record<string, unknown>;
    for (const attr of ['owner', 'group']) {
      for (const v of good) t.true(mod.schema.safeParse({ ...base, [attr]: v }).success, `${module} ${attr}=${JSON.stringify(v)} is accepted`);
      for (const v of bad) t.false(mod.schema.safeParse({ ...base, [attr]: v }).success, `${module} ${attr}=${JSON.stringify(v)} is refused`);
    }
  }
});
