#!/usr/bin/env python3
"""Fault tests: gmfetch against tests/server/goproxy.py misbehaving on purpose.

Each case starts goproxy.py (random port on 127.0.0.1) over the GOPROXY tree built from
tests/data/corpus by tests/tools/mkproxy (plus a 6 MiB module of our own, fetched in 1 MiB
Range shards), with one fault switched on, runs gmfetch for a consumer module that needs
nine modules, and checks what the issue asks for: the exit status and the
stderr words, what was asked of the server (its request log: method, path, Range, status,
body bytes, If-Range), and the cache: every module gmfetch reports is complete and verified
(`go mod verify` and an offline `go build` pass), and nothing of a module that failed is
anywhere go would trust it.  GOPROXY list cases run stock go on the same setup and compare
the exit status and stderr.  Other cases compare with go where go terminates (401, Retry-After
beyond the cap, a truncated go.mod), measure when requests arrive (Retry-After waits), and put
nginx (tests/server/nginx.py) in front of goproxy.py as an HTTP/2 reverse proxy, so a cut
upstream body reaches gmfetch as an h2 stream reset and keepalive_requests 3 as GOAWAY.

The helpers here (proxy tree, consumer module, servers, cache checks) are shared by crash.py
and concurrent.py.

Usage: faults.py [--cache-dir DIR] [--case NAME]... [--list] [--matrix] [-v]
--matrix prints, after the run, a markdown table "fault | outcome | requests/bytes" with what
each case measured (the outcome is gmfetch's exit status and error line; requests and body
bytes come from the server's log).
Exit status: 0 all passed, 1 some failed, 77 skipped (go, python3 or the golang.org/x/mod
source missing).
"""

import argparse
import base64
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
DATA = os.environ.get('GMFETCH_TEST_DATA') or os.path.join(TESTS, 'data')
CORPUS = os.path.join(DATA, 'corpus')
MKPROXY_SRC = os.path.join(TESTS, 'tools', 'mkproxy')
GOPROXY_PY = os.path.join(TESTS, 'server', 'goproxy.py')
XMOD_GOPATH = '/usr/share/gocode'
SKIP = 77
CMD_TIMEOUT = 60

# A module of our own added to the proxy tree: 6 MiB of incompressible data, stored, so that
# with --shard-size 1M it is fetched in 6 Range shards (the corpus's 24 MiB example.com/big
# would make every case four times slower).  Its zip has no directory entries, like zips
# from golang.org/x/mod/zip, so its directory hashes like its zip.
BLOB_PATH, BLOB_VERSION = 'example.com/robust/blob', 'v1.0.0'
BLOB = BLOB_PATH + '@' + BLOB_VERSION
BLOB_ZIP = '/example.com/robust/blob/@v/v1.0.0.zip'
BLOB_DATA = 6 << 20
HELLO_ZIP = '/example.com/hello/@v/v1.0.0.zip'
SHARDS = ['--shard-size', '1M', '--shard-threshold', '1M']

# Consumers: go 1.17 modules importing a package of each module, so `go build` needs every
# zip; go.mod and go.sum are completed by stock `go mod tidy` against the test proxy.  They
# are libraries: `go build ./...` compiles everything and links nothing (linking costs more
# than all the rest).
# "small" is for the fault cases, "big" (with the corpus's 24 MiB module) for crash and
# concurrency tests.
CONSUMERS = {
    'small': ['example.com/a v1.0.0', 'example.com/hello v1.0.0', 'example.com/multi v1.2.0',
              'github.com/Example/Mixed/v2 v2.1.0-RC.1', BLOB_PATH + ' ' + BLOB_VERSION],
    'big': ['example.com/a v1.0.0', 'example.com/big v1.0.0', 'example.com/hello v1.0.0',
            'example.com/multi v1.2.0', 'github.com/Example/Mixed/v2 v2.1.0-RC.1',
            BLOB_PATH + ' ' + BLOB_VERSION],
}
CONSUMER_IMPORTS = {
    'example.com/a': ('"example.com/a"\n\t"example.com/a/sub/deep"',
                      'deep.Wrap("main", a.Describe())'),
    'example.com/big': ('"example.com/big"', 'big.DataFile'),
    'example.com/hello': ('"example.com/hello"', 'hello.Hello()'),
    'example.com/multi': ('"example.com/multi"', 'multi.Version'),
    'github.com/Example/Mixed/v2': ('_ "github.com/Example/Mixed/v2"', None),
    BLOB_PATH: ('"example.com/robust/blob"', 'blob.Name'),
}


def log(*a):
    print(*a, flush=True)


class Skip(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# files

def rmtree(path):
    """Remove a tree that go made read-only."""
    if not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path):
        for dirpath, dirnames, _ in os.walk(path):
            for d in dirnames:
                p = os.path.join(dirpath, d)
                if not os.path.islink(p):
                    os.chmod(p, 0o755)
        os.chmod(path, 0o755)
        shutil.rmtree(path, ignore_errors=True)
    else:
        os.unlink(path)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def read(path, mode='rb'):
    try:
        with open(path, mode) as f:
            return f.read()
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------------------------------------
# go's h1: hashes (golang.org/x/mod/sumdb/dirhash Hash1; reference §5), to judge a cache
# without asking the implementation under test

def hash1(items):
    """items: (name, sha256 hex of content) pairs."""
    summary = ''.join('%s  %s\n' % (h, n) for n, h in sorted(items))
    return 'h1:' + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


# Hashes of files and trees already judged, by identity: crash.py checks the same cache after
# every kill, and a published zip or tree never changes in place (it is only replaced).
_MEMO = {}


def _identity(path, extra=''):
    st = os.stat(path)
    return (path, st.st_ino, st.st_size, st.st_mtime_ns, extra)


def hash_zip(path):
    key = _identity(path)
    if key not in _MEMO:
        with zipfile.ZipFile(path) as z:
            _MEMO[key] = hash1([(zi.filename, hashlib.sha256(z.read(zi)).hexdigest())
                                for zi in z.infolist()])
    return _MEMO[key]


def hash_dir(root, prefix):
    items, ids = [], []
    for dirpath, _, filenames in os.walk(root):
        for n in filenames:
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root).replace(os.sep, '/')
            ids.append(_identity(p))
            items.append((prefix + '/' + rel, p))
    key = ('dir', tuple(sorted(ids)))
    if key not in _MEMO:
        _MEMO[key] = hash1([(n, sha256_file(p)) for n, p in items])
    return _MEMO[key]


def hash_gomod(data):
    return hash1([('go.mod', hashlib.sha256(data).hexdigest())])


def escape(s):
    return re.sub(r'[A-Z]', lambda m: '!' + m.group(0).lower(), s)


def unescape(s):
    return re.sub(r'!([a-z])', lambda m: m.group(1).upper(), s)


def parse_gosum(text):
    sums = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3:
            sums[(f[0], f[1])] = f[2]
    return sums


def trusted_problems(mc, gosum):
    """Everything in the cache go would use must be right.  go trusts (reference §0, §3):
    a .mod file; a zip when zip and ziphash exist; an extracted dir when it exists, has no
    .partial and has a ziphash.  Each must hash to go.sum's line (or, for a module go.sum does
    not know, at least be self-consistent).  Returns problem lines."""
    sums = parse_gosum(gosum)
    problems = []
    dl = os.path.join(mc, 'cache', 'download')
    if not os.path.isdir(dl):
        return problems
    for dirpath, dirnames, filenames in os.walk(dl):
        if os.path.basename(dirpath) != '@v':
            continue
        rel = os.path.relpath(os.path.dirname(dirpath), dl)
        if rel.startswith('sumdb'):
            continue
        path = unescape(rel)
        for n in filenames:
            p = os.path.join(dirpath, n)
            if n.endswith('.mod'):
                v = unescape(n[:-4])
                want = sums.get((path, v + '/go.mod'))
                got = hash_gomod(read(p))
                if want and got != want:
                    problems.append('%s: .mod hashes to %s, go.sum says %s' % (p, got, want))
            if n.endswith('.info'):
                try:
                    json.loads(read(p))
                except ValueError as e:
                    problems.append('%s: not JSON: %s' % (p, e))
            if n.endswith('.ziphash'):
                ev = n[:-len('.ziphash')]
                v = unescape(ev)
                zh = (read(p) or b'').decode(errors='replace').strip()
                want = sums.get((path, v))
                if want and zh != want:
                    problems.append('%s: ziphash %s, go.sum %s' % (p, zh, want))
                z = os.path.join(dirpath, ev + '.zip')
                if os.path.exists(z):
                    try:
                        got = hash_zip(z)
                    except zipfile.BadZipFile as e:
                        got = 'bad zip: %s' % e
                    if got != zh:
                        problems.append('%s: zip hashes to %s, ziphash says %s' % (z, got, zh))
                d = os.path.join(mc, rel + '@' + ev)
                if os.path.isdir(d) and not os.path.exists(os.path.join(dirpath,
                                                                        ev + '.partial')):
                    got = hash_dir(d, path + '@' + v)
                    if got != zh:
                        problems.append('%s: dir hashes to %s, ziphash says %s' % (d, got, zh))
                    for dp, dns, fns in os.walk(d):
                        for x in fns:
                            if os.stat(os.path.join(dp, x)).st_mode & 0o222:
                                problems.append('%s: writable file in a complete dir' % x)
    return problems


def module_traces(mc, path, version):
    """What of path@version is in the cache (zip, ziphash, dir, partial, temps)."""
    ep, ev = escape(path), escape(version)
    vdir = os.path.join(mc, 'cache', 'download', ep, '@v')
    found = []
    for n in ('.zip', '.ziphash', '.partial'):
        if os.path.exists(os.path.join(vdir, ev + n)):
            found.append(ev + n)
    if os.path.isdir(vdir):
        found += [n for n in os.listdir(vdir) if n.startswith(ev + '.') and n.endswith('.tmp')]
    if os.path.isdir(os.path.join(mc, ep + '@' + ev)):
        found.append(ep + '@' + ev + '/')
    return found


