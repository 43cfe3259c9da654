import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { shJoin, shQuote } from '../../engine/connection/quote.ts';
import { TsplayError } from '../../engine/errors/index.ts';
import { caseList, readCaseFile } from '../helpers/cases.ts';

const file = new URL('./data/quote-words.json', import.meta.url);
const data = { words: caseList<string>(readCaseFile<{ words?: unknown }>(file).words, file) };
const CANARY = '/tmp/tsplay-quote-canary';

test('every nasty word survives shJoin + /bin/sh -c byte for byte, and nothing runs', (t) => {
  rmSync(CANARY, { force: true });
  // printf '%s\0' echoes each argument NUL-terminated, so the argv the shell built is visible exactly
  const script = shJoin(['printf', '%s\\0', ...data.words]);
  const out = execFileSync('/bin/sh', ['-c', script]).toString('utf8');
  const got = out.split('\0');
  got.pop();
  t.deepEqual(got, data.words);
  t.false(existsSync(CANARY), 'a quoted word was executed');
});

test('each word alone is one shell word', (t) => {
  for (const w of data.words) {
    const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shQuote(w)} | wc -c`])
      .toString()
      .trim();
    t.is(Number(out), Buffer.byteLength(w) + 1, JSON.stringify(w.slice(0, 30)));
  }
});

test('an assignment-looking first word is quoted, so it runs as a command name', (t) => {
  t.is(shQuote('A=b'), `'A=b'`);
  t.is(shQuote('plain-word_1.txt'), 'plain-word_1.txt');
  t.is(shQuote(''), `''`);
});

test('a NUL byte is refused with a TsplayError', (t) => {
  const err = t.throws(() => shJoin(['echo', 'a\0b']), { instanceOf: TsplayError });
  t.is(err?.code, 'E_COMMAND');
  t.regex(err?.message ?? '', /NUL/);
});
