import test from 'ava';
import { FrameReader } from '../../engine/connection/frame-reader.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

interface Case {
  name: string;
  stream: string;
  expect: { stdout: string; stderr: string; end: string }[];
}
const file = new URL('./data/frames.json', import.meta.url);
const cases = caseList<Case>(readCaseFile<{ cases?: unknown }>(file).cases, file, ['name', 'stream', 'expect']);
// long unguessable-looking tokens in place of R, M1, M2 (the data keeps them short to stay readable)
const TOK: Record<string, string> = { R: 'TSPLAYREADYaaaa', M1: 'TSPLAY1111bbbb', M2: 'TSPLAY2222cccc' };
const expand = (s: string): string => s.replace(/M1|M2|R(?=\n)/g, (m) => TOK[m] as string);

function run(c: Case, chunks: Buffer[]): { stdout: string; stderr: string; end: string }[] {
  const r = new FrameReader(TOK.R as string);
  const got: { stdout: string; stderr: string; end: string }[] = [];
  for (const m of [TOK.M1, TOK.M2].slice(0, c.expect.length)) {
    const cur = { stdout: '', stderr: '', end: '' };
    r.expect({
      marker: m as string,
      body: (b, part) => {
        cur[part] += b.toString('latin1');
      },
      end: (t) => {
        cur.end = t;
        got.push(cur);
      },
    });
  }
  for (const ch of chunks) r.push(ch);
  return got;
}

for (const c of cases) {
  test(`frames: ${c.name} — whole, split at every byte, byte by byte`, (t) => {
    const bytes = Buffer.from(expand(c.stream), 'latin1');
    const want = c.expect.map((e) => ({ stdout: expand(e.stdout), stderr: expand(e.stderr), end: e.end }));
    t.deepEqual(run(c, [bytes]), want);
    for (let i = 1; i < bytes.length; i++) t.deepEqual(run(c, [bytes.subarray(0, i), bytes.subarray(i)]), want, `split at ${i}`);
    t.deepEqual(
      run(
        c,
        [...bytes].map((b) => Buffer.from([b])),
      ),
      want,
    );
  });
}
