// Every Python port in engine/py run against what CPython printed for the same input
// (test/py/cases/*.json, written by test/py/record.py; the Python version is in each file).
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { fnmatch } from '../../engine/py/fnmatch.ts';
import { pyJsonAt } from '../../engine/py/json.ts';
import { literalEval } from '../../engine/py/literal.ts';
import { isTuple, markFloat } from '../../engine/py/marks.ts';
import { shQuote } from '../../engine/py/quote.ts';
import { pyReprAt, pyStrAt } from '../../engine/py/repr.ts';
import { ShlexError, shlexSplit } from '../../engine/py/shlex.ts';
import { typeName } from '../../engine/py/values.ts';

interface CaseFile {
  readonly python: string;
  readonly port: string;
  readonly cases: { readonly input: unknown; readonly expected?: unknown }[];
}

const DIR = new URL('./cases/', import.meta.url);

/** a literal's value in a one-key box, so a float mark on it has a container to live in */
function boxed(text: string): { box: object; type: string } {
  const lit = literalEval(text);
  const box = { v: lit.value };
  if (lit.float) markFloat(box, 'v');
  const v = lit.value;
  const type = lit.float ? 'float' : Array.isArray(v) && isTuple(v) ? 'tuple' : typeName(v);
  return { box, type };
}

type Input = Record<string, unknown>;
const PORTS: Record<string, (input: unknown) => unknown> = {
  repr: (i) => {
    const { box, type } = boxed(i as string);
    return { repr: pyReprAt(box, 'v'), str: pyStrAt(box, 'v'), type };
  },
  literal: (i) => {
    const { box, type } = boxed(i as string);
    return { repr: pyReprAt(box, 'v'), type };
  },
  json: (i) => {
    const o = i as Input;
    const { box } = boxed(o.literal as string);
    return pyJsonAt(box, 'v', { indent: o.indent as number | undefined, sortKeys: o.sort_keys === true, ensureAscii: o.ensure_ascii !== false });
  },
  shlex: (i) => {
    const o = i as Input;
    try {
      return { words: shlexSplit(o.text as string, { comments: o.comments === true, punctuationChars: o.punctuation_chars as boolean | string | undefined }) };
    } catch (e) {
      if (e instanceof ShlexError) return { error: e.message };
      throw e;
    }
  },
  quote: (i) => shQuote(i as string),
  fnmatch: (i) => {
    const o = i as Input;
    return fnmatch(o.name as string, o.pattern as string);
  },
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

test('the case folder holds a case file for every port', (t) => {
  const ports = files.map((f) => (JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as CaseFile).port);
  t.deepEqual([...new Set(ports)].sort(), Object.keys(PORTS).sort());
});

for (const f of files) {
  const data = JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as CaseFile;
  test(`${f} (recorded with Python ${data.python})`, (t) => {
    t.regex(data.python, /^3\.\d+/, 'the file says which Python recorded it');
    const port = PORTS[data.port];
    if (!port) return t.fail(`no port named ${data.port}`);
    t.true(data.cases.length > 0, 'the file holds cases');
    for (const c of data.cases) {
      if (!('expected' in c)) {
        t.fail(`${JSON.stringify(c.input)} has no expected value: run test/py/record.py`);
        continue;
      }
      t.deepEqual(port(c.input), c.expected, JSON.stringify(c.input));
    }
  });
}
