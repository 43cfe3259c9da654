// Module argument strings (k=v and free-form) split as Ansible splits them: every case of
// kv/cases.yaml is loaded as a task and its arguments compared with what ansible-core's own
// parse_kv returned (kv/expected.json, recorded by kv/capture.sh).
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlaybooks } from '../../engine/loader/index.ts';
import type { Task } from '../../engine/loader/types.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

const dir = join(import.meta.dirname, 'kv');
const cases = caseList<[string, string]>(readCaseFile(join(dir, 'cases.yaml')), join(dir, 'cases.yaml'), ['0', '1']);
const expected = readCaseFile<Record<string, string>[]>(join(dir, 'expected.json'));
// one recorded parse_kv result per case, or a case would lack its expected value
if (expected.length !== cases.length) throw new Error(`kv/expected.json: ${expected.length} results for ${cases.length} cases`);

test('every k=v string gives the arguments ansible-core parse_kv gives', (t) => {
  const work = mkdtempSync(join(tmpdir(), 'tsplay-kv-'));
  try {
    const tasks = cases.map(([mod, text]) => `    - ${mod}: ${JSON.stringify(text)}`).join('\n');
    writeFileSync(join(work, 'site.yml'), `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}\n`);
    const loaded = loadPlaybooks([join(work, 'site.yml')])[0]!.plays[0]!.tasks as Task[];
    cases.forEach(([mod, text], i) => {
      const want = Object.fromEntries(Object.entries(expected[i]!).map(([k, v]) => [k === '_raw_params' ? 'cmd' : k, v]));
      t.deepEqual(loaded[i]!.args, want, `${mod}: ${text}`);
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