def stray_temps(mc):
    out = []
    for dirpath, dirnames, filenames in os.walk(mc):
        for n in filenames + dirnames:
            if n.endswith('.tmp') or '.tmp-' in n or n.endswith('.partial'):
                out.append(os.path.relpath(os.path.join(dirpath, n), mc))
    return out


# ---------------------------------------------------------------------------------------------
# fixtures

def find_go():
    for c in (os.environ.get('GO'), '/usr/bin/go', shutil.which('go')):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def input_digest():
    h = hashlib.sha256()
    for top in (CORPUS, MKPROXY_SRC):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                h.update(os.path.relpath(p, top).encode() + b'\0')
                h.update(sha256_file(p).encode())
    with open(__file__, 'rb') as f:  # the consumers and the blob module are defined here
        h.update(f.read())
    return h.hexdigest()


def blob_module(proxy):
    """Add BLOB to a GOPROXY tree."""
    import random
    vdir = os.path.join(proxy, BLOB_PATH, '@v')
    os.makedirs(vdir)
    gomod = 'module %s\n\ngo 1.17\n' % BLOB_PATH
    prefix = BLOB + '/'
    with zipfile.ZipFile(os.path.join(vdir, BLOB_VERSION + '.zip'), 'w') as z:
        z.writestr(prefix + 'go.mod', gomod)
        z.writestr(prefix + 'blob.go', 'package blob\n\nconst Name = "blob"\n')
        z.writestr(prefix + 'data.bin', random.Random(20240601).randbytes(BLOB_DATA))
    with open(os.path.join(vdir, BLOB_VERSION + '.mod'), 'w') as f:
        f.write(gomod)
    with open(os.path.join(vdir, BLOB_VERSION + '.info'), 'w') as f:
        f.write('{"Version":"%s","Time":"2024-06-01T00:00:00Z"}' % BLOB_VERSION)
    with open(os.path.join(vdir, 'list'), 'w') as f:
        f.write(BLOB_VERSION + '\n')


class Fixture:
    """The proxy tree, the consumer module and stock go, built once per corpus version."""

    def __init__(self, cache_dir, work):
        self.go = find_go()
        missing = []
        if not self.go:
            missing.append('go')
        if not os.path.isdir(os.path.join(XMOD_GOPATH, 'src', 'golang.org', 'x', 'mod', 'zip')):
            missing.append('golang.org/x/mod source in ' + XMOD_GOPATH)
        if missing:
            raise Skip('missing ' + ', '.join(missing))
        self.gmfetch = os.environ.get('GMFETCH_BIN')
        if not self.gmfetch or not os.access(self.gmfetch, os.X_OK):
            raise RuntimeError('GMFETCH_BIN is not set to an executable (got %r)'
                               % self.gmfetch)
        self.gmfetch = os.path.abspath(self.gmfetch)
        self.cache_dir = os.path.abspath(cache_dir)
        self.work = work
        self.gocache = os.path.join(self.cache_dir, 'gocache')
        os.makedirs(self.cache_dir, exist_ok=True)
        self.proxy = self._build()
        self.consumer = os.path.join(self.cache_dir, 'consumer-small')
        self.blob_size = os.path.getsize(os.path.join(self.proxy, BLOB_ZIP.lstrip('/')))

    def use_consumer(self, name):
        self.consumer = os.path.join(self.cache_dir, 'consumer-' + name)

    def _build(self):
        digest = input_digest()
        proxy = os.path.join(self.cache_dir, 'proxy')
        consumers = [os.path.join(self.cache_dir, 'consumer-' + n) for n in CONSUMERS]
        with open(os.path.join(self.cache_dir, 'lock'), 'w') as lk:
            fcntl.flock(lk, fcntl.LOCK_EX)
            stamp = os.path.join(self.cache_dir, 'stamp')
            if all(os.path.isdir(p) for p in [proxy] + consumers) and \
                    (read(stamp) or b'').decode() == digest:
                return proxy
            t0 = time.monotonic()
            env = dict(os.environ, GO111MODULE='off', GOPATH=XMOD_GOPATH, GOCACHE=self.gocache,
                       GOFLAGS='', GOENV='off')
            exe = os.path.join(self.cache_dir, 'mkproxy')
            subprocess.run([self.go, 'build', '-o', exe, '.'], cwd=MKPROXY_SRC, env=env,
                           check=True, timeout=CMD_TIMEOUT)
            for p in [proxy, proxy + '.tmp'] + consumers + [c + '.tmp' for c in consumers]:
                rmtree(p)
            subprocess.run([exe, '-corpus', CORPUS, '-out', proxy + '.tmp'], check=True,
                           timeout=CMD_TIMEOUT)
            blob_module(proxy + '.tmp')
            os.rename(proxy + '.tmp', proxy)
            for name, dst in zip(CONSUMERS, consumers):
                self._make_consumer(proxy, dst + '.tmp', CONSUMERS[name])
                os.rename(dst + '.tmp', dst)
            with open(stamp, 'w') as f:
                f.write(digest)
            log('built proxy tree and consumers in %.1fs' % (time.monotonic() - t0))
            return proxy

    def _make_consumer(self, proxy, dst, requires):
        os.makedirs(dst)
        with open(os.path.join(dst, 'go.mod'), 'w') as f:
            f.write('module example.com/consumer/robust\n\ngo 1.17\n\nrequire (\n')
            for r in requires:
                f.write('\t%s\n' % r)
            f.write(')\n')
        imports = [CONSUMER_IMPORTS[r.split()[0]] for r in requires]
        with open(os.path.join(dst, 'robust.go'), 'w') as f:
            f.write('package robust\n\nimport (\n\t"fmt"\n\n\t%s\n)\n\nfunc Describe() string {\n'
                    '\treturn fmt.Sprint(%s)\n}\n' % ('\n\t'.join(i for i, _ in imports),
                                                    ', '.join(u for _, u in imports if u)))
        scratch = tempfile.mkdtemp(prefix='gmfetch-tidy-')
        try:
            env = self.env(scratch, 'file://' + proxy, {'GOFLAGS': '-mod=mod'})
            r = subprocess.run([self.go, 'mod', 'tidy'], cwd=dst, env=env, capture_output=True,
                               timeout=CMD_TIMEOUT)
            if r.returncode != 0:
                raise RuntimeError('go mod tidy failed: ' + r.stderr.decode())
        finally:
            rmtree(scratch)

    def env(self, side, goproxy, extra=None):
        """A go environment of its own under side (created), like e2e.py's."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('GO') and k.lower() not in (
                   'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'ssl_cert_file',
                   'ssl_cert_dir', 'netrc')}
        for d in ('gopath', 'home'):
            os.makedirs(os.path.join(side, d), exist_ok=True)
        env['PATH'] = os.path.dirname(self.go) + os.pathsep + env.get('PATH', '')
        env.update(GOPROXY=goproxy, GOMODCACHE=os.path.join(side, 'modcache'),
                   GOPATH=os.path.join(side, 'gopath'), HOME=os.path.join(side, 'home'),
                   GOENV='off', GOSUMDB='off', GOCACHE=self.gocache, GONOSUMDB='',
                   GOPRIVATE='', GONOPROXY='', GOFLAGS='')
        env.update(extra or {})
        return env

    def side(self, name, fresh=True):
        """A fresh directory with a copy of the consumer module in work/.  Every case uses the
        same path (name is for messages): go's build cache keys compile results by source
        path, so `go build` in a new place would recompile every dependency."""
        root = os.path.join(self.work, 'side')
        if not fresh:
            root = os.path.join(self.work, name)
        rmtree(root)
        os.makedirs(root)
        shutil.copytree(self.consumer, os.path.join(root, 'work'))
        return root

    def gosum(self):
        return read(os.path.join(self.consumer, 'go.sum'), 'r')

    def run(self, cmd, cwd, env, timeout=CMD_TIMEOUT):
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            rc = 'timeout'
        return Result(rc, out.decode(errors='replace'), err.decode(errors='replace'),
                      time.monotonic() - t0)

    def gmfetch_run(self, side, goproxy, args=(), extra_env=None, timeout=CMD_TIMEOUT,
                    shards=True):
        env = self.env(side, goproxy, extra_env)
        return self.run([self.gmfetch] + (SHARDS if shards else []) + list(args),
                        os.path.join(side, 'work'), env, timeout)

    def go_run(self, side, goproxy, args=(), extra_env=None, timeout=CMD_TIMEOUT):
        env = self.env(side, goproxy, extra_env)
        return self.run([self.go, 'mod', 'download'] + list(args), os.path.join(side, 'work'),
                        env, timeout)

    def verify(self, side):
        """Offline `go mod verify` and `go build ./...` on side's cache: [] when both pass."""
        env = self.env(side, 'off', {'GOFLAGS': '-mod=mod'})
        wd = os.path.join(side, 'work')
        problems = []
        r = self.run([self.go, 'mod', 'verify'], wd, env)
        if r.rc != 0 or r.out.strip() != 'all modules verified':
            problems.append('go mod verify: exit %s\n%s%s' % (r.rc, r.out, r.err))
        r = self.run([self.go, 'build', './...'], wd, env)
        if r.rc != 0:
            problems.append('go build: exit %s\n%s' % (r.rc, r.err))
        return problems


class Result:
    def __init__(self, rc, out, err, secs):
        self.rc, self.out, self.err, self.secs = rc, out, err, secs

    def __repr__(self):
        return 'exit %s after %.2fs\nstdout: %s\nstderr: %s' % (self.rc, self.secs, self.out,
                                                               self.err)


