#!/usr/bin/env python3
"""The fleet recipe: gmfetch and go through docs/fleet/goproxy-cache.conf, the caching nginx.

The shipped config is used as it is, with only its upstream (proxy.golang.org becomes a
tests/server/goproxy.py that answers every .zip with a 302 to a second goproxy.py standing in
for the storage, as proxy.golang.org does), its two ports and its cache directory swapped.
Then, each runner on an empty GOMODCACHE:

  1. gmfetch (1 MiB Range shards of the 6 MiB blob) fills the cache: it succeeds, its module
     cache verifies (`go mod verify`, offline `go build`), the storage was asked only for
     whole 4 MiB slices (nginx's Range, slice-aligned), each at most once, and never for a
     whole zip;
  2. a second gmfetch runner: succeeds and verifies with no request reaching the upstream or
     the storage; its Range requests were answered 206 from the cache;
  3. stock `go mod download` (no Range): the same, the zips assembled from the cached slices.

Usage: fleet.py [--cache-dir DIR] [-v]
Exit status: 0 passed, 1 failed, 77 skipped (go, nginx or its slice module missing).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'server'))
import faults  # noqa: E402  (the fixture: proxy tree, consumer, goproxy.py servers, checks)
import nginx  # noqa: E402  (NGINX, free_port)

CONF = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'docs', 'fleet',
                    'goproxy-cache.conf')
SLICE = 4 << 20

MAIN = """\
worker_processes 1;
{user}
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
http {{
    log_format fleet '$request_method $uri range="$http_range" $status $body_bytes_sent '
                     '$upstream_cache_status';
    access_log {d}/access.log fleet;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    include {d}/goproxy-cache.conf;
}}
"""


def render(text, upstream, front, hop, cache):
    """The shipped config with the test's upstream, ports and cache directory.  Every swap
    must hit, so a change of the shipped file cannot leave the test on the real internet."""
    swaps = [('https://proxy.golang.org', upstream), ('listen 8080;', 'listen 127.0.0.1:%d;' %
                                                       front),
             ('127.0.0.1:8079', '127.0.0.1:%d' % hop), ('/var/cache/nginx/goproxy', cache)]
    for old, new in swaps:
        if old not in text:
            raise RuntimeError('%s no longer contains %r' % (CONF, old))
        text = text.replace(old, new)
    if re.search(r'proxy_pass\s+https?://(?!127\.0\.0\.1)', text):
        raise RuntimeError('rendered config still points outside loopback')
    return text


class CacheNginx:
    def __init__(self, upstream, workdir):
        self.dir = workdir
        for sub in ('tmp', 'cache'):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.port, hop = nginx.free_port(), nginx.free_port()
        with open(CONF) as f:
            conf = render(f.read(), upstream, self.port, hop, os.path.join(self.dir, 'cache'))
        with open(os.path.join(self.dir, 'goproxy-cache.conf'), 'w') as f:
            f.write(conf)
        main = os.path.join(self.dir, 'nginx.conf')
        user = 'user root root;' if os.geteuid() == 0 else ''
        with open(main, 'w') as f:
            f.write(MAIN.format(user=user, d=self.dir))
        self.access_log = os.path.join(self.dir, 'access.log')
        self.proc = subprocess.Popen(
            ['timeout', '-k', '5', '600', nginx.NGINX, '-p', self.dir, '-c', main,
             '-e', os.path.join(self.dir, 'error.log')],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)
        self.url = 'http://127.0.0.1:%d' % self.port
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('nginx exited: %s' % self.proc.stderr.read().decode())
            if nginx.NginxServer._listening(self.port) and nginx.NginxServer._listening(hop):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError('nginx did not start')

    def lines(self):
        out = []
        text = faults.read(self.access_log, 'r') or ''
        for line in text.splitlines():
            m = re.match(r'(\S+) (\S+) range="([^"]*)" (\d+) (\d+) (\S+)$', line)
            if m:
                out.append(dict(method=m.group(1), path=m.group(2), range=m.group(3),
                                status=int(m.group(4)), bytes=int(m.group(5)),
                                cache=m.group(6)))
        return out

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.proc.stderr.close()


def runner(fx, name, goproxy, tool, problems):
    side = fx.side(name)
    r = (fx.gmfetch_run(side, goproxy) if tool == 'gmfetch' else fx.go_run(side, goproxy))
    if not faults.expect(r.rc == 0, '%s: %s failed: %r' % (name, tool, r), problems):
        return
    problems += ['%s: %s' % (name, p) for p in fx.verify(side)]
    problems += ['%s: %s' % (name, p)
                 for p in faults.trusted_problems(os.path.join(side, 'modcache'), fx.gosum())]


def slice_ranges(size):
    return {'bytes=%d-%d' % (o, o + SLICE - 1) for o in range(0, size, SLICE)}


def run(fx, work, verbose):
    problems = []
    with faults.Server(fx.proxy, logdir=work) as storage, \
            faults.Server(fx.proxy, '--redirect', '*.zip=' + storage.url, logdir=work) as up:
        cache = CacheNginx(up.url, os.path.join(work, 'nginx'))
        try:
            # 1. the first runner fills the cache
            runner(fx, 'runner 1', cache.url, 'gmfetch', problems)
            st, ul = storage.lines(), up.lines()
            blob = [l for l in st if l['path'].split('?')[0].endswith(faults.BLOB_ZIP)]
            faults.expect(blob, 'runner 1: the storage never saw the blob', problems)
            want = slice_ranges(fx.blob_size)
            got = [l['range'] for l in blob]
            faults.expect(set(got) == want and len(got) == len(want),
                          'runner 1: storage asked for %s, want each of the 4 MiB slices %s '
                          'once' % (sorted(got), sorted(want)), problems)
            zips = [l for l in st if l['path'].endswith('.zip')]
            faults.expect(all(l['range'] not in ('', '-') and l['status'] == 206 for l in zips),
                          'runner 1: a zip was fetched whole from the storage: %s' % zips,
                          problems)
            faults.expect(all(l['status'] == 302 for l in ul if l['path'].endswith('.zip')),
                          'runner 1: the upstream served a zip itself', problems)
            front = cache.lines()
            shards = [l for l in front if l['path'].endswith(faults.BLOB_ZIP)]
            faults.expect(len(shards) >= 6 and all(l['status'] == 206 for l in shards),
                          'runner 1: gmfetch\'s blob shards were not answered 206: %s' % shards,
                          problems)
            if verbose:
                faults.log('  runner 1: %d upstream, %d storage requests; storage ranges %s' %
                           (len(ul), len(st), sorted(got)))

            # 2, 3. later runners are served from the cache alone
            for name, tool in (('runner 2', 'gmfetch'), ('runner 3', 'go')):
                n_front = len(cache.lines())
                runner(fx, name, cache.url, tool, problems)
                st2, ul2 = storage.lines(), up.lines()
                faults.expect(len(st2) == len(st) and len(ul2) == len(ul),
                              '%s (%s): %d new upstream and %d new storage requests, want 0' %
                              (name, tool, len(ul2) - len(ul), len(st2) - len(st)), problems)
                mine = cache.lines()[n_front:]
                faults.expect(mine and all(l['cache'] == 'HIT' for l in mine if l['status'] in
                                           (200, 206)),
                              '%s (%s): not all answers came from the cache: %s' %
                              (name, tool, [l for l in mine if l['cache'] != 'HIT']), problems)
                if tool == 'gmfetch':
                    ranged = [l for l in mine if l['range'] and l['path'].endswith('.zip')]
                    faults.expect(ranged and all(l['status'] == 206 for l in ranged),
                                  '%s: Range requests not answered 206: %s' % (name, ranged),
                                  problems)
                if verbose:
                    faults.log('  %s (%s): %d requests to the cache, all hits' %
                               (name, tool, len(mine)))
        finally:
            cache.stop()
    return problems


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cache-dir')
    ap.add_argument('--no-skip', action='store_true', help='missing tools fail the test')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args(argv)
    skip = 1 if a.no_skip else faults.SKIP
    if not os.access(nginx.NGINX, os.X_OK):
        faults.log('skip: no nginx at %s' % nginx.NGINX)
        return skip
    v = subprocess.run([nginx.NGINX, '-V'], capture_output=True, text=True)
    if 'http_slice_module' not in v.stderr:
        faults.log('skip: this nginx has no slice module')
        return skip
    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix='gmfetch-fleet-')
    try:
        try:
            fx = faults.Fixture(a.cache_dir or os.path.join(work, 'cache'), work)
        except faults.Skip as e:
            faults.log('skip: %s' % e)
            return skip
        problems = run(fx, work, a.verbose)
    finally:
        faults.rmtree(work)
    for p in problems:
        faults.log('FAIL ' + p)
    faults.log('fleet finished in %.1fs: %s' % (time.monotonic() - t0,
                                                 'FAIL' if problems else 'ok'))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
