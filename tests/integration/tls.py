#!/usr/bin/env python3
"""TLS tests: certificate verification is always on, and trust comes from where go takes it.

An HTTPS GOPROXY (tests/server/nginx.py: a throw-away CA and a server certificate for
IP:127.0.0.1, as the e2e tests use) serves example.com/hello v1.0.0 (tests/data/zips/hello.zip).
Every case runs `gmfetch -json example.com/hello@v1.0.0` and stock `go mod download -json
example.com/hello@v1.0.0` side by side with the same environment, and checks:
  * gmfetch succeeds exactly when go does (go 1.19's crypto/x509 root_unix.go is the oracle:
    SSL_CERT_FILE replaces the default bundle, SSL_CERT_DIR is a ':'-separated list of
    directories whose every file is read, hashed names or not; a file that cannot be read
    is skipped, the directories are still used);
  * go itself does what the case expects (so a broken setup cannot make both pass);
  * a failure exits 1 with a message naming the certificate problem, and leaves nothing of
    the module in the cache (no .info/.mod/.zip, no extracted directory).
Cases: trusted CA file; no trust setting (system roots only); another CA; SSL_CERT_DIR with
the CA under a plain name, with an `openssl rehash` link, as the second entry of a list;
SSL_CERT_FILE naming a missing file next to a good SSL_CERT_DIR; hostname mismatch
(https://localhost:PORT for a certificate of IP:127.0.0.1).

gmfetch has no switch that turns verification off (see --help), so none is tested.

Usage: tls.py [--no-skip] [--keep] [--case NAME]... [-v]
Exit status: 0 passed, 1 failed, 77 skipped (gmfetch, go, nginx or openssl missing).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
DATA = os.environ.get('GMFETCH_TEST_DATA') or os.path.join(TESTS, 'data')
SKIP = 77
CMD_TIMEOUT = 60
BUDGET = 240   # whole run; meson's timeout is 300 s

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TESTS, 'server'))
import nginx  # noqa: E402  (tests/server/nginx.py)

MOD = 'example.com/hello'
VER = 'v1.0.0'
HELLO_MOD = 'module example.com/hello\n\ngo 1.17\n'
VERBOSE = False


def log(msg):
    print(msg, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=CMD_TIMEOUT, **kw)


def make_tree(root):
    d = os.path.join(root, MOD, '@v')
    os.makedirs(d)
    shutil.copyfile(os.path.join(DATA, 'zips', 'hello.zip'), os.path.join(d, VER + '.zip'))
    with open(os.path.join(d, VER + '.mod'), 'w') as f:
        f.write(HELLO_MOD)
    with open(os.path.join(d, VER + '.info'), 'w') as f:
        f.write('{"Version":"%s","Time":"2022-01-01T00:00:00Z"}' % VER)
    with open(os.path.join(d, 'list'), 'w') as f:
        f.write(VER + '\n')


def make_other_ca(d):
    """A second CA, unrelated to the server's."""
    run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
         '-nodes', '-keyout', os.path.join(d, 'other.key'), '-out', os.path.join(d, 'other.pem'),
         '-days', '2', '-subj', '/CN=gmfetch tls test other CA',
         '-addext', 'basicConstraints=critical,CA:TRUE']).check_returncode()
    return os.path.join(d, 'other.pem')


class Env:
    def __init__(self, work, gmfetch, go):
        self.work, self.gmfetch, self.go = work, gmfetch, go
        self.main = os.path.join(work, 'main')
        os.makedirs(self.main)
        with open(os.path.join(self.main, 'go.mod'), 'w') as f:
            f.write('module example.com/tlstest\n\ngo 1.17\n')
        self.n = 0

    def env(self, side, goproxy, tls):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('GO') and k.upper() not in (
                   'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY',
                   'ALL_PROXY', 'CURL_CA_BUNDLE', 'NETRC')}
        env.update(GOPROXY=goproxy, GOSUMDB='off', GOFLAGS='-mod=mod', GOENV='off',
                   GOMODCACHE=os.path.join(side, 'modcache'),
                   GOPATH=os.path.join(side, 'gopath'), GOCACHE=os.path.join(side, 'gocache'),
                   HOME=os.path.join(side, 'home'), NETRC=os.path.join(side, 'no-netrc'),
                   GO111MODULE='on')
        env.update(tls)
        return env

    def side(self, name):
        self.n += 1
        d = os.path.join(self.work, '%02d-%s' % (self.n, name))
        os.makedirs(os.path.join(d, 'home'))
        return d

    def fetch(self, name, goproxy, tls):
        """(go result, gmfetch result, gmfetch side dir)"""
        res = []
        for who, cmd in (('go', [self.go, 'mod', 'download', '-json', MOD + '@' + VER]),
                         ('gmfetch', [self.gmfetch, '-json', MOD + '@' + VER])):
            side = self.side(name + '-' + who)
            r = run(cmd, cwd=self.main, env=self.env(side, goproxy, tls))
            res.append((r, side))
            if VERBOSE:
                log('    %s: exit %d\n%s%s' % (who, r.returncode, r.stdout, r.stderr))
        return res[0][0], res[1][0], res[1][1]


def cache_files(side):
    """Every file of the module in the cache (download dir and extracted tree)."""
    out = []
    base = os.path.join(side, 'modcache')
    for d in (os.path.join(base, 'cache', 'download', MOD, '@v'),
              os.path.join(base, MOD + '@' + VER)):
        for dirpath, _, files in os.walk(d):
            out += [os.path.relpath(os.path.join(dirpath, f), base) for f in files]
    return sorted(f for f in out if not f.endswith('.lock'))


