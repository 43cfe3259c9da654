# Dev-time oracle capture (not run by the tests): what pykickstart makes of tsplay's team lines, of the
# generated example kickstarts and of the lint corpus. pykickstart is not packaged for Debian 12, so it
# is run from its source tree:  PYKS=<pykickstart checkout> LINES=<lines.json> TREE=<out dir>
#   python3 capture-pykickstart-oracle.py pykickstart-oracle.json
# LINES is the output of `node -e` over team-spellings.json (see team-roundtrip.test.ts, which re-spells
# them and fails if a spelling changed); TREE is `tsplay kickstart -i inventories/pxe-example --out TREE`.
import json, sys, glob, os, warnings
PYKS = os.environ.get('PYKS', '/tmp/pyks')
LINES = os.environ.get('LINES', '/tmp/kswork/lines.json')
TREE = os.environ.get('TREE', '/tmp/kswork/out')
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, PYKS)
from pykickstart.parser import KickstartParser
from pykickstart.version import makeVersion, stringToVersion
def parse(text, ver):
    h = makeVersion(stringToVersion(ver))
    p = KickstartParser(h)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            p.readKickstartFromString(text)
            err = None
        except Exception as e:
            err = ' '.join(str(e).split())[:220] or type(e).__name__
    nets = []
    for n in h.network.network:
        d = {'device': n.device}
        if getattr(n, 'teamslaves', None): d['teamslaves'] = [list(x) for x in n.teamslaves]
        if getattr(n, 'teamconfig', None): d['teamconfig'] = n.teamconfig
        if getattr(n, 'bondslaves', None): d['bondslaves'] = n.bondslaves
        if getattr(n, 'bondopts', None): d['bondopts'] = n.bondopts
        nets.append(d)
    return {'error': err, 'warnings': sorted(set(str(x.message).split('\n')[0][:160] for x in w)), 'network': nets}
lines = json.load(open(LINES))
out = {'tool': 'pykickstart 3.74 (github:pykickstart/pykickstart 435ebbefdb5a2290fdea0b4ce648c5aba7651711), python ' + sys.version.split()[0],
       'how': 'KickstartParser(makeVersion(V)).readKickstartFromString(text); network data as parsed',
       'lines': [], 'generated': []}
for l in lines:
    r = parse(l['line'] + '\n', 'RHEL9')
    out['lines'].append({'name': l['name'], 'line': l['line'], **r})
vers = {'el7-ab': 'RHEL7', 'el8-rr': 'RHEL8', 'el8-bc': 'RHEL8', 'el9-lb': 'RHEL9', 'el9-rand': 'RHEL9', 'el10-ab': 'RHEL10', 'fc-lacp': 'F42'}
for h, v in vers.items():
    text = open(f'{TREE}/ks/{h}.ks').read()
    out['generated'].append({'file': f'ks/{h}.ks', 'version': v, **parse(text, v)})
json.dump(out, open(sys.argv[1], 'w'), indent=1, ensure_ascii=False)
for x in out['lines'] + out['generated']: print(x.get('name', x.get('file')), x['error'], x['warnings'][:2])
# corpus verdicts
import re
out['corpus'] = []
for f in sorted(glob.glob(os.path.join(HERE, '..', 'lint-corpus', '*.ks'))):
    text = open(f).read()
    osn = re.search(r'^#! os: (\S+)', text, re.M).group(1)
    v = ('RHEL' + osn[4:]) if osn.startswith('rhel') else ('F' + osn[6:])
    r = parse(text, v)
    out['corpus'].append({'file': os.path.basename(f), 'version': v, 'error': r['error'], 'warnings': r['warnings']})
json.dump(out, open(sys.argv[1], 'w'), indent=1, ensure_ascii=False)
for x in out['corpus']: print(x['file'], '|', x['error'], '|', x['warnings'][:1])
