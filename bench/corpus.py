#!/usr/bin/env python3
"""Build the benchmark corpus: a static GOPROXY tree made from Debian's Go source trees.

Inputs: the golang-*-dev packages named in bench/packages.txt and everything they depend on
(the dependency closure, read from dpkg), each one's tree under /usr/share/gocode/src.
Output (a directory keyed by a digest of the inputs, reused while the inputs do not change):

  proxy/                        GOPROXY tree (zips by golang.org/x/mod/zip via bench/mkcorpus)
  proxy/sizes.tsv, h1sums.txt   zip sizes, go.sum lines for everything in the tree
  consumers/typical/            go.mod requiring every module of the typical set + go.sum
  consumers/heavy/              go.mod requiring every module of the corpus (all sizes) + go.sum
  consumers/large/              go.mod requiring one module with a 64 MiB incompressible file
  corpus.json                   what was built (module list, sizes, counts) for the report

How a module is made from a Debian package:
  * root: the directory of the package's own go.mod if it has one above its Go files,
    otherwise the repository root by the usual host rules (github.com/owner/repo,
    golang.org/x/name, gopkg.in/...vN, /vN suffix kept). A root inside another root without
    its own go.mod is part of the outer module (as upstream: golang.org/x/oauth2/google).
  * module path = the directory path under /usr/share/gocode/src; version from the Debian
    version (X.Y.Z -> vX.Y.Z when the major version fits the path, git snapshots ->
    pseudo-versions); .info time fixed per module.
  * go.mod is replaced by a minimal one: `module P`, `go 1.16` and 0-4 requirements (seeded
    by the path) on *old* versions of other corpus modules. Old versions exist in the proxy as
    .info + .mod only ("module P\\n\\ngo 1.16\\n", no requirements), so the graph is closed,
    and because the go.mod files say go 1.16 (unpruned) go and gmfetch must fetch those .mod
    files too, like the go.mod-only lines of a real go.sum.
  * typical set: every module whose zip is at most 10 MiB (the bigger cloud SDK trees stay in
    the proxy, reachable only through .mod files).
  * heavy set: every module, whatever its size (cloud SDKs: zips of 15-70 MB). Trees that go's
    zip rules refuse (over 500 MiB of files, go.mod or LICENSE over 16 MiB, bad paths) are left
    out by mkcorpus -check before anything is zipped, and listed in corpus.json.
  * the consumer's go.sum is written by stock go (`go mod download <paths>` against
    GOPROXY=file://..., GOFLAGS=-mod=mod, GOSUMDB=off) and checked against mkcorpus' h1 sums.

Library: build(cache_root, log) -> Corpus; CLI: corpus.py [--cache-dir DIR] [--print]
"""

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import freshfs  # noqa: E402

GOCODE = '/usr/share/gocode/src'
XMOD_GOPATH = '/usr/share/gocode'
PACKAGES_FILE = os.path.join(HERE, 'packages.txt')
MKCORPUS_SRC = os.path.join(HERE, 'mkcorpus')
TYPICAL_MAX_ZIP = 10 << 20
BLOB_PATH = 'bench.example.org/blob'
BLOB_VERSION = 'v1.0.0'
BLOB_SIZE = 64 << 20
OLD_DATE = '20000101000000'
CMD_TIMEOUT = 900
GOSUM_FS_SIZE = 6 << 30   # go's cache of the heavy set: 2.2 GB (zips + extracted trees)


def log_default(*a):
    print(*a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    kw.setdefault('timeout', CMD_TIMEOUT)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def wanted_packages():
    with open(PACKAGES_FILE) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith('#')]


def ensure_packages(log=log_default):
    """apt-get install the listed packages that are missing (needs root)."""
    want = wanted_packages() + ['golang-go', 'golang-golang-x-mod-dev']
    missing = []
    for p in want:
        r = subprocess.run(['dpkg-query', '-W', '-f=${Status}', p], capture_output=True,
                           text=True)
        if 'install ok installed' not in r.stdout:
            missing.append(p)
    if not missing:
        return
    log('corpus: installing %d Debian packages (and their dependencies)' % len(missing))
    sudo = [] if os.geteuid() == 0 else ['sudo']
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(sudo + ['apt-get', 'update', '-qq'], check=True, env=env, timeout=600)
    subprocess.run(sudo + ['apt-get', 'install', '-y', '-qq', '--no-install-recommends'] +
                   missing, check=True, env=env, timeout=1800, stdout=subprocess.DEVNULL)


