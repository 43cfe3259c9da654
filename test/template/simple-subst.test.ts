// The simple-substitution renderer (engine/template/simple-subst.ts) against Handlebars itself:
// every template below is rendered with every variable set both ways; whenever the simple path
// gives an answer, Handlebars (tsplay's instance, same options) gives the same string, and where
// Handlebars throws the simple path gives none, so renderText falls back and throws Handlebars' error.
import test from 'ava';
import { renderText } from '../../engine/template/index.ts';
import { handlebars } from '../../engine/template/handlebars-env.ts';
import { templateVars } from '../../engine/template/render.ts';
import { HELPER_NAMES, NOT_SIMPLE, simpleTemplate } from '../../engine/template/simple-subst.ts';
import { markTemplated } from '../../engine/template/lazy-vars.ts';

const TEMPLATES = [
  'port {{ p }}',
  '{{a}}{{b}}',
  '{{ a }}-{{ b }}',
  'x={{ n }};y={{ z }}',
  'name={{ app }}\nport={{ p }}\nhost={{ inventory_hostname }}\n',
  '{{ obj.k }}/{{ obj.deep.x }}',
  '[{{ list }}]',
  '<{{ obj }}>',
  '{{ nul }}|{{ undef }}|',
  '{{ missing }} here',
  '{{ obj.missing }} here',
  '{{ nul.x }}',
  '{{ s.length }}',
  '{{ s.x }}',
  '{{ obj.toString }}',
  '{{ toString }}',
  '{{ obj.constructor }}',
  '{{ list.length }}',
  '{{ fn }} call',
  '{{ obj.fn }} call',
  '{{ lazy }} and {{ lazy2 }}',
  '{{ lazyObj.k }}',
  '{{ bad }} x',
  '{{ inherited.own }} {{ inherited.proto }}',
  '{{ getter.v }}',
  '{{ t }}{{ f }}{{ zero }}',
  '\\{{ a }} {{ b }}',
  '\\\\{{ a }}',
  '{{{ a }}} b',
  '{{~ a }} b',
  '{{ a ~}} b',
  '{{ a }} }} b',
  '{{ a }} {{#if b}}y{{/if}}',
  '{{ upper a }}',
  '{{ default }} x',
  '{{ this }} x',
  '{{ true }} x',
  '{{ a.[0] }} x',
  'a {{ b',
  '{{ lookup }} x',
  '{{ __proto__ }} x',
];

class Base {
  proto = 1;
}
Object.defineProperty(Base.prototype, 'inh', { value: 'inherited', enumerable: true });
const inherited = Object.assign(Object.create({ proto: 'from proto' }), { own: 'mine' });
const getter = Object.defineProperty({}, 'v', { get: () => 'got', enumerable: true });

const VAR_SETS: Record<string, unknown>[] = [
  {
    p: 8080,
    a: 'A',
    b: 2,
    n: 1.5,
    z: -0,
    app: 'benchapp',
    inventory_hostname: 'h1',
    obj: { k: 'v', deep: { x: [1, 2] }, fn: 'not a function' },
    list: ['x', 'y', 3],
    nul: null,
    undef: undefined,
    s: 'text',
    fn: () => 'called',
    lazy: '{{ a }}!',
    lazy2: 'n={{ n }}',
    lazyObj: { k: '{{ b }}' },
    bad: '{{ nowhere }}',
    inherited,
    getter,
    t: true,
    f: false,
    zero: 0,
    cls: new Base(),
  },
  { a: '', b: '', obj: {}, list: [], s: '', nul: 0, undef: null, p: 'x' },
  {},
];

function viaHandlebars(text: string, vars: Record<string, unknown>): { ok: true; out: string } | { ok: false } {
  try {
    const fn = handlebars().compile(text, { noEscape: true, strict: true }) as (c: unknown) => string;
    return { ok: true, out: fn(templateVars(vars)) };
  } catch {
    return { ok: false };
  }
}

test('the simple path agrees with Handlebars on every template and variable set', (t) => {
  let simpleAnswers = 0;
  for (const text of TEMPLATES) {
    for (const [i, raw] of VAR_SETS.entries()) {
      const vars = markTemplated({ ...raw }, raw);
      const simple = simpleTemplate(text);
      let got: string | typeof NOT_SIMPLE | Error = NOT_SIMPLE;
      try {
        if (simple) got = simple(templateVars(vars));
      } catch (e) {
        got = e as Error;
      }
      const hb = viaHandlebars(text, vars);
      const where = `${JSON.stringify(text)} with vars #${i + 1}`;
      if (typeof got === 'string') {
        simpleAnswers++;
        t.deepEqual(hb, { ok: true, out: got }, where);
      } else if (got instanceof Error) {
        // a lazily rendered variable's own error, thrown by the very lookup Handlebars makes
        t.false(hb.ok, where);
      }
    }
  }
  // the common case does take the simple path (else this test would prove nothing)
  t.true(simpleAnswers >= 15, `simple answers: ${simpleAnswers}`);
});

test('renderText gives the same result and the same error whichever path renders', (t) => {
  const vars = markTemplated({ ...VAR_SETS[0] }, VAR_SETS[0] as Record<string, unknown>);
  t.is(renderText('name={{ app }}\nport={{ p }}\n', vars), 'name=benchapp\nport=8080\n');
  t.is(renderText('{{ lazy }} and {{ obj.deep.x }}', vars), 'A! and 1,2');
  const err = t.throws(() => renderText('{{ missing }} here', vars, { pos: { file: 'f.yml', line: 3, col: 5 } }));
  t.is((err as { code?: string }).code, 'E_UNDEFINED_VAR');
  t.regex(err?.message ?? '', /'missing'/);
  const deep = t.throws(() => renderText('{{ bad }} x', vars));
  t.is((deep as { code?: string }).code, 'E_UNDEFINED_VAR');
  t.regex(deep?.message ?? '', /nowhere/);
});

test('simple templates do not take names Handlebars would call as helpers', (t) => {
  const live = Object.keys(handlebars().helpers);
  t.deepEqual(
    live.filter((h) => !HELPER_NAMES.has(h)),
    [],
  );
  for (const h of live) t.is(simpleTemplate(`{{ ${h} }} x`), undefined, h);
});