def check_case(e, name, goproxy, tls, want_ok, want_words):
    go_r, gm_r, side = e.fetch(name, goproxy, tls)
    problems = []
    go_ok, gm_ok = go_r.returncode == 0, gm_r.returncode == 0
    if go_ok != want_ok:
        problems.append('stock go %s, the case expects %s (exit %d):\n%s%s' % (
            'succeeded' if go_ok else 'failed', 'success' if want_ok else 'failure',
            go_r.returncode, go_r.stdout[-2000:], go_r.stderr[-2000:]))
    if gm_ok != go_ok:
        problems.append('gmfetch %s where go %s (exit %d):\n%s%s' % (
            'succeeded' if gm_ok else 'failed', 'succeeded' if go_ok else 'failed',
            gm_r.returncode, gm_r.stdout[-2000:], gm_r.stderr[-2000:]))
    files = cache_files(side)
    if gm_ok:
        for want in ('cache/download/%s/@v/%s.zip' % (MOD, VER),
                     'cache/download/%s/@v/%s.info' % (MOD, VER),
                     '%s@%s/hello.go' % (MOD, VER)):
            if want not in files:
                problems.append('gmfetch succeeded but %s is missing: %s' % (want, files))
    else:
        if gm_r.returncode != 1:
            problems.append('gmfetch exit %d, want 1' % gm_r.returncode)
        text = (gm_r.stdout + gm_r.stderr).lower()
        if not any(w in text for w in want_words):
            problems.append('gmfetch error does not name the problem (want one of %s):\n%s%s'
                            % (want_words, gm_r.stdout[-2000:], gm_r.stderr[-2000:]))
        # A -json failure may leave the lock file only; nothing go would trust.
        if files:
            problems.append('failed fetch left files in the cache: %s' % files)
    status = 'ok' if not problems else 'FAIL'
    log('%-4s %-22s go %s, gmfetch %s' % (status, name, 'ok' if go_ok else 'failed',
                                           'ok' if gm_ok else 'failed: ' + first_error(gm_r)))
    for p in problems:
        log('     ' + p.replace('\n', '\n     '))
    return not problems


def first_error(r):
    for line in (r.stderr + r.stdout).splitlines():
        if 'certificate' in line.lower() or 'ssl' in line.lower() or 'error' in line.lower():
            return line.strip()[:200]
    return (r.stderr.strip().splitlines() or [''])[-1][:200]


def main(argv):
    global VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--no-skip', action='store_true')
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('--case', action='append', default=[])
    ap.add_argument('-v', action='store_true')
    a = ap.parse_args(argv)
    VERBOSE = a.v

    def skip(why):
        log('SKIP: ' + why)
        return 1 if a.no_skip else SKIP

    gmfetch = os.environ.get('GMFETCH_BIN')
    if not gmfetch or not os.access(gmfetch, os.X_OK):
        return skip('GMFETCH_BIN is not an executable: %r' % gmfetch)
    go = shutil.which('go')
    if not go:
        return skip('go not found')
    if not os.access(nginx.NGINX, os.X_OK) or not shutil.which('openssl'):
        return skip('nginx or openssl not found')

    start = time.monotonic()
    work = tempfile.mkdtemp(prefix='gmfetch-tls-')
    srv = None
    ok = True
    try:
        root = os.path.join(work, 'proxy')
        make_tree(root)
        srv = nginx.NginxServer(root, workdir=os.path.join(work, 'nginx'),
                                max_seconds=BUDGET + 30)
        srv.start()
        ca = srv.ca_file
        other = make_other_ca(work)
        # SSL_CERT_DIR variants: the CA under a plain name (go reads every file), and the
        # same directory after `openssl rehash` (the <hash>.0 link OpenSSL's lookup needs).
        plain_dir = os.path.join(work, 'certs-plain')
        hashed_dir = os.path.join(work, 'certs-hashed')
        for d in (plain_dir, hashed_dir):
            os.makedirs(d)
            shutil.copyfile(ca, os.path.join(d, 'test-ca.pem'))
        run(['openssl', 'rehash', hashed_dir]).check_returncode()
        port = srv.https_url.rsplit(':', 1)[1]
        url = srv.https_url
        words = ('certificate', 'ssl', 'x509', 'tls')
        cases = [
            ('trusted-file', url, {'SSL_CERT_FILE': ca}, True),
            ('system-roots-only', url, {}, False),
            ('other-ca', url, {'SSL_CERT_FILE': other}, False),
            ('dir-hashed', url, {'SSL_CERT_DIR': hashed_dir}, True),
            ('dir-list', url, {'SSL_CERT_DIR': '/nonexistent-gmfetch-dir:' + hashed_dir},
             True),
            ('dir-plain-name', url, {'SSL_CERT_DIR': plain_dir}, True),
            ('file-missing-dir-ok', url,
             {'SSL_CERT_FILE': os.path.join(work, 'no-such.pem'), 'SSL_CERT_DIR': hashed_dir},
             True),
            ('other-file-dir-ok', url, {'SSL_CERT_FILE': other, 'SSL_CERT_DIR': hashed_dir},
             True),
            ('hostname-mismatch', 'https://localhost:' + port, {'SSL_CERT_FILE': ca}, False),
        ]
        for name, goproxy, tls, want_ok in cases:
            if a.case and name not in a.case:
                continue
            if time.monotonic() - start > BUDGET:
                log('FAIL %s: not started, time budget of %d s spent' % (name, BUDGET))
                ok = False
                continue
            e = Env(os.path.join(work, 'case-' + name), gmfetch, go)
            ok = check_case(e, name, goproxy, tls, want_ok, words) and ok
    finally:
        if srv:
            srv.stop(keep_dir=a.keep)
        if a.keep:
            log('kept %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    log('tls: %s (%.0f s)' % ('passed' if ok else 'FAILED', time.monotonic() - start))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