def installed():
    """package -> (version, depends field) for every installed package."""
    out = sh(['dpkg-query', '-W', '-f=${db:Status-Abbrev}\t${Package}\t${Version}\t'
              '${Depends}\n'])
    pk = {}
    for line in out.splitlines():
        f = line.split('\t')
        if len(f) == 4 and f[0].startswith('ii'):
            pk[f[1]] = (f[2], f[3])
    return pk


def closure(pk):
    """golang-*-dev packages reachable from packages.txt through Depends."""
    seen, todo = set(), list(wanted_packages())
    while todo:
        p = todo.pop()
        if p in seen or p not in pk:
            continue
        seen.add(p)
        for alt in pk[p][1].split(','):
            for d in alt.split('|'):
                name = d.strip().split(' ')[0].split(':')[0]
                if name and name not in seen:
                    todo.append(name)
    return sorted(p for p in seen if p.startswith('golang-') and p.endswith('-dev'))


def package_files(p):
    # dpkg's own file list, read directly: `dpkg -L` costs ~0.2 s a package (a minute for the
    # heavy closure) for the same lines.
    for name in (p, p + ':all', p + ':amd64'):
        try:
            with open('/var/lib/dpkg/info/%s.list' % name) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            pass
    return sh(['dpkg', '-L', p]).splitlines()


def repo_root(parts):
    host = parts[0]
    n = 2
    if host in ('github.com', 'gitlab.com', 'bitbucket.org'):
        n = 3
    elif host == 'golang.org' and len(parts) > 1 and parts[1] == 'x':
        n = 3
    elif host == 'gopkg.in':
        for i, e in enumerate(parts[1:], 1):
            if re.search(r'\.v\d+$', e):
                n = i + 1
                break
    n = min(n, len(parts))
    if len(parts) > n and re.fullmatch(r'v\d+', parts[n]):
        n += 1
    return parts[:n]


def find_roots(pkgs, log=log_default):
    """[(root dir relative to GOCODE, package, debian version)], nested roots merged."""
    pk = installed()
    roots = {}
    prefix = GOCODE + '/'
    for p in pkgs:
        files = [f for f in package_files(p) if f.startswith(prefix)]
        gofiles = [f for f in files if f.endswith('.go') and os.path.isfile(f)
                   and not os.path.islink(f)]
        if not gofiles:
            continue
        common = None
        for f in gofiles:
            d = os.path.dirname(f)[len(prefix):].split('/')
            if common is None:
                common = d
            else:
                i = 0
                while i < min(len(common), len(d)) and common[i] == d[i]:
                    i += 1
                common = common[:i]
        if not common:
            log('corpus: %s spans several trees, skipped' % p)
            continue
        cs = '/'.join(common)
        gomods = sorted((os.path.dirname(f)[len(prefix):] for f in files
                         if f.endswith('/go.mod')), key=len)
        root = None
        for g in gomods:
            if cs == g or cs.startswith(g + '/'):
                root = g
                break
        if root is None:
            root = '/'.join(repo_root(common))
        roots.setdefault(root, (p, pk[p][0]))
    # A root inside another root is its own module only if it has a go.mod on disk.
    keep = []
    for r in sorted(roots):
        parent = next((k for k in keep if r.startswith(k[0] + '/')), None)
        if parent and not os.path.isfile(os.path.join(GOCODE, r, 'go.mod')):
            continue
        keep.append((r, roots[r][0], roots[r][1]))
    return keep


def path_major(path):
    m = re.search(r'/v(\d+)$', path)
    if m and int(m.group(1)) >= 2:
        return int(m.group(1))
    if path.startswith('gopkg.in/'):
        m = re.search(r'\.v(\d+)$', path)
        if m:
            return int(m.group(1))
    return None


