// linearPattern (engine/py/regex.ts) decides which user patterns run on the main thread without
// the bounded worker: only patterns that cannot backtrack. Every pattern that can is refused, and
// for the ones accepted the worker's answer and the inline answer are the same.
import test from 'ava';
import { boundedCall } from '../../engine/py/bounded.ts';
import { linearPattern, regexOp, regexOpInline } from '../../engine/py/regex.ts';
import { editLines, editLinesInline } from '../../engine/modules/support/line-edit.ts';

const LINEAR = ['^net.core.somaxconn', '^fs.file-max', '^PermitRootLogin ', '^SELINUX=', 'a', '^[A-Z_]\\w\\s=$', '\\Aport\\Z', '^(foo)bar$', ''];
const NOT_LINEAR = ['^(a+)+$', '(a|a)(a|a)', '^#?PasswordAuthentication', '\\s*=', 'x{2,}', 'a.*b', '(a)\\1', '(?P<n>a)(?P=n)', '(?=a)a', '(?i)abc', '{{ pattern }}', 'a\\k<n>'];

test('linearPattern accepts patterns without repetition, alternation, backreference or (?...) and refuses the rest', (t) => {
  for (const p of LINEAR) t.true(linearPattern(p), p);
  for (const p of NOT_LINEAR) t.false(linearPattern(p), p);
});

test('a linear pattern gives the same answer inline as on the bounded worker', (t) => {
  const url = new URL('../../engine/py/regex.ts', import.meta.url).href;
  const text = 'net.core.somaxconn = 128\nfs.file-max = 10\nSELINUX=enforcing\nPermitRootLogin yes\nfoobar\n';
  for (const p of LINEAR) {
    for (const op of ['test', 'search', 'sub', 'findall'] as const) {
      const worker = boundedCall(url, 'regexOpInline', [op, p, 'm', text, 'X'], p);
      t.deepEqual(regexOp(op, p, 'm', text, 'X'), worker, `${op} ${p}`);
      t.deepEqual(regexOpInline(op, p, 'm', text, 'X'), worker, `${op} ${p}`);
    }
  }
  const lineUrl = new URL('../../engine/modules/support/line-edit.ts', import.meta.url).href;
  for (const regexp of ['^net.core.somaxconn', '^nothing']) {
    const args = { regexp, line: 'net.core.somaxconn = 1024' };
    const worker = boundedCall(lineUrl, 'editLinesInline', [text, args], regexp);
    t.deepEqual(editLines(text, args), worker, regexp);
    t.deepEqual(editLinesInline(text, args), worker, regexp);
  }
});
