// Playbooks of any length for the "cost of one more task" curve: the same mix of core modules
// as bench/playbook/site.yml, repeated, each task writing under `{{ bench_root }}/gen/`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** GeneratedPlaybook is a written playbook and how many of its tasks reach the host. */
export interface GeneratedPlaybook {
  readonly file: string;
  readonly tasks: number;
  /** tasks that run a remote command (the rest run on the controller: set_fact, debug, assert) */
  readonly remoteTasks: number;
}

// one cycle of 8 tasks: 5 remote, 3 on the controller
const CYCLE: readonly ((i: number) => { remote: boolean; text: string })[] = [
  (i) => ({ remote: true, text: `    - name: read ${i}\n      command: cat /etc/hostname\n      changed_when: false\n      check_mode: false\n` }),
  (i) => ({ remote: true, text: `    - name: dir ${i}\n      file:\n        path: "{{ bench_root }}/gen/d${i}"\n        state: directory\n        mode: "0755"\n` }),
  (i) => ({
    remote: true,
    text: `    - name: copy ${i}\n      copy:\n        dest: "{{ bench_root }}/gen/f${i}.conf"\n        content: "task ${i} on {{ inventory_hostname }}\\n"\n        mode: "0644"\n`,
  }),
  (i) => ({
    remote: true,
    text: `    - name: line ${i}\n      lineinfile:\n        path: "{{ bench_root }}/gen/lines.conf"\n        line: "key${i} = {{ inventory_hostname }}"\n        create: true\n        mode: "0644"\n`,
  }),
  (i) => ({ remote: true, text: `    - name: stat ${i}\n      stat:\n        path: "{{ bench_root }}/gen"\n      register: st${i}\n` }),
  (i) => ({ remote: false, text: `    - name: fact ${i}\n      set_fact:\n        f${i}: "{{ inventory_hostname }}-${i}"\n` }),
  (i) => ({ remote: false, text: `    - name: debug ${i}\n      debug:\n        msg: "{{ f${i - 1} }}"\n` }),
  (i) => ({ remote: false, text: `    - name: assert ${i}\n      assert:\n        that:\n          - bench_root != ""\n` }),
];

/** generatePlaybook writes a playbook of `tasks` tasks into `dir` and returns it. */
export function generatePlaybook(dir: string, tasks: number): GeneratedPlaybook {
  mkdirSync(dir, { recursive: true });
  let remote = 0;
  const parts: string[] = [];
  for (let i = 0; i < tasks; i++) {
    const t = (CYCLE[i % CYCLE.length] as (i: number) => { remote: boolean; text: string })(i);
    if (t.remote) remote++;
    parts.push(t.text);
  }
  const file = join(dir, `gen-${tasks}.yml`);
  writeFileSync(file, `- name: generated ${tasks} tasks\n  hosts: bench\n  gather_facts: false\n  tasks:\n${parts.join('')}`);
  return { file, tasks, remoteTasks: remote };
}