def semver_for(path, debver):
    """A canonical version for path, made from a Debian package version."""
    major = path_major(path)
    v = debver.split(':', 1)[-1]
    v = re.sub(r'-[^-]*$', '', v)
    snap = re.search(r'git(\d{8})\.([0-9a-f]{7,12})', v)
    v = re.split(r'[+~]', v)[0]
    base = major if major is not None else 0
    if snap:
        rev = (snap.group(2) + '0' * 12)[:12]
        return 'v%d.0.0-%s000000-%s' % (base, snap.group(1), rev)
    nums = [int(x) for x in re.findall(r'\d+', v)[:3]]
    nums += [0] * (3 - len(nums))
    x, y, z = nums
    if major is not None:
        if x == major:
            return 'v%d.%d.%d' % (x, y, z)
        return 'v%d.%d.%d' % (major, x, y)
    if x <= 1:
        return 'v%d.%d.%d' % (x, y, z)
    return 'v1.%d.%d' % (x, y)


def old_version(path):
    major = path_major(path)
    return 'v%d.0.0-%s-000000000000' % (major if major is not None else 0, OLD_DATE)


def gomod_text(path, reqs):
    s = 'module %s\n\ngo 1.16\n' % path
    if reqs:
        s += '\nrequire (\n' + ''.join('\t%s %s\n' % r for r in reqs) + ')\n'
    return s


def digest_inputs(pk, pkgs):
    h = hashlib.sha256()
    for p in pkgs:
        h.update(('%s %s\n' % (p, pk[p][0])).encode())
    for f in sorted([os.path.abspath(__file__), PACKAGES_FILE] +
                    [os.path.join(MKCORPUS_SRC, n) for n in os.listdir(MKCORPUS_SRC)]):
        with open(f, 'rb') as fh:
            h.update(f.encode() + b'\0' + hashlib.sha256(fh.read()).digest())
    h.update(sh(['go', 'version']).encode())
    return h.hexdigest()[:16]


class Corpus:
    def __init__(self, root):
        self.root = root
        self.proxy = os.path.join(root, 'proxy')
        with open(os.path.join(root, 'corpus.json')) as f:
            self.meta = json.load(f)

    def consumer(self, name):
        """Directory of a consumer module: 'typical', 'heavy' or 'large'."""
        return os.path.join(self.root, 'consumers', name)


def go_env(gocache, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith('GO')}
    env.update(GOCACHE=gocache, GOENV='off', GOFLAGS='')
    env.update(extra)
    return env


def build_mkcorpus(out, gocache):
    env = go_env(gocache, GO111MODULE='off', GOPATH=XMOD_GOPATH)
    subprocess.run(['go', 'build', '-o', out, '.'], cwd=MKCORPUS_SRC, env=env, check=True,
                   timeout=CMD_TIMEOUT)


def run_mkcorpus(exe, manifest_entries, out_dir, tmp):
    man = os.path.join(tmp, 'manifest.jsonl')
    with open(man, 'w') as f:
        for e in manifest_entries:
            f.write(json.dumps(e, sort_keys=True) + '\n')
    subprocess.run([exe, '-manifest', man, '-out', out_dir], check=True, timeout=CMD_TIMEOUT)


def check_entries(exe, entries, tmp):
    """Drop entries whose path/version or files the zip rules refuse (mkcorpus -check)."""
    man = os.path.join(tmp, 'check.jsonl')
    with open(man, 'w') as f:
        for e in entries:
            f.write(json.dumps(e, sort_keys=True) + '\n')
    r = subprocess.run([exe, '-manifest', man, '-check'], capture_output=True, text=True,
                       timeout=CMD_TIMEOUT)
    if r.returncode != 0:
        raise RuntimeError('mkcorpus -check failed: ' + r.stderr)
    bad = {}
    for line in r.stdout.splitlines():
        key, _, why = line.partition('\t')
        bad[key.rsplit('@', 1)[0]] = why
    return [e for e in entries if e['path'] not in bad], bad


