# Dev-time (not run by the tests): PYKICKSTART_SRC and KICKSTART_TESTS_SRC name checkouts of
# pykickstart (3.74, commit 435ebbef) and kickstart-tests (commit c5fd7441); see lint-corpus-real/SOURCES.
# flatten kickstart-tests *.ks.in with %ksappend for one platform each, fill @KSTEST_@ values
import os, re, sys, shutil, glob, tempfile
sys.path.insert(0, os.environ['PYKICKSTART_SRC'])
from pykickstart.parser import preprocessKickstart
KT = os.environ['KICKSTART_TESTS_SRC']
OUT = sys.argv[1]
VALS = {
 'NETDEV1': 'enp1s0', 'NETDEV2': 'enp2s0', 'NETDEV3': 'enp3s0', 'NETDEV4': 'enp4s0', 'NETDEV5': 'enp5s0', 'NETDEV6': 'enp6s0',
 'NETDEV2_MAC': '52:54:00:12:34:02', 'OS_NAME': 'fedora', 'OS_VERSION': '44',
 'STATIC_IP': '192.168.122.50', 'STATIC_GATEWAY': '192.168.122.1', 'STATIC_PREFIX': '24', 'STATIC_NETMASK': '255.255.255.0',
 'STATIC_DNS1': '192.168.122.1', 'STATIC_IP1': '192.168.122.51', 'STATIC_IP2': '192.168.122.52', 'STATIC_IP3': '192.168.122.53', 'STATIC_IP4': '192.168.122.54',
 'OSTREECONTAINER_URL': 'quay.io/fedora/fedora-bootc:rawhide', 'URL': 'http://dl.fedoraproject.org/pub/fedora/linux/development/rawhide/Everything/x86_64/os/',
 'MIRRORLIST': 'https://mirrors.fedoraproject.org/mirrorlist?repo=rawhide&arch=x86_64', 'METALINK': 'https://mirrors.fedoraproject.org/metalink?repo=rawhide&arch=x86_64',
 'ISCSI_TARGET': 'iqn.2009-02.com.example:for.all', 'ISCSI_PORT': '3260', 'ISCSI_IP': '192.168.122.10', 'ISCSINAME': 'iqn.1994-05.com.redhat:client',
 'OSTREE_REPO': 'http://192.168.122.10/repo/', 'NFS_SERVER': '192.168.122.10', 'NFS_PATH': '/srv/nfs/os', 'LIVEIMG_URL': 'http://192.168.122.10/rootfs.tar.xz',
 'LIVEIMG_CHECKSUM': 'a' * 64, 'FTP_APPSTREAM_URL': 'ftp://192.168.122.10/pub/AppStream/', 'FTP_URL': 'ftp://192.168.122.10/pub/BaseOS/', 'MODULAR_URL': 'http://dl.fedoraproject.org/pub/fedora/linux/development/rawhide/Modular/x86_64/os/',
}
PLAT = {'fedora_rawhide': ('fedora44', 'fedora', '44'), 'rhel10': ('rhel10', 'rhel', '10'), 'rhel9': ('rhel9', 'rhel', '9')}
def runtime(plat):
    d = tempfile.mkdtemp(prefix='rt-' + plat, dir=os.environ.get('TMPDIR', '/tmp'))
    shutil.copytree(f'{KT}/fragments/shared', d, dirs_exist_ok=True)
    shutil.copytree(f'{KT}/fragments/platform/{plat}', d, dirs_exist_ok=True)
    return d
rts = {p: runtime(p) for p in PLAT}
os.makedirs(OUT, exist_ok=True)
n = 0
for sh in sorted(glob.glob(f'{KT}/*.sh')):
    t = open(sh).read()
    m = re.search(r'^KICKSTART_NAME=(\S+)', t, re.M)
    ksin = f'{KT}/{m.group(1) if m else os.path.basename(sh)[:-3]}.ks.in'
    if not os.path.exists(ksin): continue
    tt = (re.search(r'^TESTTYPE="?([^"\n]*)', t, re.M) or [None, ''])[1]
    if 'knownfailure' in tt: continue
    if 'skip-on-fedora' not in tt: plat = 'fedora_rawhide'
    elif 'skip-on-rhel-10' not in tt and 'skip-on-rhel' not in tt.split(): plat = 'rhel10'
    elif 'skip-on-rhel-9' not in tt and 'skip-on-rhel' not in tt.split(): plat = 'rhel9'
    else: continue
    osn, osname, osver = PLAT[plat]
    cwd = os.getcwd(); os.chdir(rts[plat])
    try:
        res = preprocessKickstart(ksin)
    finally:
        os.chdir(cwd)
    text = open(res).read() if res else open(ksin).read()
    vals = dict(VALS, OS_NAME=osname, OS_VERSION=osver)
    text = re.sub(r'@KSTEST_([A-Z0-9_]+)@', lambda mm: vals[mm.group(1)], text)
    text = re.sub(r'^url \S*_GOES_HERE$', 'url --url=http://192.168.122.10/unified/', text, flags=re.M)
    text = re.sub(r'^(\s*)@KSINCLUDE@', r'\1# @KSINCLUDE@', text, flags=re.M)
    name = os.path.basename(sh)[:-3]
    rel = os.path.relpath(ksin, KT)
    hdr = f'#! os: {osn}\n#! source: rhinstaller/kickstart-tests {rel} (%ksappend from fragments/shared + fragments/platform/{plat})\n'
    open(f'{OUT}/{name}.ks', 'w').write(hdr + text)
    n += 1
print(n)
