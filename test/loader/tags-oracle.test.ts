// --tags/--skip-tags semantics (always, never, tagged, untagged, all, inherited block and play tags)
// checked against ansible-playbook's own --list-tasks --list-tags output for the same playbook,
// recorded in test/fixtures/tags/ansible-outputs.yaml (version inside).
import test from 'ava';
import { fileURLToPath } from 'node:url';
import { formatListing } from '../../engine/loader/listing.ts';
import { loadPlaybooks } from '../../engine/loader/index.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

const dir = fileURLToPath(new URL('../fixtures/tags/', import.meta.url));
const recorded = { cases: caseList<{ args: string[]; stdout: string }>(readCaseFile<{ cases?: unknown }>(`${dir}ansible-outputs.yaml`).cases, `${dir}ansible-outputs.yaml`, ['args', 'stdout']) };
const [playbook] = loadPlaybooks([`${dir}site.yml`]);

const split = (args: string[], flag: string): string[] => args.flatMap((a, i) => (args[i - 1] === flag ? a.split(',') : []));

for (const c of recorded.cases) {
  test(`list with ${c.args.join(' ') || 'no tag options'}`, (t) => {
    const out = formatListing('site.yml', playbook!.plays, { hosts: false, tasks: true, tags: true, only: split(c.args, '--tags'), skip: split(c.args, '--skip-tags'), matchHosts: () => [] });
    t.is(out, c.stdout);
  });
}
