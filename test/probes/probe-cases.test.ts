// One generic test over test/probes/cases/*.json: each file holds a real output captured from
// the lab (stdout, stderr, rc, the tool's version, how it was captured), the typed value the parser
// gave at capture time, what a human checked by hand (`checked`), and `crossChecks`: values of
// `expected` read again without the parser, from the tool's own JSON or XML, or by one regex from a
// text form, in this capture or in another capture of the same state (virsh XML against virsh's text
// forms, nmcli's field list against its connection list, teamdctl against nmcli, tc against libvirt).
// Recapture with `node test/probes/capture.ts test/probes/capture-spec.json`.
import test from 'ava';
import { XMLParser } from 'fast-xml-parser';
import { join } from 'node:path';
import { PARSERS } from '../../engine/probes/index.ts';
import { caseEntries, readCaseFile, requireKeys } from '../helpers/cases.ts';

/** CrossCheck reads one value of `expected` again, independently of the parser. */
interface CrossCheck {
  /** of: dot path into `expected` (`''`: all of it). */
  of: string;
  /** in: the case file whose stdout is read (default: this case). */
  in?: string;
  /** read: `json` or `xml` (then `at` is a dot path, XML attributes as `@name`, element text as `#text`), or `text` (then `at` is a regex whose first group is the value). */
  read: 'json' | 'xml' | 'text';
  at: string;
  /** map: turns the reading into the typed value (`yes` -> true); times: a unit change; suffix: appended to the reading. */
  map?: Record<string, unknown>;
  times?: number;
  suffix?: string;
}

interface Case {
  probe: string;
  units?: string[];
  captured: string;
  toolVersion: string;
  rc: number;
  stdout: string;
  stderr: string;
  expected: unknown;
  checked: string;
  crossChecks?: CrossCheck[];
}

const dir = join(import.meta.dirname, 'cases');
const files = caseEntries(dir, { suffix: '.json' });
// every file parses and holds its expected value and its note of what was checked, checked while the test file loads
const cases = new Map(
  files.map((f) => {
    const c = readCaseFile<Case>(join(dir, f));
    requireKeys(c, join(dir, f), ['probe', 'rc', 'stdout', 'expected', 'checked']);
    return [f, c] as const;
  }),
);

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, parseAttributeValue: false });

/** dig follows a dot path (numbers index arrays); `''` is the value itself. */
const dig = (v: unknown, path: string): unknown =>
  path === '' ? v : path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), v);

/** reading is what a cross-check reads from its capture, before any typing. */
function reading(x: CrossCheck, self: Case): unknown {
  const source = x.in === undefined ? self : cases.get(x.in);
  if (!source) throw new Error(`no case ${x.in}`);
  if (x.read === 'json') return dig(JSON.parse(source.stdout), x.at);
  if (x.read === 'xml') return dig(xml.parse(source.stdout), x.at);
  return new RegExp(x.at, 'm').exec(source.stdout)?.[1];
}

/** typed turns a reading into the type of the value it is compared with. */
function typed(x: CrossCheck, raw: unknown, want: unknown): unknown {
  if (x.map && typeof raw === 'string') return x.map[raw];
  if (typeof want === 'number') return Number(raw) * (x.times ?? 1);
  if (typeof want === 'string') return `${String(raw)}${x.suffix ?? ''}`;
  return raw;
}

test('every probe named in engine/probes/index.ts has at least one captured case', (t) => {
  const covered = new Set([...cases.values()].map((c) => c.probe));
  t.deepEqual(
    Object.keys(PARSERS).filter((p) => !covered.has(p)),
    [],
  );
});

test('most cases carry an independent reading of their expected value', (t) => {
  const crossed = [...cases.values()].filter((c) => (c.crossChecks?.length ?? 0) > 0);
  t.true(crossed.length >= 40, `${crossed.length} of ${cases.size}`);
});

for (const f of files) {
  test(`probe case ${f}`, (t) => {
    const c = cases.get(f)!;
    t.truthy(c.toolVersion, 'a case records the tool version');
    t.truthy(c.captured, 'a case records how it was captured');
    const parser = PARSERS[c.probe];
    if (!parser) return t.fail(`unknown probe ${c.probe}`);
    const value = parser({ units: c.units })({ rc: c.rc, stdout: c.stdout, stderr: c.stderr });
    t.deepEqual(JSON.parse(JSON.stringify(value)), c.expected);
    for (const x of c.crossChecks ?? []) {
      const want = dig(c.expected, x.of);
      t.not(want, undefined, `expected has no ${x.of}`);
      t.deepEqual(typed(x, reading(x, c), want), want, `${x.of} read as ${x.read} ${x.at} in ${x.in ?? 'this capture'}`);
    }
  });
}
