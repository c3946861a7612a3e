#!/usr/bin/env python3
"""Concurrency: gmfetch next to another gmfetch, or next to stock go, on one GOMODCACHE.

Two processes start at (nearly) the same time on an empty shared GOMODCACHE against
tests/server/goproxy.py, throttled so that their downloads overlap: two gmfetch runs (in two
copies of the consumer module, and in the same module directory), gmfetch with
`go mod download`, gmfetch with `go build` (GOFLAGS=-mod=mod).  Both must succeed, and the
cache must verify afterwards (`go mod verify`, offline `go build`, every ziphash, zip and
tree hashing to go.sum).  The start offsets vary so either side may take a version lock
first; a run that hangs (two processes waiting on each other's locks) fails by timeout.

Usage: concurrent.py [--cache-dir DIR] [-v]
Exit status: 0 passed, 1 failed, 77 skipped (go or the golang.org/x/mod source missing).
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
from faults import log, rmtree, stray_temps, trusted_problems  # noqa: E402

TIMEOUT = 60


def launch(fx, who, side, wd, goproxy):
    env = fx.env(side, goproxy)
    if who == 'gmfetch':
        cmd = [fx.gmfetch]
    elif who == 'go-download':
        cmd = [fx.go, 'mod', 'download']
    else:  # go-build: loads the module graph and fetches what the build needs
        env['GOFLAGS'] = '-mod=mod'
        cmd = [fx.go, 'build', './...']
    return subprocess.Popen(cmd, cwd=wd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def finish(p):
    try:
        out, err = p.communicate(timeout=TIMEOUT)
        return p.returncode, err.decode(errors='replace')
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return 'timeout', err.decode(errors='replace')


def pair(fx, server, a, b, offset, same_dir, verbose, server_b=None):
    """Run a and b on one cache, b offset seconds after a; return problems."""
    server_b = server_b or server
    side = fx.side('pair')
    wd_a = os.path.join(side, 'work')
    wd_b = wd_a
    if not same_dir:
        wd_b = os.path.join(side, 'work2')
        shutil.copytree(wd_a, wd_b)
    gosum_before = faults.read(os.path.join(wd_a, 'go.sum'))
    t0 = time.monotonic()
    pa = launch(fx, a, side, wd_a, server.url)
    time.sleep(offset)
    pb = launch(fx, b, side, wd_b, server_b.url)
    ra, rb = finish(pa), finish(pb)
    took = time.monotonic() - t0
    label = '%s + %s%s (+%.2fs)' % (a, b, ' in one module' if same_dir else '', offset)
    if verbose:
        log('    %s: exit %s, %s in %.2fs' % (label, ra[0], rb[0], took))
    problems = []
    for who, (rc, err) in ((a, ra), (b, rb)):
        if rc != 0:
            problems.append('%s: %s exited %s:\n%s' % (label, who, rc, err))
    if problems:
        return problems
    mc = os.path.join(side, 'modcache')
    problems += ['%s: %s' % (label, x) for x in fx.verify(side)]
    problems += ['%s: %s' % (label, x) for x in trusted_problems(mc, fx.gosum())]
    left = stray_temps(mc)
    if left:
        problems.append('%s: temp files left: %s' % (label, left))
    for wd in {wd_a, wd_b}:
        if faults.read(os.path.join(wd, 'go.sum')) != gosum_before:
            problems.append('%s: go.sum changed in %s' % (label, wd))
    return problems


def crossing(fx, work, verbose):
    """Two gmfetch runs that take two version locks in opposite orders: each server holds
    back the .info of another module for a moment, so run A locks the blob module first
    and run B the big one, and each then wants the other's while its own download is still
    running (throttled).  A run that waited for a version lock inside its transfer loop would
    stop its own download, and the two would wait for each other forever."""
    hold = ['--stall-after', 0, '--stall-seconds', 0.4, '--fault-times', 1, '--rate', 6000000]
    with faults.Server(fx.proxy, *hold, '--fault-path', '*/example.com/big/@v/v1.0.0.info',
                       logdir=work) as sa, \
            faults.Server(fx.proxy, *hold, '--fault-path', '*' + faults.BLOB_ZIP[:-4] + '.info',
                          logdir=work) as sb:
        return pair(fx, sa, 'gmfetch', 'gmfetch', 0.0, False, verbose, server_b=sb)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cache-dir')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--no-skip', action='store_true',
                    help='fail instead of exiting 77 when go or the x/mod source is missing')
    a = ap.parse_args(argv)
    os.umask(0o022)
    # meson's timeout sends SIGTERM: leave through the finally blocks, which stop the
    # servers and remove the work tree.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    work = tempfile.mkdtemp(prefix='gmfetch-concurrent-')
    t_start = time.monotonic()
    failed, passed = [], 0
    try:
        try:
            fx = faults.Fixture(a.cache_dir or os.path.join(work, 'cache'), work)
        except faults.Skip as e:
            log('%s: %s' % ('FAIL' if a.no_skip else 'SKIP', e))
            return 1 if a.no_skip else faults.SKIP
        fx.use_consumer('big')
        # 8 MB/s per response: the 24 MiB zip takes about a second in 4 MiB shards, long
        # enough for the second process to find versions locked, or half extracted.
        with faults.Server(fx.proxy, "--rate", 8000000, logdir=work) as server:
            plan = [
                ('gmfetch', 'gmfetch', 0.0, False),
                ('gmfetch', 'gmfetch', 0.15, False),
                ('gmfetch', 'gmfetch', 0.05, True),
                ('gmfetch', 'go-download', 0.0, False),
                ('go-download', 'gmfetch', 0.1, False),
                ('gmfetch', 'go-download', 0.3, False),
                ('gmfetch', 'go-build', 0.05, False),
                ('go-build', 'gmfetch', 0.2, False),
            ]
            for x, y, offset, same in plan + [('crossing', None, 0.0, False)]:
                t0 = time.monotonic()
                try:
                    if x == 'crossing':
                        problems = crossing(fx, work, a.verbose)
                    else:
                        problems = pair(fx, server, x, y, offset, same, a.verbose)
                except Exception as e:
                    problems = ['harness error: %s: %s' % (type(e).__name__, e)]
                name = 'gmfetch+gmfetch, crossing locks' if x == 'crossing' else \
                    '%s+%s%s@%.2f' % (x, y, '-samedir' if same else '', offset)
                log('%s %-34s %5.1fs' % ('FAIL' if problems else 'ok  ', name,
                                         time.monotonic() - t0))
                for p in problems[:10]:
                    log('    ' + str(p).replace('\n', '\n    '))
                if problems:
                    failed.append(name)
                else:
                    passed += 1
    finally:
        rmtree(work)
    log('concurrent finished in %.1fs: %d passed, %d failed' % (time.monotonic() - t_start,
                                                               passed, len(failed)))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
