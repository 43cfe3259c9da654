// Dynamic includes that re-enter their own include chain. A recursion that ends (its `when` turns
// false) runs as in Ansible; one that never ends must stop quickly with E_INCLUDE_CYCLE naming the
// chain, the host and the include, instead of growing until the stack or memory gives out.
import test from 'ava';
import type { ExecEvent } from '../../engine/executor/events.ts';
import { INCLUDE_RECURSION_LIMIT } from '../../engine/executor/include-chain.ts';
import { runPlaybook } from './helpers/run-playbook.ts';

const inv = (n: number): string => `${Array.from({ length: n }, (_, i) => `h${i + 1} ansible_connection=local`).join('\n')}\n`;

// a run that does not end by itself is aborted here: the test then fails on the exit code (99)
// instead of hanging; the cycle must be found long before
const GIVE_UP_MS = 120_000;
// a liveness bound only (the old code never ended): generous, since 2 shared cores can be slow
const BOUND_MS = 60_000;

async function run(files: Record<string, string>, hosts = 1): Promise<Awaited<ReturnType<typeof runPlaybook>> & { ms: number }> {
  const t0 = performance.now();
  const r = await runPlaybook({ 'inventory.ini': inv(hosts), ...files }, {}, { signal: AbortSignal.timeout(GIVE_UP_MS) });
  return { ...r, ms: Math.round(performance.now() - t0) };
}

/** failures lists the failed host results, paths in messages relative to the run's directory. */
function failures(r: { events: readonly ExecEvent[]; dir: string }): { host: string; task: string; msg: string }[] {
  const out: { host: string; task: string; msg: string }[] = [];
  for (const e of r.events) {
    if (e.type === 'host-result' && e.status === 'failed') out.push({ host: e.host, task: e.task.name || e.task.module, msg: String(e.result?.['msg'] ?? '').replaceAll(`${r.dir}/`, '') });
  }
  return out;
}

const PLAY = (tasks: string, vars = ''): string => `
- hosts: all
  gather_facts: false
${vars}  tasks:
${tasks}
    - name: after
      debug: msg=after
`;

test('a task file that includes itself without end fails its host with E_INCLUDE_CYCLE naming the chain (exit 2)', async (t) => {
  const r = await run({
    'site.yml': PLAY('    - name: enter\n      include_tasks: loop.yml'),
    'loop.yml': '- name: step\n  debug: msg=x\n- name: again\n  include_tasks: loop.yml\n',
  });
  t.log(`exit ${r.code} after ${r.ms} ms`);
  t.is(r.code, 2, r.text);
  t.true(r.ms < BOUND_MS);
  const f = failures(r);
  t.is(f.length, 1, r.text.slice(-2000));
  t.is(f[0]!.host, 'h1');
  t.is(f[0]!.task, 'again');
  t.regex(f[0]!.msg, /^loop\.yml:3:3: error\[E_INCLUDE_CYCLE\]: include cycle: loop\.yml is already 100 times on this host's include chain/);
  t.true(f[0]!.msg.endsWith(`: site.yml:5 -> (loop.yml:3) x${INCLUDE_RECURSION_LIMIT}`), f[0]!.msg);
  t.is(r.events.filter((e) => e.type === 'host-result' && e.task.name === 'step').length, INCLUDE_RECURSION_LIMIT, 'one step per level entered');
  t.false(
    r.events.some((e) => e.type === 'host-result' && e.task.name === 'after'),
    'the failed host runs nothing more',
  );
});

test('two task files including each other: the cycle names both includes', async (t) => {
  const r = await run({
    'site.yml': PLAY('    - include_tasks: a.yml'),
    'a.yml': '- debug: msg=a\n- include_tasks: b.yml\n',
    'b.yml': '- debug: msg=b\n- include_tasks: a.yml\n',
  });
  t.is(r.code, 2, r.text.slice(-2000));
  const f = failures(r);
  t.is(f.length, 1);
  t.regex(f[0]!.msg, /E_INCLUDE_CYCLE.*a\.yml is already 100 times.*: site\.yml:5 -> \(a\.yml:2 -> b\.yml:2\) x100$/);
});

test('only the host whose recursion never ends fails; the other finishes the play', async (t) => {
  const r = await run(
    {
      'site.yml': PLAY('    - include_tasks: loop.yml'),
      'loop.yml': '- debug: msg=x\n- include_tasks: loop.yml\n  when: inventory_hostname == "h1"\n',
    },
    2,
  );
  t.is(r.code, 2);
  t.deepEqual(
    failures(r).map((f) => f.host),
    ['h1'],
  );
  t.is(r.stats['h2']?.failed, 0);
  t.true(r.events.some((e) => e.type === 'host-result' && e.task.name === 'after' && e.host === 'h2'));
});

test('a role that includes itself (name known only at run time) without end fails with E_INCLUDE_CYCLE', async (t) => {
  const r = await run({
    'site.yml': PLAY('    - set_fact: { me: r }\n    - include_role: { name: "{{ me }}" }'),
    'roles/r/tasks/main.yml': '- debug: msg=in-r\n- include_role:\n    name: "{{ me }}"\n',
  });
  t.is(r.code, 2, r.text.slice(-2000));
  const f = failures(r);
  t.is(f.length, 1);
  t.regex(f[0]!.msg, /E_INCLUDE_CYCLE\]: include cycle: role r is already 100 times.*: site\.yml:6 -> \(roles\/r\/tasks\/main\.yml:2\) x100$/);
});

/** recursion is a task file that includes itself until `n` walks a chain of `depth` names to `end`. */
function recursion(depth: number): Record<string, string> {
  const next = Object.fromEntries(Array.from({ length: depth }, (_, i) => [`l${i}`, i + 1 < depth ? `l${i + 1}` : 'end']));
  return {
    'site.yml': PLAY('    - set_fact: { n: l0 }\n    - include_tasks: r.yml', `  vars:\n    next: ${JSON.stringify(next)}\n`),
    'r.yml': '- debug: msg="level {{ n }}"\n- set_fact: { n: "{{ lookup next n }}" }\n- include_tasks: r.yml\n  when: n != "end"\n',
  };
}

test('a recursion that ends runs as in Ansible (3 levels: ok=11 skipped=1, as ansible-playbook 2.14 gave)', async (t) => {
  // the same playbook in Ansible's syntax (set_fact n: "{{ next[n] }}") gave
  // `localhost : ok=11 changed=0 unreachable=0 failed=0 skipped=1` with ansible-playbook 2.14
  const r = await run(recursion(3));
  t.is(r.code, 0, r.text);
  t.like(r.stats['h1'], { ok: 11, failed: 0, skipped: 1 });
  t.deepEqual(
    r.events.flatMap((e) => (e.type === 'host-result' && e.task.module === 'debug' ? [String(e.result?.['msg'])] : [])),
    ['level l0', 'level l1', 'level l2', 'after'],
  );
});

test(`the recursion limit: ${INCLUDE_RECURSION_LIMIT} nested entries of a file run, one more is refused`, async (t) => {
  const ok = await run(recursion(INCLUDE_RECURSION_LIMIT));
  t.is(ok.code, 0, ok.text.slice(-2000));
  t.true(ok.events.some((e) => e.type === 'host-result' && e.task.name === 'after'));
  const over = await run(recursion(INCLUDE_RECURSION_LIMIT + 1));
  t.is(over.code, 2);
  t.regex(failures(over)[0]?.msg ?? '', /E_INCLUDE_CYCLE/);
});