class Server:
    """goproxy.py on 127.0.0.1:<random> with the given switches; stop() it."""

    def __init__(self, root, *flags, logdir=None):
        self.logfile = os.path.join(logdir or tempfile.gettempdir(),
                                    'goproxy-%d-%d.log' % (os.getpid(), id(self)))
        if os.path.exists(self.logfile):
            os.unlink(self.logfile)
        self.proc = subprocess.Popen([sys.executable, GOPROXY_PY, '--root', root, '--log',
                                      self.logfile] + [str(f) for f in flags],
                                     stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError('goproxy.py did not start')
        self.port = int(line)
        self.root = root
        scheme = 'https' if '--tls-cert' in [str(f) for f in flags] else 'http'
        self.url = '%s://127.0.0.1:%d' % (scheme, self.port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def lines(self, settle=0.1):
        """The request log; waits until it has been quiet for settle seconds (the server logs
        a request after its body)."""
        last = None
        for _ in range(50):
            text = read(self.logfile, 'r') or ''
            if text == last:
                break
            last = text
            time.sleep(settle)
        out = []
        for line in (last or '').splitlines():
            f = line.split(' ')
            if len(f) >= 8:
                out.append(dict(method=f[0], path=f[1], range=f[2], status=int(f[3]),
                                bytes=int(f[4]), ifrange=f[5], user=f[6], time=float(f[7])))
        return out

    def wait_lines(self, pred, n, timeout=10):
        """The request log once n of its lines satisfy pred (at most timeout seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines(settle=0.05)
            if sum(1 for l in lines if pred(l)) >= n or time.monotonic() > deadline:
                return lines
            time.sleep(0.1)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()
        if os.path.exists(self.logfile):
            os.unlink(self.logfile)


# ---------------------------------------------------------------------------------------------
# checks shared by the cases

def zip_lines(lines, path=BLOB_ZIP):
    return [l for l in lines if l['method'] == 'GET' and l['path'].split('?')[0].endswith(path)]


def expect(cond, what, problems):
    if not cond:
        problems.append(what)
    return cond


def check_ok(fx, side, r, problems):
    """gmfetch succeeded, and the cache it left verifies."""
    if not expect(r.rc == 0, 'gmfetch failed: %r' % r, problems):
        return
    problems += fx.verify(side)
    problems += trusted_problems(os.path.join(side, 'modcache'), fx.gosum())
    problems += ['stray temp file: ' + p for p in stray_temps(os.path.join(side, 'modcache'))]


def check_failed_module(fx, side, r, mod, words, problems):
    """gmfetch failed for mod with words in stderr, left nothing of mod go would trust and
    no temp file, and everything else it cached is right."""
    expect(r.rc == 1, 'want exit 1: %r' % r, problems)
    for w in words:
        expect(w in r.err, 'stderr lacks %r: %r' % (w, r), problems)
    path, version = mod.split('@')
    mc = os.path.join(side, 'modcache')
    left = module_traces(mc, path, version)
    expect(not left, '%s left in the cache: %s' % (mod, left), problems)
    problems += trusted_problems(mc, fx.gosum())
    problems += ['stray temp file: ' + p for p in stray_temps(mc)]


def metrics_args(side):
    return ['--metrics-file', os.path.join(side, 'metrics.prom')]


def read_metrics(side):
    """The unlabelled samples of the run's --metrics-file (Prometheus text) as name: int; the
    counters come from struct gmf_transfer_stats (range_bytes is gmfetch_shard_bytes_sum,
    responses_416 gmfetch_http_416_total, resumed_bytes gmfetch_resumed_bytes_total)."""
    out = {}
    for line in (read(os.path.join(side, 'metrics.prom'), 'r') or '').splitlines():
        f = line.split()
        if len(f) == 2 and not line.startswith('#') and '{' not in f[0]:
            out[f[0]] = float(f[1])
    return out


def range_stats(lines):
    """What the server log says the stats must be: (bytes of all 206 answers, bytes asked for
    by resumes), a resume being a ranged GET whose range ends where an earlier request of the
    same path ended but starts later."""
    shard_bytes = sum(l['bytes'] for l in lines if l['status'] == 206)
    resumed, seen = 0, {}
    for l in lines:
        if l['range'] == '-' or l['method'] != 'GET':
            continue
        a, b = map(int, l['range'][len('bytes='):].split('-'))
        key = (l['path'].split('?')[0], b)
        if key in seen and a > seen[key]:
            resumed += b - a + 1
        seen.setdefault(key, a)
    return shard_bytes, resumed


def check_stats(side, lines, p, n416=0):
    m = read_metrics(side)
    if not expect(m, 'no metrics file written', p):
        return
    shard_bytes, resumed = range_stats(lines)
    got = (m.get('gmfetch_shard_bytes_sum'), m.get('gmfetch_resumed_bytes_total'),
           m.get('gmfetch_http_416_total'))
    expect(got == (shard_bytes, resumed, n416),
           'stats (range_bytes, resumed_bytes, responses_416) %s, the server log says %s' % (
               got, (shard_bytes, resumed, n416)), p)


def body_bytes(lines, path=BLOB_ZIP):
    return sum(l['bytes'] for l in zip_lines(lines, path))


NOTES = []  # measurements a case reports (printed after its verdict)

# Rows of the fault matrix (--matrix): (fault, outcome, traffic), as measured by the cases.
MATRIX = []


def short_err(text):
    """The line of stderr that says what failed, with ports and temp paths made stable."""
    lines = [l for l in text.splitlines() if l.strip()]
    pick = next((l for l in lines if l.startswith('go: ') or 'SECURITY ERROR' in l),
                lines[0] if lines else '')
    pick = re.sub(r'127\.0\.0\.1:\d+', '127.0.0.1:PORT', pick)
    return pick if len(pick) <= 150 else pick[:147] + '...'


def outcome(r, retried=False):
    """What a run ended in, for the matrix."""
    if r.rc == 0:
        return ('retried, then ' if retried else '') + 'success, cache verified'
    return ('retried, then ' if retried else '') + 'exit %s: `%s`' % (r.rc, short_err(r.err))


def traffic(lines, pred=None):
    sel = [l for l in lines if pred is None or pred(l)]
    return '%d req / %d B' % (len(sel), sum(l['bytes'] for l in sel))


def row(fault, result, lines=None, pred=None, extra=''):
    MATRIX.append((fault, result, (traffic(lines, pred) if lines is not None else '-') +
                   (', ' + extra if extra else '')))


def print_matrix(title):
    log('')
    log('| fault (%s) | outcome | requests/bytes |' % title)
    log('|---|---|---|')
    for f, o, t in MATRIX:
        log('| %s | %s | %s |' % tuple(x.replace('|', '\\|') for x in (f, o, t)))


def is_zip(path):
    return lambda l: l['path'].split('?')[0].endswith(path)


def note_zip(fx, lines, r=None):
    zl = zip_lines(lines)
    NOTES.append('%d requests for the 6 MiB zip, %d body bytes = %.3fx its size%s' % (
        len(zl), body_bytes(lines), body_bytes(lines) / fx.blob_size,
        ', gmfetch %.2fs' % r.secs if r else ''))


CASES = []


class CaseSkip(Exception):
    """A case that cannot run here (nginx or openssl missing); fails with --no-skip."""


def registry(cases):
    def case(desc):
        def reg(fn):
            cases.append((fn.__name__, desc, fn))
            return fn
        return reg
    return case


case = registry(CASES)


class Nginx:
    """tests/server/nginx.py as an HTTP/2 reverse proxy in front of a goproxy.py Server:
    https_url speaks HTTP/2 (ALPN), ca_file is the CA to trust (SSL_CERT_FILE)."""

    def __init__(self, upstream, work, **kw):
        sys.path.insert(0, os.path.join(TESTS, 'server'))
        import nginx
        if not os.access(nginx.NGINX, os.X_OK) or not shutil.which('openssl'):
            raise CaseSkip('nginx or openssl missing')
        self.srv = nginx.NginxServer(upstream.root, workdir=tempfile.mkdtemp(dir=work),
                                     max_seconds=600, upstream=upstream.url, **kw)
        self.srv.start()
        self.url, self.ca_file = self.srv.https_url, self.srv.ca_file

    def lines(self, settle=0.1):
        """The access log as dicts: path, range, status, bytes, proto, conn, conn_reqs."""
        last = None
        for _ in range(50):
            text = self.srv.log_lines()
            if text == last:
                break
            last = text
            time.sleep(settle)
        out = []
        for line in last or []:
            m = re.match(r'\S+ \S+ "(\S+) (\S+) \S+" (\d+) range="([^"]*)" (\d+) (\S+) (\d+) '
                         r'(\d+)', line)
            if m:
                out.append(dict(method=m.group(1), path=m.group(2), status=int(m.group(3)),
                                range=m.group(4) or '-', bytes=int(m.group(5)),
                                proto=m.group(6), conn=int(m.group(7)),
                                conn_reqs=int(m.group(8))))
        return out

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.srv.stop()


# ---------------------------------------------------------------------------------------------
# 1. resume, retries, stalls

@case('connection cut once mid-shard: resumed with only the missing bytes (+If-Range), '
      'total <= 1.1x the zip')
def cut_once(fx, p):
    with Server(fx.proxy, '--drop-after', 500000, '--fault-path', '*' + BLOB_ZIP,
                '--fault-skip', 1) as s:
        side = fx.side('cut_once')
        r = fx.gmfetch_run(side, s.url, metrics_args(side))
        check_ok(fx, side, r, p)
        lines = s.lines()
    check_stats(side, lines, p)
    note_zip(fx, lines, r)
    zl = zip_lines(lines)
    cut = [l for l in zl if l['bytes'] == 500000 and l['range'] != '-']
    if expect(len(cut) == 1, 'want one cut shard: %s' % zl, p):
        a, b = map(int, cut[0]['range'][len('bytes='):].split('-'))
        want = 'bytes=%d-%d' % (a + 500000, b)
        resumed = [l for l in zl if l['range'] == want]
        expect(len(resumed) == 1 and resumed[0]['status'] == 206 and
               resumed[0]['bytes'] == b - a + 1 - 500000,
               'want one resume asking %s: %s' % (want, zl), p)
        expect(all(l['ifrange'] != '-' for l in resumed), 'resume without If-Range', p)
    total = body_bytes(lines)
    expect(total <= 1.1 * fx.blob_size, 'fetched %d bytes for a %d byte zip' % (
        total, fx.blob_size), p)
    row('connection cut once mid-shard (HTTP/1.1)', outcome(r, retried=True), lines,
        is_zip(BLOB_ZIP), '%.3fx the zip' % (total / fx.blob_size))


@case('every request cut after 300 kB: each 1 MiB shard resumes from its last byte until '
      'done')
def cut_always(fx, p):
    with Server(fx.proxy, '--drop-after', 300000, '--fault-path', '*' + BLOB_ZIP,
                '--fault-times', 1000) as s:
        side = fx.side('cut_always')
        r = fx.gmfetch_run(side, s.url, metrics_args(side))
        check_ok(fx, side, r, p)
        lines = s.lines()
    check_stats(side, lines, p)
    note_zip(fx, lines, r)
    total = body_bytes(lines)
    expect(total <= 1.1 * fx.blob_size, 'fetched %d bytes for a %d byte zip' % (
        total, fx.blob_size), p)
    row('every response cut after 300 kB', outcome(r, retried=True), lines, is_zip(BLOB_ZIP),
        '%.3fx the zip' % (total / fx.blob_size))


@case('every request cut before any byte: the retry budget runs out, the module fails, '
      'nothing of it is left')
def cut_no_progress(fx, p):
    with Server(fx.proxy, '--drop-after', 0, '--fault-path', '*' + BLOB_ZIP,
                '--fault-times', 1000) as s:
        side = fx.side('cut_no_progress')
        r = fx.gmfetch_run(side, s.url, ['--retries', '2'])
        lines = s.lines()
    check_failed_module(fx, side, r, BLOB, [BLOB], p)
    # 1 probe + 3 attempts: the budget (--retries 2) is per shard and honoured.
    expect(len(zip_lines(lines)) == 3, 'want 3 requests (1 + 2 retries): %s' % zip_lines(
        lines), p)
    row('every response cut before its first byte, --retries 2', outcome(r, retried=True),
        lines, is_zip(BLOB_ZIP))


@case('a shard stalls: aborted after --timeout 1, resumed from its last byte')
def stall(fx, p):
    with Server(fx.proxy, '--stall-after', 500000, '--stall-seconds', 20, '--fault-path',
                '*' + BLOB_ZIP, '--fault-skip', 1) as s:
        side = fx.side('stall')
        r = fx.gmfetch_run(side, s.url, ['--timeout', '1'])
        check_ok(fx, side, r, p)
        lines = s.lines(settle=0.1)
    note_zip(fx, lines, r)
    expect(r.secs < 8, 'took %.1fs with a 1 s stall timeout' % r.secs, p)
    resumed = [l for l in zip_lines(lines) if l['status'] == 206 and
               l['range'] != '-' and (int(l['range'][6:].split('-')[0]) % (1 << 20)) == 500000]
    expect(len(resumed) == 1, 'want one resume from the stall point: %s' % zip_lines(lines), p)
    row('a shard stalls 20 s after 500 kB, --timeout 1', outcome(r, retried=True), lines,
        is_zip(BLOB_ZIP), '%.1f s' % r.secs)


@case('503 once for a .info, then fine: retried, no error')
def status_503_once(fx, p):
    with Server(fx.proxy, '--fail-status', 503, '--fault-path', '*/hello/@v/v1.0.0.info') as s:
        side = fx.side('s503')
        r = fx.gmfetch_run(side, s.url)
        check_ok(fx, side, r, p)
        lines = s.lines()
    n = [l['status'] for l in lines if l['path'].endswith('hello/@v/v1.0.0.info')]
    expect(n == [503, 200], 'want 503 then 200: %s' % n, p)
    row('503 once for a .info', outcome(r, retried=True), lines,
        is_zip('hello/@v/v1.0.0.info'))


@case('500 always for a zip: retried --retries times, then go\'s error for that module')
def status_500_always(fx, p):
    with Server(fx.proxy, '--status', '*' + HELLO_ZIP + '=500') as s:
        side = fx.side('s500')
        r = fx.gmfetch_run(side, s.url, ['--retries', '1'])
        lines = s.lines()
    check_failed_module(fx, side, r, 'example.com/hello@v1.0.0', [
        'go: example.com/hello@v1.0.0: reading %s%s: 500 Internal Server Error' % (
            s.url, HELLO_ZIP)], p)
    expect(len(zip_lines(lines, HELLO_ZIP)) == 2, 'want 2 requests: %s' % zip_lines(
        lines, HELLO_ZIP), p)
    row('500 always for a zip, --retries 1', outcome(r, retried=True), lines, is_zip(HELLO_ZIP))


# ---------------------------------------------------------------------------------------------
# 2. Range not honoured, wrong answers

@case('server ignores Range (200): one stream per zip, and after the first zip no Range '
      'header is sent to that host again (-j 1)')
def no_range(fx, p):
    with Server(fx.proxy, '--no-range') as s:
        side = fx.side('no_range')
        r = fx.gmfetch_run(side, s.url, ['--jobs', '1'])
        check_ok(fx, side, r, p)
        lines = s.lines()
    zl = zip_lines(lines)
    expect(len(zl) == 1 and zl[0]['status'] == 200 and zl[0]['bytes'] == fx.blob_size,
           'want one 200 stream for the blob zip: %s' % zl, p)
    ranged = [l for l in lines if l['range'] != '-']
    expect(len(ranged) == 1, 'want one request with Range in the whole run: %s' % ranged, p)
    row('server ignores Range (200 to every ranged GET)', outcome(r), lines, is_zip(BLOB_ZIP),
        '%d Range header(s) in the run' % len(ranged))


@case('one shard answered 200 (a backend that ignores Range): that response becomes the '
      'body, the other shards are cancelled')
def range_ignored_midway(fx, p):
    with Server(fx.proxy, '--fault-full', '--fault-path', '*' + BLOB_ZIP, '--fault-skip', 1) as s:
        side = fx.side('range_midway')
        r = fx.gmfetch_run(side, s.url)
        check_ok(fx, side, r, p)
        lines = s.lines()
    note_zip(fx, lines, r)
    full = [l for l in zip_lines(lines) if l['status'] == 200]
    expect(len(full) == 1 and full[0]['bytes'] == fx.blob_size,
           'want one whole 200 body: %s' % zip_lines(lines), p)
    row('one shard answered 200 (whole body)', outcome(r), lines, is_zip(BLOB_ZIP))


def shard_error_case(name, flags, words, fault):
    def fn(fx, p):
        with Server(fx.proxy, *flags, '--fault-path', '*' + BLOB_ZIP, '--fault-skip', 1) as s:
            side = fx.side(name)
            r = fx.gmfetch_run(side, s.url, metrics_args(side))
            lines = s.lines()
        check_failed_module(fx, side, r, BLOB, words, p)
        expect(read_metrics(side).get('gmfetch_http_416_total') ==
               sum(1 for l in lines if l['status'] == 416),
               '416 answers counted %s, the server log has %d' % (
                   read_metrics(side).get('gmfetch_http_416_total'),
                   sum(1 for l in lines if l['status'] == 416)), p)
        # An error of that proxy, not of the network: never asked again.
        zl = zip_lines(lines)
        expect(len({l['range'] for l in zl}) == len(zl), 'a shard was asked twice: %s' % zl, p)
        row(fault, outcome(r) + ', nothing of it cached', lines, is_zip(BLOB_ZIP))
        # The rest of the run is not affected.
        mc = os.path.join(side, 'modcache')
        expect(module_traces(mc, 'example.com/hello', 'v1.0.0'),
               'other modules were not fetched', p)
    fn.__name__ = name
    return fn


case('206 with a Content-Range other than asked: an error of that proxy, never spliced')(
    shard_error_case('wrong_content_range', ['--shift-range', 1],
                     ['unexpected Content-Range'], '206 with a Content-Range 1 byte off'))
case('416 to a shard (not the probe): an error of that proxy')(
    shard_error_case('status_416', ['--fail-status', 416],
                     ['416 Requested Range Not Satisfiable'], '416 to a shard (not the probe)'))
case('206 whose Content-Length is 100 more than its Content-Range, then the connection '
     'closes: an error of that proxy')(
    shard_error_case('lying_length', ['--lie-length', 100],
                     ['does not match Content-Range'],
                     '206 with Content-Length larger than sent, connection closed'))
case('206 whose Content-Length is 10 less than the bytes sent, connection kept alive: an '
     'error of that proxy, the 10 stray bytes never reach the file or the next response')(
    shard_error_case('overrun_length', ['--overrun', 10],
                     ['does not match Content-Range'],
                     '206 with Content-Length smaller than sent, kept alive'))
case('complete length changes between responses (same ETag and Last-Modified): an error of '
     'that proxy')(
    shard_error_case('size_change', ['--size-change', 4096], ['size changed'],
                     'Content-Range total changes (ETag, Last-Modified unchanged)'))


@case('the wrong shard from proxy 1 with GOPROXY="p1|p2": p2 serves the zip whole, nothing '
      'of p1\'s bytes is kept')
def bad_proxy_falls_through(fx, p):
    with Server(fx.proxy, '--shift-range', 1, '--fault-path', '*' + BLOB_ZIP,
                '--fault-skip', 1) as bad, Server(fx.proxy) as good:
        side = fx.side('fallthrough')
        r = fx.gmfetch_run(side, bad.url + '|' + good.url)
        check_ok(fx, side, r, p)
        lines = good.lines()
    expect(len(zip_lines(lines)) >= 1, 'p2 was not asked for the zip', p)
    row('wrong shard from p1, GOPROXY="p1|p2"', outcome(r) + ' (zip from p2)', lines,
        is_zip(BLOB_ZIP), 'on p2')


# ---------------------------------------------------------------------------------------------
# 3. changed files, corrupted bytes

def alt_tree(fx, name, mutate):
    """A second version of the blob zip (same size, other bytes) for --alt-root."""
    alt = os.path.join(fx.work, name + '-alt')
    rmtree(alt)
    dst = os.path.join(alt, BLOB_ZIP.lstrip('/'))
    os.makedirs(os.path.dirname(dst))
    data = bytearray(read(os.path.join(fx.proxy, BLOB_ZIP.lstrip('/'))))
    mutate(data)
    with open(dst, 'wb') as f:
        f.write(data)
    os.utime(dst, (1000000000, 1000000000))  # another Last-Modified too
    return alt


def flip_middle(data):
    data[len(data) // 2] ^= 1  # inside data/blob.bin, stored: the zip stays well-formed


@case('the zip changes between the probe and the shards (If-Range honoured): the new file '
      'is taken whole (200), never spliced')
def changed_if_range(fx, p):
    alt = alt_tree(fx, 'changed1', flip_middle)
    with Server(fx.proxy, '--alt-root', alt, '--alt-requests', 1, '--fault-path',
                '*' + BLOB_ZIP) as s:
        side = fx.side('changed1')
        r = fx.gmfetch_run(side, s.url)
        check_ok(fx, side, r, p)
        lines = s.lines()
    note_zip(fx, lines, r)
    expect(any(l['status'] == 200 and l['ifrange'] != '-' for l in zip_lines(lines)),
           'want a 200 answer to a stale If-Range: %s' % zip_lines(lines), p)
    row('zip changes after the probe (If-Range honoured)', outcome(r) + ', new file whole',
        lines, is_zip(BLOB_ZIP))


@case('the same change behind a server that ignores If-Range: the other ETag on a 206 makes '
      'gmfetch fetch the file whole again')
def changed_etag(fx, p):
    alt = alt_tree(fx, 'changed2', flip_middle)
    with Server(fx.proxy, '--alt-root', alt, '--alt-requests', 1, '--fault-path',
                '*' + BLOB_ZIP, '--ignore-if-range') as s:
        side = fx.side('changed2')
        r = fx.gmfetch_run(side, s.url)
        check_ok(fx, side, r, p)
        lines = s.lines()
    note_zip(fx, lines, r)
    expect(any(l['status'] == 200 and l['range'] == '-' for l in zip_lines(lines)),
           'want a whole refetch without Range: %s' % zip_lines(lines), p)
    row('zip changes, server ignores If-Range (ETag differs)', outcome(r) + ', refetched whole',
        lines, is_zip(BLOB_ZIP))


@case('the same change with no ETag and no Last-Modified: nothing at the HTTP level can tell, '
      'the spliced zip fails go.sum (SECURITY ERROR), nothing is installed')
def changed_no_validator(fx, p):
    alt = alt_tree(fx, 'changed3', lambda d: d.__setitem__(100, d[100] ^ 1))
    with Server(fx.proxy, '--alt-root', alt, '--alt-requests', 1, '--fault-path',
                '*' + BLOB_ZIP, '--no-etag', '--no-last-modified') as s:
        side = fx.side('changed3')
        r = fx.gmfetch_run(side, s.url)
        lines = s.lines()
    check_failed_module(fx, side, r, BLOB, [], p)
    expect('SECURITY ERROR' in r.err or 'zip' in r.err, 'want a checksum/zip error: %r' % r, p)
    row('zip changes, no ETag nor Last-Modified', outcome(r) + ', nothing cached', lines,
        is_zip(BLOB_ZIP))


@case('corrupted bytes (a well-formed zip with one content byte flipped): go\'s checksum '
      'mismatch SECURITY ERROR, nothing of the module in the cache')
def corrupt_zip(fx, p):
    with Server(fx.proxy, '--corrupt-zip', '--fault-path', '*' + HELLO_ZIP) as s:
        side = fx.side('corrupt_zip')
        r = fx.gmfetch_run(side, s.url)
        lines = s.lines()
    check_failed_module(fx, side, r, 'example.com/hello@v1.0.0', [
        'verifying example.com/hello@v1.0.0: checksum mismatch', 'SECURITY ERROR'], p)
    row('well-formed zip with other contents', outcome(r) + ', nothing cached', lines,
        is_zip(HELLO_ZIP))


@case('one byte flipped in transit (CRC no longer matches): an error, nothing installed')
def corrupt_byte(fx, p):
    with Server(fx.proxy, '--corrupt-at', 5000000, '--fault-path', '*' + BLOB_ZIP) as s:
        side = fx.side('corrupt_byte')
        r = fx.gmfetch_run(side, s.url)
        lines = s.lines()
    check_failed_module(fx, side, r, BLOB, ['zip'], p)
    row('one byte flipped in transit', outcome(r) + ', nothing cached', lines, is_zip(BLOB_ZIP))


# ---------------------------------------------------------------------------------------------
# 4. redirects to storage

@case('.zip redirected to a storage path that refuses HEAD (403), --probe head: plain GET, '
      'and no more HEADs to that host')
def redirect_head_refused(fx, p):
    with Server(fx.proxy, '--redirect-zip', '--blob-deny-head') as s:
        side = fx.side('redirect_head')
        r = fx.gmfetch_run(side, s.url, ['--probe', 'head', '--jobs', '1'])
        check_ok(fx, side, r, p)
        lines = s.lines()
    heads = [l for l in lines if l['method'] == 'HEAD' and l['status'] == 403]
    expect(len(heads) == 1, 'want one refused HEAD in the run: %s' % heads, p)
    row('zip redirected to storage that refuses HEAD, --probe head', outcome(r), lines,
        lambda l: '.zip' in l['path'], '%d refused HEAD' % len(heads))


@case('.zip redirected to storage, default range probe: shards go to the final URL')
def redirect_range(fx, p):
    with Server(fx.proxy, '--redirect-zip') as s:
        side = fx.side('redirect_range')
        r = fx.gmfetch_run(side, s.url)
        check_ok(fx, side, r, p)
        lines = s.lines()
    zl = zip_lines(lines)
    expect(sum(1 for l in zl if l['status'] == 302) == 1 and
           sum(1 for l in zl if '/_blob/' in l['path']) >= 6,
           'want one redirect, then shards on /_blob/: %s' % zl, p)
    row('zip redirected to storage (range probe)', outcome(r), lines, is_zip(BLOB_ZIP))


# ---------------------------------------------------------------------------------------------
# 5. GOPROXY lists, compared with stock go

def normalize(text, side):
    return text.replace(side, '$SIDE')


def compare_with_go(fx, name, goproxy, p, args=('example.com/hello@v1.0.0',), env=None,
                    gm_args=('--retries', '0'), after_go=None):
    """Stock go and gmfetch on the same setup: same exit status, same stderr and stdout.
    after_go() is called between the two runs (e.g. to mark where go's requests end)."""
    side_go = fx.side(name + '-go', fresh=False)
    rg = fx.go_run(side_go, goproxy, list(args), env)
    if after_go:
        after_go()
    side = fx.side(name)
    rb = fx.gmfetch_run(side, goproxy, list(gm_args) + list(args), env)
    expect(rg.rc == rb.rc, '%s: exit go %s, gmfetch %s\ngo: %s\ngmfetch: %s' % (
        name, rg.rc, rb.rc, rg.err, rb.err), p)
    expect(normalize(rg.err, side_go) == normalize(rb.err, side),
           '%s: stderr differs\ngo:      %r\ngmfetch: %r' % (name, rg.err, rb.err), p)
    expect(normalize(rg.out, side_go) == normalize(rb.out, side),
           '%s: stdout differs\ngo:      %r\ngmfetch: %r' % (name, rg.out, rb.out), p)
    if rb.rc == 0:
        problems = trusted_problems(os.path.join(side, 'modcache'), fx.gosum())
        expect(not problems, '%s: %s' % (name, problems), p)
    same = rg.rc == rb.rc and normalize(rg.err, side_go) == normalize(rb.err, side)
    row('%s: GOPROXY=%s' % (name, re.sub(r'https?://([^@/]*@)?127\.0\.0\.1:\d+', 'URL',
                                         goproxy)),
        outcome(rb) + (', same as go' if same else ', DIFFERS from go'))
    rmtree(side_go)
    return rg, rb


@case('GOPROXY lists as go: "," falls through on 404/410 only, "|" on any error, off, '
      'file://; the error reported follows go\'s precedence (same exit and stderr as go)')
def proxy_lists(fx, p):
    with Server(fx.proxy, '--status', '/s500/*=500', '--status', '/s403/*=403',
                '--status', '/s410/*=410') as bad, Server(fx.proxy) as good:
        b, g = bad.url, good.url
        for name, goproxy in [
                ('404-comma', b + '/s404,' + g),
                ('410-comma', b + '/s410,' + g),
                ('500-comma', b + '/s500,' + g),
                ('403-comma', b + '/s403,' + g),
                ('500-pipe', b + '/s500|' + g),
                ('404-410', b + '/s404,' + b + '/s410'),
                ('410-off', b + '/s410,off'),
                ('500-pipe-404', b + '/s500|' + b + '/s404'),
                ('404-pipe-500', b + '/s404|' + b + '/s500'),
                ('500-pipe-off', b + '/s500|off'),
                ('off', 'off'),
                ('file', 'file://' + fx.proxy),
                ('file-missing', 'file:///nonexistent/proxy,' + g),
                ('file-missing-only', 'file:///nonexistent/proxy')]:
            compare_with_go(fx, 'list-' + name, goproxy, p)


# ---------------------------------------------------------------------------------------------
# 6. credentials

def make_cert(work):
    """A throw-away self-signed certificate for 127.0.0.1 (None without openssl)."""
    if not shutil.which('openssl'):
        return None
    d = os.path.join(work, 'tls')
    os.makedirs(d, exist_ok=True)
    cert, key = os.path.join(d, 'cert.pem'), os.path.join(d, 'key.pem')
    r = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout',
                        key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext',
                        'subjectAltName=IP:127.0.0.1'], capture_output=True, timeout=60)
    return (cert, key) if r.returncode == 0 else None


@case('.netrc credentials (NETRC, go\'s parser: macdef skipped) over https only, URL '
      'user:password, .netrc beats the URL, http:// credentials refused; no password printed, '
      'also not with -x (each compared with go)')
def credentials(fx, p):
    tls = make_cert(fx.work)
    if not tls:
        log('    (no openssl: https credential checks skipped)')
    netrc = os.path.join(fx.work, 'netrc')
    with open(netrc, 'w') as f:
        # go's parser skips the macro body up to the empty line: mallory is never used.
        f.write('machine other.example login bob password nope\n'
                'macdef init\nmachine 127.0.0.1 login mallory password evil\n\n'
                'machine 127.0.0.1 login alice password s3cret\n')
    nonetrc = {'NETRC': os.path.join(fx.work, 'no-such-netrc')}
    if tls:
        cert, key = tls
        with Server(fx.proxy, '--tls-cert', cert, '--tls-key', key, '--auth',
                    'alice:s3cret') as s:
            env = {'SSL_CERT_FILE': cert, 'NETRC': netrc}
            host = s.url[len('https://'):]
            compare_with_go(fx, 'netrc', s.url, p, env=env)
            users = {l['user'] for l in s.lines() if l['status'] != 401}
            expect(users == {'alice'}, 'want every request as alice: %s' % users, p)
            compare_with_go(fx, 'no-netrc', s.url, p, env=dict(env, **nonetrc))
            compare_with_go(fx, 'url-userinfo', 'https://alice:s3cret@' + host, p,
                            env=dict(env, **nonetrc))
            compare_with_go(fx, 'netrc-beats-url', 'https://alice:wrong@' + host, p, env=env)
            side = fx.side('netrc-x')
            for goproxy in (s.url, 'https://alice:s3cret@' + host):
                r = fx.gmfetch_run(side, goproxy, ['-x'], env)
                check_ok(fx, side, r, p)
                expect('s3cret' not in r.err and 'evil' not in r.err,
                       'a password in the -x output:\n' + r.err, p)
                expect('alice:s3cret' not in r.out, 'a password on stdout', p)
    with Server(fx.proxy, '--auth', 'alice:s3cret') as s:
        host = s.url[len('http://'):]
        # .netrc is for https only: plain http gets no credentials (401), like go.
        compare_with_go(fx, 'netrc-http', s.url, p, env={'NETRC': netrc})
        r = compare_with_go(fx, 'http-userinfo', 'http://alice:s3cret@' + host, p)[1]
        expect('refusing to pass credentials to insecure URL: http://alice:xxxxx@' in r.err,
               'want go\'s refusal: %r' % r.err, p)
        expect(not any(l['user'] != '-' for l in s.lines()), 'credentials went over http', p)
        side = fx.side('http-userinfo-x')
        r = fx.gmfetch_run(side, 'http://alice:s3cret@' + host, ['-x'])
        expect('s3cret' not in r.err, 'password in -x output: %r' % r.err, p)
        expect('insecure credentials' in r.err, 'want go\'s -x line: %r' % r.err, p)


# ---------------------------------------------------------------------------------------------
# 7. direct / GONOPROXY: handed to `go mod download -json mod@ver`

FAKE_GO = """#!/bin/sh
# Stands in for go's direct mode (a VCS fetch, impossible offline): records how gmfetch ran
# it, then lets the real go fetch the module from another proxy.
echo "$PWD|$*" >> "$GMF_GO_LOG"
if [ -f go.sum ]; then sed 's/^/  go.sum: /' go.sum >> "$GMF_GO_LOG"; fi
GONOPROXY= GOPRIVATE= GOPROXY="$GMF_REAL_PROXY" exec %s "$@"
"""


def fake_go(fx, name):
    bindir = os.path.join(fx.work, name + '-bin')
    os.makedirs(bindir, exist_ok=True)
    with open(os.path.join(bindir, 'go'), 'w') as f:
        f.write(FAKE_GO % fx.go)
    os.chmod(os.path.join(bindir, 'go'), 0o755)
    return bindir


def calls(logfile):
    out = []
    for line in (read(logfile, 'r') or '').splitlines():
        if not line.startswith('  go.sum: '):
            cwd, _, args = line.partition('|')
            out.append((cwd, args, []))
        elif out:
            out[-1][2].append(line[len('  go.sum: '):])
    return out


@case('GONOPROXY module: only it is handed to `go mod download -json mod@ver`, run outside '
      'the module (go.sum untouched) with the module\'s go.sum lines, said with -x; other '
      'modules from the proxy')
def gonoproxy(fx, p):
    bindir = fake_go(fx, 'gonoproxy')
    with Server(fx.proxy) as s, Server(fx.proxy) as origin:
        side = fx.side('gonoproxy')
        golog = os.path.join(fx.work, 'gonoproxy-go.log')
        env = {'GONOPROXY': 'example.com/hello', 'GMF_GO_LOG': golog,
               'GMF_REAL_PROXY': origin.url, 'PATH': bindir + os.pathsep + os.environ['PATH']}
        before = read(os.path.join(side, 'work', 'go.sum'))
        r = fx.gmfetch_run(side, s.url, ['-x'], env)
        check_ok(fx, side, r, p)
        expect(read(os.path.join(side, 'work', 'go.sum')) == before, 'go.sum changed', p)
        c = calls(golog)
        expect(len(c) >= 1 and all(x[1] == 'mod download -json -x example.com/hello@v1.0.0'
                                   for x in c), 'go calls: %s' % c, p)
        expect(all(not x[0].startswith(side) for x in c), 'go ran inside the module: %s' % c, p)
        expect(all(any(l.startswith('example.com/hello v1.0.0 h1:') for l in x[2]) for x in c),
               'go ran without the module\'s go.sum lines: %s' % c, p)
        expect('handed to the go command' in r.err and 'GONOPROXY' in r.err,
               '-x does not say so: %r' % r.err, p)
        expect(not any('/hello/' in l['path'] for l in s.lines()),
               'gmfetch asked the proxy for a GONOPROXY module', p)
    row('GONOPROXY module (handed to go mod download)', outcome(r), None)


@case('GOPROXY="<404 proxy>,direct": every module reaches direct and is handed to go (at '
      'most 4 at once)')
def direct_fallback(fx, p):
    bindir = fake_go(fx, 'direct')
    with Server(fx.proxy) as s, Server(fx.proxy) as origin:
        side = fx.side('direct')
        golog = os.path.join(fx.work, 'direct-go.log')
        env = {'GMF_GO_LOG': golog, 'GMF_REAL_PROXY': origin.url,
               'PATH': bindir + os.pathsep + os.environ['PATH']}
        r = fx.gmfetch_run(side, s.url + '/nothing-here,direct', [], env)
        check_ok(fx, side, r, p)
        mods = {x[1].split()[-1] for x in calls(golog)}
        expect(BLOB in mods and 'example.com/hello@v1.0.0' in mods,
               'go was not asked for every module: %s' % mods, p)
    row('GOPROXY="<404 proxy>,direct"', outcome(r) + ' (every module via go)', None)


@case('GONOPROXY module without a go command on PATH: a clear error for that module only')
def gonoproxy_no_go(fx, p):
    empty = os.path.join(fx.work, 'empty-bin')
    os.makedirs(empty, exist_ok=True)
    with Server(fx.proxy) as s:
        side = fx.side('nogo')
        env = {'GONOPROXY': 'example.com/hello', 'PATH': empty}
        # Explicit arguments: without them hello's go.mod is needed by the module graph, and
        # failing to load the graph fails the whole run (as in go).
        r = fx.gmfetch_run(side, s.url, ['example.com/hello@v1.0.0', BLOB], env)
    check_failed_module(fx, side, r, 'example.com/hello@v1.0.0', [
        'go: example.com/hello@v1.0.0: GONOPROXY/GOPRIVATE match: fetching it directly needs '
        'the go command, which is not on PATH'], p)
    expect(module_traces(os.path.join(side, 'modcache'), BLOB_PATH, BLOB_VERSION),
           'the other modules were not fetched', p)
    row('GONOPROXY module, no go command on PATH', outcome(r), None)


@case('GONOPROXY module whose go.sum line is wrong: go (given that line) refuses it, SECURITY '
      'ERROR, nothing installed')
def gonoproxy_badsum(fx, p):
    bindir = fake_go(fx, 'badsum')
    with Server(fx.proxy) as s, Server(fx.proxy) as origin:
        side = fx.side('gonoproxy-badsum')
        gosum = os.path.join(side, 'work', 'go.sum')
        text = read(gosum, 'r')
        bad = re.sub(r'^(example.com/hello v1.0.0) h1:\S+$',
                     r'\1 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', text, flags=re.M)
        with open(gosum, 'w') as f:
            f.write(bad)
        env = {'GONOPROXY': 'example.com/hello', 'GMF_GO_LOG': os.path.join(fx.work, 'bs.log'),
               'GMF_REAL_PROXY': origin.url, 'PATH': bindir + os.pathsep + os.environ['PATH']}
        r = fx.gmfetch_run(side, s.url, [], env)
    expect(r.rc == 1 and 'SECURITY ERROR' in r.err and 'checksum mismatch' in r.err,
           'want a SECURITY ERROR: %r' % r, p)
    left = [x for x in module_traces(os.path.join(side, 'modcache'), 'example.com/hello',
                                     'v1.0.0') if not x.endswith('.tmp')]
    expect(not left, 'hello left in the cache: %s' % left, p)
    row('GONOPROXY module with a wrong go.sum line', outcome(r) + ', nothing cached', None)


# ---------------------------------------------------------------------------------------------
# 8. Retry-After

def gap(lines, path):
    """Seconds between the first two requests for path, as the server saw them arrive."""
    t = [l['time'] for l in lines if l['path'].split('?')[0].endswith(path)]
    return t[1] - t[0] if len(t) >= 2 else None


@case('503 with "Retry-After: 2" once for a .info: the retry waits 2 s (not the 0.25 s '
      'backoff), then succeeds')
def retry_after_503(fx, p):
    path = '/example.com/hello/@v/v1.0.0.info'
    with Server(fx.proxy, '--fail-status', 503, '--retry-after', 2, '--fault-path',
                '*' + path) as s:
        side = fx.side('retry_after_503')
        r = fx.gmfetch_run(side, s.url)
        check_ok(fx, side, r, p)
        lines = s.lines()
    g = gap(lines, path)
    expect(g is not None and 1.95 <= g < 6, 'second request %s s after the first' % g, p)
    row('503 + Retry-After: 2 once on a .info', outcome(r, retried=True), lines, is_zip(path),
        'retry after %.2f s' % (g or -1))


@case('429 with Retry-After as an HTTP-date 3 s ahead, once for a zip shard: the retry '
      'waits until then (2-3 s: the date has 1 s resolution), then succeeds')
def retry_after_429_date(fx, p):
    with Server(fx.proxy, '--fail-status', 429, '--retry-after', 'date+3', '--fault-path',
                '*' + BLOB_ZIP, '--fault-skip', 1) as s:
        side = fx.side('retry_after_429')
        r = fx.gmfetch_run(side, s.url)
        check_ok(fx, side, r, p)
        lines = s.lines()
    zl = zip_lines(lines)
    bad = [l for l in zl if l['status'] == 429]
    again = [l for l in zl if bad and l['range'] == bad[0]['range'] and l['status'] == 206]
    g = again[0]['time'] - bad[0]['time'] if bad and again else None
    expect(g is not None and 1.9 <= g < 7,
           'the 429 shard was asked again %s s later: %s' % (g, zl), p)
    row('429 + Retry-After: <HTTP-date 3 s ahead> once on a shard', outcome(r, retried=True),
        lines, is_zip(BLOB_ZIP), 'retry after %.2f s' % (g or -1))


@case('503 with "Retry-After: 3600" always: more than a request may wait (60 s), so not '
      'retried: go\'s error at once (same exit and stderr as go, which never retries)')
def retry_after_too_long(fx, p):
    path = '/example.com/hello/@v/v1.0.0.info'
    with Server(fx.proxy, '--status', '*' + path + '=503', '--retry-after', 3600) as s:
        rg, rb = compare_with_go(fx, 'retry-after-3600', s.url, p, gm_args=())
        lines = s.lines()
    expect(rb.secs < 15, 'took %.1f s: waited for the Retry-After' % rb.secs, p)
    expect(len([l for l in lines if l['path'] == path]) == 2,
           'want one request from go and one from gmfetch: %s' % lines, p)
    MATRIX[-1] = ('503 + Retry-After: 3600 always on a .info', MATRIX[-1][1],
                  '1 req (gmfetch), %.2f s' % rb.secs)


# ---------------------------------------------------------------------------------------------
# 9. HTTP/2 through nginx: stream resets and GOAWAY

def h2_env(ng):
    return {'SSL_CERT_FILE': ng.ca_file}


@case('HTTP/2 via nginx (proxy_buffering off) in front of goproxy.py: the upstream cuts a '
      'shard mid-way, nginx resets the stream (RST_STREAM INTERNAL_ERROR, as CI sees from '
      'proxy.golang.org); gmfetch resumes that shard asking only for the missing bytes, '
      'bytes <= 1.1x the zip')
def h2_reset(fx, p):
    # --drop-delay: the upstream waits before cutting, so nginx has relayed all 500000 (or
    # 300000) bytes when it resets the stream, and a resume must start exactly there.
    for what, cut, flags in [('once', 500000, ['--fault-skip', 1]),
                             ('always', 300000, ['--fault-times', 1000])]:
        with Server(fx.proxy, '--fault-path', '*' + BLOB_ZIP, '--drop-after', cut,
                    '--drop-delay', 0.3, *flags) as up, Nginx(up, fx.work) as ng:
            side = fx.side('h2_reset_' + what)
            r = fx.gmfetch_run(side, ng.url, metrics_args(side), h2_env(ng))
            check_ok(fx, side, r, p)
            lines, nlines = up.lines(), ng.lines()
        # --drop-delay makes the bytes nginx relayed those the upstream sent.
        check_stats(side, lines, p)
        zl = zip_lines(lines)
        nz = [l for l in nlines if l['path'].endswith(BLOB_ZIP)]
        expect(nz and all(l['proto'] == 'HTTP/2.0' for l in nz), 'not HTTP/2: %s' % nz, p)
        # Per shard (by its last byte), the ranges asked must start ever later and end at the
        # shard's end: each resume asks for the bytes still missing, nothing twice.
        shards = {}
        for l in zl:
            a, b = map(int, l['range'][len('bytes='):].split('-'))
            shards.setdefault(b, []).append((a, l))
        resumes = 0
        for b, asks in shards.items():
            for (a0, l0), (a1, l1) in zip(asks, asks[1:]):
                resumes += 1
                expect(l0['bytes'] == cut and a1 == a0 + cut and l1['ifrange'] != '-',
                       'shard %d-%d cut after %d bytes, then asked from %d (If-Range %s)' % (
                           a0, b, l0['bytes'], a1, l1['ifrange']), p)
        expect(resumes >= 1, 'no resume: %s' % zl, p)
        total = sum(l['bytes'] for l in zl)
        expect(total <= 1.1 * fx.blob_size, '%d bytes for a %d byte zip' % (
            total, fx.blob_size), p)
        row('HTTP/2 stream reset mid-shard (%s), via nginx' % what, outcome(r, retried=True),
            lines, is_zip(BLOB_ZIP), '%d resumes, %.3fx the zip' % (resumes,
                                                                   total / fx.blob_size))


@case('HTTP/2 GOAWAY: nginx keepalive_requests 3 ends every connection after 3 streams; a '
      'run of the big consumer (6 modules, 24 MiB) completes on new connections, no error, '
      'nothing asked twice')
def h2_goaway(fx, p):
    fx.use_consumer('big')
    try:
        with Server(fx.proxy) as up, Nginx(up, fx.work, keepalive_requests=3) as ng:
            side = fx.side('h2_goaway')
            # No file split (their shards would use HTTP/1.1 connections): all on HTTP/2.
            r = fx.gmfetch_run(side, ng.url, ['--shard-threshold', '64M'], h2_env(ng),
                               shards=False)
            check_ok(fx, side, r, p)
            expect(r.err == '', 'stderr: %r' % r.err, p)
            lines, nlines = up.lines(), ng.lines()
    finally:
        fx.use_consumer('small')
    conns = {}
    for l in nlines:
        conns[l['conn']] = conns.get(l['conn'], 0) + 1
    expect(all(l['proto'] == 'HTTP/2.0' for l in nlines), 'not all HTTP/2', p)
    expect(max(conns.values()) <= 3, 'a connection served more than 3 streams: %s' % conns, p)
    expect(len(conns) >= len(nlines) / 3 and len(conns) >= 5,
           '%d requests on %d connections' % (len(nlines), len(conns)), p)
    for what, ls in (('nginx', nlines), ('upstream', lines)):
        seen = {}
        for l in ls:
            k = (l['method'], l['path'], l['range'])
            seen[k] = seen.get(k, 0) + 1
        twice = {k: n for k, n in seen.items() if n > 1}
        expect(not twice, 'asked twice (%s log): %s' % (what, twice), p)
    row('HTTP/2 GOAWAY after every 3 streams (nginx keepalive_requests 3), big consumer',
        outcome(r), lines, None, '%d connections' % len(conns))


# ---------------------------------------------------------------------------------------------
# 10. silence before the body

@case('a server that reads the request and never sends a status line: aborted after '
      '--timeout 1, retried once, then success; always silent: retried, then a clear error '
      'in bounded time')
def no_status_line(fx, p):
    path = '/example.com/hello/@v/v1.0.0.info'
    for times in (1, 1000):
        with Server(fx.proxy, '--no-response', '--stall-seconds', 30, '--fault-path',
                    '*' + path, '--fault-times', times) as s:
            side = fx.side('no_status_%d' % times)
            r = fx.gmfetch_run(side, s.url, ['--timeout', '1', '--retries', '1'])
            lines = s.lines(settle=0.05)
        reqs = [l for l in lines if l['path'] == path]
        expect(len(reqs) == 2, 'want 2 requests: %s' % reqs, p)
        # Two 1 s stall timeouts and a backoff (the server would stay silent for 30 s).
        expect(r.secs < 15, 'took %.1f s' % r.secs, p)
        if times == 1:
            check_ok(fx, side, r, p)
        else:
            check_failed_module(fx, side, r, 'example.com/hello@v1.0.0', [
                'go: example.com/hello@v1.0.0: Get "%s%s": no data received for 1 s' % (
                    s.url, path)], p)
        row('no status line (%s), --timeout 1 --retries 1' % ('once' if times == 1 else
                                                             'always'),
            outcome(r, retried=True), lines, is_zip(path), '%.1f s' % r.secs)


@case('a server that sends the headers of a zip and then nothing: aborted after --timeout 1, '
      'retried once, then success; always: retried, then a clear error in bounded time')
def headers_then_nothing(fx, p):
    for times in (1, 1000):
        # The server logs a stalled request when it wakes up (after 3 s), so the log is read
        # once it has every request.
        with Server(fx.proxy, '--stall-after', 0, '--stall-seconds', 3, '--fault-path',
                    '*' + HELLO_ZIP, '--fault-times', times) as s:
            side = fx.side('headers_only_%d' % times)
            r = fx.gmfetch_run(side, s.url, ['--timeout', '1', '--retries', '1'])
            lines = s.wait_lines(is_zip(HELLO_ZIP), 2)
        expect(r.secs < 15, 'took %.1f s' % r.secs, p)
        if times == 1:
            check_ok(fx, side, r, p)
        else:
            check_failed_module(fx, side, r, 'example.com/hello@v1.0.0', [
                'go: example.com/hello@v1.0.0: reading %s%s: no data received for 1 s' % (
                    s.url, HELLO_ZIP)], p)
        row('headers, then no body byte (%s), --timeout 1 --retries 1' % (
            'once' if times == 1 else 'always'), outcome(r, retried=True), lines,
            is_zip(HELLO_ZIP), '%.1f s' % r.secs)


# ---------------------------------------------------------------------------------------------
# 11. lying lengths on whole bodies, 401

@case('a .info whose Content-Length is 50 more than its body, then the connection closes: '
      'once, retried and fine; always, the module fails with "unexpected EOF" and nothing '
      'of it is cached')
def short_body_mem(fx, p):
    path = '/example.com/hello/@v/v1.0.0.info'
    for times in (1, 1000):
        with Server(fx.proxy, '--lie-length', 50, '--fault-path', '*' + path,
                    '--fault-times', times) as s:
            side = fx.side('short_body_%d' % times)
            r = fx.gmfetch_run(side, s.url, ['--retries', '2'])
            lines = s.lines()
        reqs = [l for l in lines if l['path'] == path]
        if times == 1:
            check_ok(fx, side, r, p)
            expect(len(reqs) == 2, 'want 2 requests: %s' % reqs, p)
        verdict = ''
        if times != 1:
            check_failed_module(fx, side, r, 'example.com/hello@v1.0.0',
                                ['go: example.com/hello@v1.0.0: ', 'unexpected EOF'], p)
            expect(len(reqs) == 3, 'want 3 requests (--retries 2): %s' % reqs, p)
            # go (which never retries) on a server of its own with the same fault.
            with Server(fx.proxy, '--lie-length', 50, '--fault-path', '*' + path,
                        '--fault-times', times) as sg:
                side_go = fx.side('short_body-go', fresh=False)
                rg = fx.go_run(side_go, sg.url)
                ge = rg.err.replace(sg.url[len('http://'):], 'HOST')
            be = r.err.replace(s.url[len('http://'):], 'HOST')
            rmtree(side_go)
            verdict = compare_known(ge, be, READ_ERROR, p)
        row('.info Content-Length 50 larger than sent, then close (%s)' % (
            'once' if times == 1 else 'always'), outcome(r, retried=True) + verdict, lines,
            is_zip(path))


# Known difference (run.c's message, not the transfer engine): a body that breaks after a
# good status is, in go 1.19's proxy.go, url.Error{Op: "read", URL: path.Join(<proxy URL>,
# "@v/<version><ext>")} -- `read "http:/HOST/@v/v1.0.0.info": unexpected EOF` (path.Join
# turns "http://" into "http:/"); run.c's response_error() prints `reading <URL>: <reason>`.
READ_ERROR = (re.compile(r'read "[^"]*": '), re.compile(r'reading \S+: '))


def compare_known(go_err, gm_err, known, p):
    """', same as go' when the two stderr texts are equal; ', XFAIL ...' when they differ only
    in the known way (go's form matching known[0], gmfetch's known[1]); else a problem."""
    if go_err == gm_err:
        return ', same as go'
    expect(known[0].sub('', go_err) == known[1].sub('', gm_err) and known[0].search(go_err)
           and known[1].search(gm_err),
           'stderr differs from go\'s\ngo:      %r\ngmfetch: %r' % (go_err, gm_err), p)
    NOTES.append('XFAIL (run.c message form): go %r, gmfetch %r' % (go_err, gm_err))
    return '; XFAIL: go says `%s`' % short_err(go_err)


@case('a go.mod whose Content-Length is 10 short of the bytes sent on a kept-alive '
      'connection: the truncated go.mod fails go.sum exactly as in go (the stray bytes do not '
      'break the next request on that connection)')
def overrun_mod(fx, p):
    path = '/example.com/hello/@v/v1.0.0.mod'
    with Server(fx.proxy, '--overrun', 10, '--fault-path', '*' + path) as sg, \
            Server(fx.proxy, '--overrun', 10, '--fault-path', '*' + path) as sb:
        side_go = fx.side('overrun-go', fresh=False)
        rg = fx.go_run(side_go, sg.url)
        side = fx.side('overrun')
        rb = fx.gmfetch_run(side, sb.url)
        lines = sb.lines()
    # go's net/http logs the stray bytes ("Unsolicited response received on idle HTTP
    # channel ...") on stderr before the error; the error itself must be the same.
    go_err = '\n'.join(l for l in rg.err.splitlines() if not l.startswith('Unsolicited'))
    expect(rg.rc == rb.rc == 1, 'exit go %s, gmfetch %s' % (rg.rc, rb.rc), p)
    expect(normalize(go_err.strip(), side_go) == normalize(rb.err.strip(), side),
           'stderr differs\ngo:      %r\ngmfetch: %r' % (go_err, rb.err), p)
    check_failed_module(fx, side, rb, 'example.com/hello@v1.0.0', ['SECURITY ERROR'], p)
    rmtree(side_go)
    row('go.mod Content-Length 10 smaller than sent, kept alive', outcome(rb) +
        (', same as go' if go_err.strip() == rb.err.strip() else ''), lines, is_zip(path))


@case('401 without credentials (everything, or only the zips): the same exit status and '
      'stderr as stock go, and nothing of the module installed')
def unauthorized(fx, p):
    for name, flags, args in [
            ('401-all', ['--auth', 'alice:s3cret'], ()),
            ('401-zip', ['--auth', 'alice:s3cret', '--auth-path', '*.zip'],
             ('example.com/hello@v1.0.0',))]:
        with Server(fx.proxy, *flags) as s:
            n_go = []
            rg, rb = compare_with_go(fx, name, s.url, p, args=args, gm_args=(),
                                     after_go=lambda: n_go.append(len(s.lines())))
            lines = s.lines()
        expect(rb.rc == 1, '%s: exit %s' % (name, rb.rc), p)
        # A 401 will not change: gmfetch (default --retries) asks each URL once, as go does.
        mine = [l['path'] for l in lines[n_go[0]:]]
        twice = sorted({x for x in mine if mine.count(x) > 1})
        expect(not twice, '%s: asked again after a 401: %s' % (name, twice), p)
        MATRIX[-1] = MATRIX[-1][:2] + ('%d req (gmfetch), %d (go)' % (len(mine), n_go[0]),)
        mc = os.path.join(fx.work, 'side', 'modcache')
        for mod in ('example.com/hello@v1.0.0', BLOB):
            left = module_traces(mc, *mod.split('@'))
            expect(not left, '%s: %s left in the cache: %s' % (name, mod, left), p)
        expect(not stray_temps(mc), '%s: temp files %s' % (name, stray_temps(mc)), p)
        expect(all(l['status'] == 401 for l in lines if l['path'].endswith('.zip')),
               '%s: a zip was served' % name, p)


# ---------------------------------------------------------------------------------------------

def main(argv, cases=None, title='faults', doc=None):
    cases = CASES if cases is None else cases
    ap = argparse.ArgumentParser(description=(doc or __doc__).splitlines()[0])
    ap.add_argument('--cache-dir', help='keep the proxy tree and consumer module here')
    ap.add_argument('--case', action='append', default=[])
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--matrix', action='store_true',
                    help='print the fault matrix (fault | outcome | requests/bytes) as measured')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--no-skip', action='store_true',
                    help='fail instead of exiting 77 when go or the x/mod source is missing')
    a = ap.parse_args(argv)
    if a.list:
        for name, desc, _ in cases:
            log('%-24s %s' % (name, desc))
        return 0
    unknown = set(a.case) - {c[0] for c in cases}
    if unknown:
        log('unknown case(s): %s' % ' '.join(sorted(unknown)))
        return 2
    selected = [c for c in cases if not a.case or c[0] in a.case]
    os.umask(0o022)
    # meson's timeout sends SIGTERM: leave through the finally blocks, which stop the
    # servers and remove the work tree.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    work = tempfile.mkdtemp(prefix='gmfetch-%s-' % title)
    failed, passed, skipped = [], 0, []
    t_start = time.monotonic()
    try:
        try:
            fx = Fixture(a.cache_dir or os.path.join(work, 'cache'), work)
        except Skip as e:
            log('%s: %s' % ('FAIL' if a.no_skip else 'SKIP', e))
            return 1 if a.no_skip else SKIP
        for name, desc, fn in selected:
            t0 = time.monotonic()
            problems = []
            skip = None
            try:
                fn(fx, problems)
            except CaseSkip as e:
                skip = str(e)
                if a.no_skip:
                    problems.append('cannot run: %s' % e)
            except Exception as e:  # a broken fixture fails this case, not the others
                problems.append('harness error: %s: %s' % (type(e).__name__, e))
            verdict = 'FAIL' if problems else 'skip' if skip else 'ok  '
            log('%s %-24s %5.1fs  %s' % (verdict, name, time.monotonic() - t0,
                                         skip or (desc if a.verbose else '')))
            if skip and not problems:
                skipped.append(name)
                continue
            for x in problems:
                log('    ' + str(x).replace('\n', '\n    '))
            if a.verbose:
                for x in NOTES:
                    log('    measured: ' + x)
            del NOTES[:]
            if problems:
                failed.append(name)
            else:
                passed += 1
            rmtree(os.path.join(work, name))
    finally:
        rmtree(work)
    if a.matrix:
        print_matrix(title)
    log('%s finished in %.1fs: %d passed, %d failed%s%s' % (
        title, time.monotonic() - t_start, passed, len(failed),
        (' (' + ' '.join(failed) + ')') if failed else '',
        ', %d skipped (%s)' % (len(skipped), ' '.join(skipped)) if skipped else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
