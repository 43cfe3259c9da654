# Dev-time (not run by the tests): PYKICKSTART_SRC and KICKSTART_TESTS_SRC name checkouts of
# pykickstart (3.74, commit 435ebbef) and kickstart-tests (commit c5fd7441); see lint-corpus-real/SOURCES.
# ksvalidator semantics: KickstartParser(makeVersion(V)).readKickstartFromString; first error, warnings
import json, sys, glob, os, re, warnings
sys.path.insert(0, os.environ['PYKICKSTART_SRC'])
from pykickstart.parser import KickstartParser
from pykickstart.version import makeVersion, stringToVersion
def parse(text, ver):
    h = makeVersion(stringToVersion(ver))
    p = KickstartParser(h, followIncludes=False)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            p.readKickstartFromString(text); err = None
        except Exception as e:
            err = ' '.join(str(e).split())[:220] or type(e).__name__
    return {'error': err, 'warnings': sorted(set(str(x.message).split('\n')[0][:160] for x in w))}
out = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.ks'))):
    text = open(f).read()
    osn = re.search(r'^#! os: (\S+)', text, re.M).group(1)
    v = ('RHEL' + osn[4:]) if osn.startswith('rhel') else ('F' + osn[6:])
    out.append({'file': os.path.basename(f), 'version': v, **parse(text, v)})
json.dump({'tool': 'pykickstart 3.74 (github:pykickstart/pykickstart 435ebbefdb5a2290fdea0b4ce648c5aba7651711), python ' + sys.version.split()[0],
  'how': 'KickstartParser(makeVersion(V), followIncludes=False).readKickstartFromString(text): first error, warnings', 'verdicts': out}, open(sys.argv[2], 'w'), indent=1)
for x in out:
    if x['error'] or x['warnings']: print(x['file'], '|', x['error'], '|', x['warnings'][:2])
