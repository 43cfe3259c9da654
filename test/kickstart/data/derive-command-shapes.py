# dev-time, not run by the tests: derive per-version command shapes (positional count, required options, value choices) from pykickstart's parsers
import sys, json, warnings
import os
sys.path.insert(0, os.environ['PYKICKSTART_SRC'])
warnings.simplefilter('ignore')
from pykickstart.version import makeVersion, stringToVersion
VERS = [f'RHEL{n}' for n in (7, 8, 9, 10)] + [f'F{n}' for n in range(20, 46)]
def key(v): return ('r' + v[4:]) if v.startswith('RHEL') else ('f' + v[1:])
shapes = {}
vals = {}
sect = {}
from pykickstart.parser import KickstartParser
for v in VERS:
    h = makeVersion(stringToVersion(v))
    p = KickstartParser(h)
    for sn, so in p._sections.items():
        try: sop = so._getParser()
        except Exception: continue
        opts = sorted(o for a in sop._actions for o in a.option_strings if o not in ('-h', '--help'))
        sect.setdefault(sn, {}).setdefault(json.dumps(opts), []).append(key(v))
    for name, cmd in h.commands.items():
        try: op = cmd._getParser()
        except Exception: continue
        pos = [0, 0]; req = []; ch = {}
        for a in op._actions:
            if a.option_strings:
                if a.required: req.append(a.option_strings[0])
                if a.choices: ch[a.option_strings[0]] = sorted(str(c) for c in a.choices)
                elif a.option_strings[0] == '--type' and hasattr(cmd, 'typeMap'): ch['--type'] = sorted(cmd.typeMap)
                if a.nargs != 0 and type(a).__name__ not in ('_StoreTrueAction', '_StoreFalseAction', '_StoreConstAction', '_AppendConstAction', '_CountAction', 'ExtendConstAction', '_HelpAction'):
                    for o in a.option_strings: vals.setdefault(name, {})[o] = '?' if a.nargs == '?' else '1'
            elif a.dest != 'help':
                n = a.nargs
                lo, hi = {None: (1, 1), '?': (0, 1), '*': (0, 99), '+': (1, 99)}.get(n, (n, n) if isinstance(n, int) else (0, 99))
                pos[0] += lo; pos[1] += hi
        s = json.dumps({'pos': pos, 'req': sorted(req), 'choices': ch}, sort_keys=True)
        shapes.setdefault(name, {}).setdefault(s, []).append(key(v))
def spec(keys):
    out = []
    for fam in 'rf':
        ns = sorted(int(k[1:]) for k in keys if k[0] == fam)
        i = 0
        while i < len(ns):
            j = i
            while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1: j += 1
            out.append(f'{fam}{ns[i]}' + (f'-{ns[j]}' if j > i else '')); i = j + 1
    return ' '.join(out)
res = {}
for name, m in sorted(shapes.items()):
    res[name] = [dict(json.loads(s), v=spec(ks)) for s, ks in m.items()]
json.dump({'shapes': res, 'vals': vals, 'sections': {n: [{'o': json.loads(o), 'v': spec(k)} for o, k in m.items()] for n, m in sect.items()}}, open(sys.argv[1], 'w'), indent=0, sort_keys=True)
for n, l in res.items():
    for s in l:
        if s['pos'] != [0, 0] or s['req'] or s['choices']: print(n, s)
# emit the TypeScript table
def js(o): return json.dumps(o, separators=(',', ': ')).replace('"', "'")
L = ['// What each command requires per version: positional word counts, required options, value sets, the',
     '// options that take a value, and the options of each section. Derived from pykickstart 3.74 (commit',
     '// 435ebbef) by reading every version handler\'s argparse parsers (test/kickstart/data/derive-command-shapes.py).',
     "import type { CommandShape } from './command-rule.ts';", '',
     '/** SHAPE_TABLE lists, per command, the shapes its parsers have and the versions each shape holds in. */',
     'export const SHAPE_TABLE: Readonly<Record<string, readonly CommandShape[]>> = {']
for n, l in res.items():
    keep = [s for s in l if s['pos'] != [0, 99] or s['req'] or s['choices']]
    if not keep: continue
    items = []
    for s in keep:
        d = {'v': s['v'], 'pos': s['pos']}
        if s['req']: d['req'] = s['req']
        if s['choices']: d['choices'] = s['choices']
        items.append(js(d))
    L.append(f"  {n if n.isidentifier() else repr(n)}: [{', '.join(items)}],")
L += ['};', '', '/** VALUE_OPTIONS lists the options that take a value (`1`) or may take one (`?`), per command. */',
      'export const VALUE_OPTIONS: Readonly<Record<string, Readonly<Record<string, \'1\' | \'?\'>>>> = {']
for n in sorted(vals): L.append(f"  {n if n.isidentifier() else repr(n)}: {js(vals[n])},")
L += ['};', '', '/** SECTION_OPTIONS lists the options of each section header per version. */',
      'export const SECTION_OPTIONS: Readonly<Record<string, readonly { v: string; o: readonly string[] }[]>> = {']
for n, m in sorted(sect.items()):
    L.append(f"  '{n}': [{', '.join(js({'v': spec(k), 'o': json.loads(o)}) for o, k in m.items())}],")
L.append('};')
open(sys.argv[2], 'w').write('\n'.join(L) + '\n')
