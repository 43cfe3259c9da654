# Dev-time (not run by the tests): PYKICKSTART_SRC and KICKSTART_TESTS_SRC name checkouts of
# pykickstart (3.74, commit 435ebbef) and kickstart-tests (commit c5fd7441); see lint-corpus-real/SOURCES.
import json, sys, warnings
import os
sys.path.insert(0, os.environ['PYKICKSTART_SRC'])
from pykickstart.parser import KickstartParser
from pykickstart.version import makeVersion, stringToVersion
out = []
for l in open(sys.argv[1]):
    osn, line = l.rstrip('\n').split('|', 1)
    v = ('RHEL' + osn[4:]) if osn.startswith('rhel') else ('F' + osn[6:])
    text = line + ('\n%end\n' if line.startswith('%') else '\n')
    h = makeVersion(stringToVersion(v)); p = KickstartParser(h)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter('always')
        try: p.readKickstartFromString(text); err = None
        except Exception as e: err = ' '.join(str(e).split())[:200]
    out.append({'os': osn, 'line': line, 'pykickstart': err})
    print(osn, line, '=>', err)
json.dump({'tool': 'pykickstart 3.74 (github:pykickstart/pykickstart 435ebbefdb5a2290fdea0b4ce648c5aba7651711)', 'how': 'KickstartParser(makeVersion(V)).readKickstartFromString(line + "\\n"), sections closed with %end', 'lines': out}, open(sys.argv[2], 'w'), indent=1)
