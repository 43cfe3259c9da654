// Runs every lineinfile/blockinfile edit case (and every mode case) in test/modules/edits/*.yaml against the pure
// edit functions and compares with the outcome real Ansible produced (recorded in the file).
import test from 'ava';
import { editLines } from '../../engine/modules/support/line-edit.ts';
import { editBlock } from '../../engine/modules/support/block-edit.ts';
import { modeString, parseMode } from '../../engine/modules/support/file-mode.ts';
import { pyExpandUser, pyExpandVars } from '../../engine/modules/support/expand.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

interface EditCase {
  name: string;
  before: string | null;
  args: Record<string, unknown>;
  ansible: { changed: boolean; msg: string; after: string | null };
}

const editors: Record<string, (text: string | undefined, args: never) => { content: string; changed: boolean; msg: string }> = {
  lineinfile: editLines,
  blockinfile: editBlock,
};

for (const [module, edit] of Object.entries(editors)) {
  const file = new URL(`./edits/${module}.yaml`, import.meta.url);
  const raw = readCaseFile<{ cases?: unknown; recorded_with: string }>(file);
  const data = { ...raw, cases: caseList<EditCase>(raw.cases, file, ['name', 'args', 'ansible']) };
  test(`${module} edits were recorded from Ansible`, (t) => {
    t.regex(data.recorded_with, /^ansible \[core 2\.\d+/);
    t.true(data.cases.every((c) => c.ansible !== undefined));
  });
  for (const c of data.cases) {
    test(`${module}: ${c.name}`, (t) => {
      const r = edit(c.before ?? undefined, c.args as never);
      t.is(r.changed, c.ansible.changed);
      t.is(r.msg, c.ansible.msg);
      // Ansible leaves a missing file absent when nothing is written; the edit then has nothing to say.
      if (c.ansible.after !== null) t.is(r.content, c.ansible.after);
    });
  }
}

const modesFile = new URL('./edits/modes.yaml', import.meta.url);
const modesRaw = readCaseFile<{ recorded_with: string; cases?: unknown }>(modesFile);
const modes = { ...modesRaw, cases: caseList<{ name: string; start: string; dir: boolean; mode: string; ansible: string }>(modesRaw.cases, modesFile, ['name', 'start', 'mode', 'ansible']) };
test('mode cases were recorded from Ansible', (t) => {
  t.regex(modes.recorded_with, /^ansible \[core 2\.\d+/);
});
for (const c of modes.cases) {
  test(`mode: ${c.name} (${c.start} ${c.mode})`, (t) => {
    t.is(modeString(parseMode(c.mode, parseInt(c.start, 8), c.dir)), c.ansible);
  });
}

const expandFile = new URL('./edits/expand.yaml', import.meta.url);
const expandRaw = readCaseFile<{ recorded_with: string; env: Record<string, string>; homes: Record<string, string>; cases?: unknown }>(expandFile);
const expand = { ...expandRaw, cases: caseList<{ word: string; python: string }>(expandRaw.cases, expandFile, ['word', 'python']) };
for (const c of expand.cases) {
  test(`expand: ${JSON.stringify(c.word)} as ${expand.recorded_with} does`, (t) => {
    t.is(pyExpandUser(pyExpandVars(c.word, expand.env), expand.env, expand.homes), c.python);
  });
}
