// The generic parser test: each case in parsers.yaml feeds a real tool's captured output
// (test/modules/captured/) to a parser and compares the typed value.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { caseList, readCaseFile } from '../helpers/cases.ts';
import { parseStat } from '../../engine/modules/support/file-state.ts';
import { parseAptPolicy, parseDpkgQuery, parseRpmQuery } from '../../engine/modules/support/package-query.ts';
import { parseConfDump, parseSysfsParams } from '../../engine/modules/support/modprobe-state.ts';

const PARSERS: Record<string, (stdout: string) => unknown> = {
  'stat-lines': (s) =>
    s
      .split('\n')
      .filter((l) => l !== '')
      .map(parseStat),
  'dpkg-query': (s) => Object.fromEntries(parseDpkgQuery(s)),
  'rpm-q': (s) => Object.fromEntries(parseRpmQuery(s)),
  'apt-cache-policy': (s) => Object.fromEntries(parseAptPolicy(s)),
  'sysfs-params': parseSysfsParams,
  'conf-dump': parseConfDump,
};

const file = new URL('./parsers.yaml', import.meta.url);
const data = { cases: caseList<{ parser: string; capture: string; expect: unknown }>(readCaseFile<{ cases?: unknown }>(file).cases, file, ['parser', 'capture', 'expect']) };
for (const c of data.cases) {
  test(`${c.parser} parses ${c.capture}`, (t) => {
    const text = readFileSync(new URL(`./captured/${c.capture}`, import.meta.url), 'utf8');
    t.regex(text, /^# tool: /, 'a capture names the tool version');
    const stdout = text
      .split('\n')
      .filter((l) => !l.startsWith('# '))
      .join('\n');
    const parser = PARSERS[c.parser];
    if (!parser) return t.fail(`no parser ${c.parser}`);
    t.deepEqual(parser(stdout), c.expect);
  });
}