def set_stats(zip_sizes, gosum):
    """The numbers the report gives for one consumer: zips, bytes, go.mod lines, spread."""
    zs = sorted(zip_sizes)
    modlines = [l for l in gosum.splitlines() if l.split()[1].endswith('/go.mod')]
    return {'zips': len(zs), 'zip_bytes': sum(zs), 'gomod_lines': len(modlines),
            'modonly': len(modlines) - len(zs), 'median_zip': zs[len(zs) // 2],
            'max_zip': zs[-1], 'over_1mb': sum(1 for s in zs if s > 1 << 20),
            'over_10mb': sum(1 for s in zs if s > 10 << 20),
            'under_10kb': sum(1 for s in zs if s < 10 << 10)}


def write_consumer(d, name, reqs):
    os.makedirs(d, exist_ok=True)
    text = 'module bench.example.org/consumer/%s\n\ngo 1.19\n\nrequire (\n' % name
    text += ''.join('\t%s %s\n' % r for r in reqs) + ')\n'
    with open(os.path.join(d, 'go.mod'), 'w') as f:
        f.write(text)
    with open(os.path.join(d, 'main.go'), 'w') as f:
        f.write('package main\n\nfunc main() {}\n')
    return text


def make_gosum(d, reqs, proxy, tmp, h1sums, log, ffs):
    """go.sum for consumer d, written by stock go from the file:// proxy.

    go's scratch cache (2.2 GB, 80k files for the heavy set) is on a fresh filesystem (ffs):
    deleting it from the long-lived disk took minutes."""
    scratch = os.path.join(tmp, 'gosum-' + os.path.basename(d))
    mnt = ffs.make(scratch)
    try:
        return gosum_in(d, reqs, proxy, tmp, h1sums, log, scratch)
    finally:
        mnt.release()
        os.rmdir(scratch)


def gosum_in(d, reqs, proxy, tmp, h1sums, log, scratch):
    wd = os.path.join(scratch, 'work')
    shutil.copytree(d, wd)
    env = go_env(os.path.join(tmp, 'gocache'), GOPROXY='file://' + proxy, GOSUMDB='off',
                 GOFLAGS='-mod=mod', GOMODCACHE=os.path.join(scratch, 'modcache'),
                 GOPATH=os.path.join(scratch, 'gopath'), HOME=scratch)
    before = open(os.path.join(wd, 'go.mod')).read()
    t0 = time.monotonic()
    # With explicit paths go saves the zip sums; without arguments it adds the /go.mod sums
    # of the whole (unpruned) graph, old .mod-only versions included.
    for args in ([p for p, _ in reqs], []):
        subprocess.run(['go', 'mod', 'download'] + args, cwd=wd, env=env, check=True,
                       timeout=CMD_TIMEOUT, capture_output=True)
    log('corpus: go wrote %s/go.sum in %.1fs' % (os.path.basename(d), time.monotonic() - t0))
    if open(os.path.join(wd, 'go.mod')).read() != before:
        raise RuntimeError('go changed the consumer go.mod of ' + d)
    gosum = open(os.path.join(wd, 'go.sum')).read()
    for line in gosum.splitlines():
        if line + '\n' not in h1sums:
            raise RuntimeError('go.sum line not made by mkcorpus: ' + line)
    with open(os.path.join(d, 'go.sum'), 'w') as f:
        f.write(gosum)
    return gosum


def build(cache_root, log=log_default):
    ensure_packages(log)
    pk = installed()
    pkgs = closure(pk)
    digest = digest_inputs(pk, pkgs)
    root = os.path.join(cache_root, 'corpus-' + digest)
    if os.path.isfile(os.path.join(root, 'corpus.json')):
        return Corpus(root)
    for old in os.listdir(cache_root) if os.path.isdir(cache_root) else []:
        if old.startswith('corpus-'):   # built from other inputs: not used any more
            log('corpus: removing stale %s' % old)
            freshfs.umount_under(os.path.join(cache_root, old))
            freshfs.rmtree(os.path.join(cache_root, old))
    t0 = time.monotonic()
    tmp = root + '.tmp'
    if os.path.exists(tmp):
        freshfs.umount_under(tmp)
        freshfs.rmtree(tmp)
    os.makedirs(tmp)
    exe = os.path.join(tmp, 'mkcorpus')
    build_mkcorpus(exe, os.path.join(tmp, 'gocache'))

    roots = find_roots(pkgs, log)
    log('corpus: %d module roots from %d packages (%.0fs)' % (len(roots), len(pkgs),
                                                            time.monotonic() - t0))
    entries = []
    for r, p, debver in roots:
        entries.append({'path': r, 'version': semver_for(r, debver),
                        'dir': os.path.join(GOCODE, r), 'exclude': [],
                        'gomod': gomod_text(r, []), 'package': p})
    entries, bad = check_entries(exe, entries, tmp)
    for k, why in sorted(bad.items()):
        log('corpus: left out %s: %s' % (k, why))

    # Requirements on old versions: 0-4 per module, seeded by the module path.
    paths = sorted(e['path'] for e in entries)
    olds = set()
    for e in entries:
        rnd = random.Random(hashlib.sha256(e['path'].encode()).digest())
        k = rnd.choice([0, 0, 1, 2, 2, 3, 4])
        deps = sorted(set(rnd.sample([p for p in paths if p != e['path']], k)))
        reqs = [(d, old_version(d)) for d in deps]
        olds.update(deps)
        e['gomod'] = gomod_text(e['path'], reqs)
        e['requires'] = len(reqs)
    for i, e in enumerate(sorted(entries, key=lambda e: e['path'])):
        e['time'] = '2023-%02d-%02dT10:00:00Z' % (1 + i % 12, 1 + i % 28)
    man = [dict((k, v) for k, v in e.items() if k not in ('package', 'requires'))
           for e in entries]
    for p in sorted(olds):
        man.append({'path': p, 'version': old_version(p), 'gomod': gomod_text(p, []),
                    'time': '2000-01-01T00:00:00Z', 'modonly': True})
    man.append({'path': BLOB_PATH, 'version': BLOB_VERSION,
                'gomod': gomod_text(BLOB_PATH, []), 'time': '2023-06-01T00:00:00Z',
                'gen': [{'file': 'data/blob.bin', 'size': BLOB_SIZE, 'seed': 20230601}]})
    proxy = os.path.join(tmp, 'proxy')
    log('corpus: zipping %d modules (%d old .mod-only versions) into %s' % (
        len(entries) + 1, len(olds), proxy))
    run_mkcorpus(exe, man, proxy, tmp)

    sizes = {}
    with open(os.path.join(proxy, 'sizes.tsv')) as f:
        for line in f:
            p, v, n = line.split('\t')
            sizes[p] = (v, int(n))
    h1sums = open(os.path.join(proxy, 'h1sums.txt')).read()
    log('corpus: zipped in %.0fs' % (time.monotonic() - t0))
    ffs = freshfs.FreshFs(tmp, GOSUM_FS_SIZE, log=log)
    typical = sorted((p, sizes[p][0]) for p in paths if sizes[p][1] <= TYPICAL_MAX_ZIP)
    heavy = sorted((p, sizes[p][0]) for p in paths)
    cons = os.path.join(tmp, 'consumers')
    sets = {}
    for name, reqs in (('typical', typical), ('heavy', heavy)):
        write_consumer(os.path.join(cons, name), name, reqs)
        gs = make_gosum(os.path.join(cons, name), reqs, proxy, tmp, h1sums, log, ffs)
        sets[name] = set_stats([sizes[p][1] for p, _ in reqs], gs)
    write_consumer(os.path.join(cons, 'large'), 'large', [(BLOB_PATH, BLOB_VERSION)])
    make_gosum(os.path.join(cons, 'large'), [(BLOB_PATH, BLOB_VERSION)], proxy, tmp, h1sums,
               log, ffs)

    meta = {
        'digest': digest,
        'packages': ['%s %s' % (p, pk[p][0]) for p in pkgs],
        'modules': [{'path': e['path'], 'version': e['version'], 'package': e['package'],
                     'zip': sizes[e['path']][1], 'requires': e['requires'],
                     'typical': sizes[e['path']][1] <= TYPICAL_MAX_ZIP}
                    for e in sorted(entries, key=lambda e: e['path'])],
        'left_out': bad,
        'typical': sets['typical'],
        'heavy': sets['heavy'],
        'large': {'path': BLOB_PATH, 'version': BLOB_VERSION, 'zip_bytes': sizes[BLOB_PATH][1]},
        'build_seconds': round(time.monotonic() - t0, 1),
    }
    with open(os.path.join(tmp, 'corpus.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    freshfs.rmtree(os.path.join(tmp, 'gocache'))
    os.rename(tmp, root)
    log('corpus: built in %.0fs: %s' % (time.monotonic() - t0, root))
    return Corpus(root)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cache-dir', default=os.environ.get('GMFETCH_BENCH_CACHE',
                                                          '/var/tmp/gmfetch-bench'))
    ap.add_argument('--print', action='store_true', help='print corpus.json')
    a = ap.parse_args(argv)
    c = build(a.cache_dir)
    print(c.root)
    if a.print:
        print(json.dumps({k: v for k, v in c.meta.items() if k != 'modules'}, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
