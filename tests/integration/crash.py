#!/usr/bin/env python3
"""Crash safety: gmfetch killed with SIGKILL at random points, then run again; Ctrl-C.

A consumer module needing ten modules (30 MiB of zips, two of them fetched in Range shards)
is downloaded from tests/server/goproxy.py.  In each round gmfetch is started on an empty
GOMODCACHE and killed with SIGKILL after a random delay (seeded, spread over the time a whole
run takes, so kills land in the graph phase, in transfers, in zip commits and after), one to
three times in a row; after every kill nothing go would trust may be wrong (a .mod, a zip
with its ziphash, an extracted tree without .partial: each must hash to go.sum).  Then
gmfetch, or in every third round stock `go mod download`, runs to the end and must succeed,
and `go mod verify` and an offline `go build` must pass.  About 50 kills in all.

Ctrl-C: SIGINT while zips are being fetched (a throttled server) must end gmfetch within a
few seconds with exit status 130, its temp zips removed, nothing half-made left where go
would trust it, and a rerun must complete the cache.

Usage: crash.py [--cache-dir DIR] [--kills N] [--seed S] [--part sigkill|sigint] [-v]
Exit status: 0 passed, 1 failed, 77 skipped (go or the golang.org/x/mod source missing).
"""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402  (the shared fixture: proxy tree, consumers, servers, checks)
from faults import log, rmtree, stray_temps, trusted_problems  # noqa: E402


def start(fx, side, goproxy, args=()):
    env = fx.env(side, goproxy)
    return subprocess.Popen([fx.gmfetch] + list(args), cwd=os.path.join(side, 'work'), env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def kill_rounds(fx, server, nkills, rng, verbose):
    problems = []
    mc_of = lambda side: os.path.join(side, 'modcache')  # noqa: E731
    # How long a whole run takes here, so the kill delays cover all of it (the first run
    # also warms the server, which reads each file once).
    for _ in range(3):
        side = fx.side('warmup')
        t0 = time.monotonic()
        r = fx.gmfetch_run(side, server.url, shards=False)
        full = time.monotonic() - t0
        if r.rc != 0:
            return ['a plain run fails: %r' % r]
    kills, rounds, temps_left = 0, 0, 0
    while kills < nkills:
        rounds += 1
        side = fx.side('round')
        mc = mc_of(side)
        for k in range(1 + (rounds - 1) % 3):
            # A rerun on a partly filled cache has less left to do.
            delay = rng.uniform(0, full / (k + 1))
            p = start(fx, side, server.url)
            time.sleep(delay)
            exited = p.poll() is not None
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
            p.stderr.close()
            kills += 0 if exited else 1
            bad = trusted_problems(mc, fx.gosum())
            if verbose:
                log('    round %d: kill after %.3fs%s, %d temp files' % (
                    rounds, delay, ' (had exited)' if exited else '', len(stray_temps(mc))))
            if bad:
                problems += ['after a kill at %.3fs: %s' % (delay, b) for b in bad]
        # Run to the end: gmfetch, or stock go in every third round.
        if rounds % 3 == 0:
            r = fx.go_run(side, server.url)
            who = 'go mod download'
        else:
            r = fx.gmfetch_run(side, server.url, shards=False)
            who = 'gmfetch'
        if r.rc != 0:
            problems.append('round %d: %s after the kills failed: %r' % (rounds, who, r))
        problems += ['round %d: %s' % (rounds, x) for x in fx.verify(side)]
        problems += ['round %d: %s' % (rounds, x) for x in trusted_problems(mc, fx.gosum())]
        partial = [t for t in stray_temps(mc) if t.endswith('.partial')]
        if partial:
            problems.append('round %d: .partial left after a complete run: %s' % (rounds,
                                                                                 partial))
        temps_left += len(stray_temps(mc))
        if problems:
            break
    log('    %d kills in %d rounds (a whole run takes %.2fs); temp files left by kills and '
        'never reused: %d' % (kills, rounds, full, temps_left))
    return problems


def interrupt(fx, server_fast, server_slow, verbose):
    """Ctrl-C in the middle of zip transfers."""
    problems = []
    for attempt in range(2):
        side = fx.side('sigint')
        mc = os.path.join(side, 'modcache')
        p = start(fx, side, server_slow.url)
        # Wait until a zip download is under way: a temp zip exists.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and p.poll() is None:
            if any('.zip' in t and t.endswith('.tmp') for t in stray_temps(mc)):
                break
            time.sleep(0.02)
        time.sleep(0.1 * attempt)
        if p.poll() is not None:
            problems.append('gmfetch ended before it could be interrupted')
            break
        t0 = time.monotonic()
        os.kill(p.pid, signal.SIGINT)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            problems.append('gmfetch did not stop within 10 s of SIGINT')
            break
        took = time.monotonic() - t0
        err = p.stderr.read().decode(errors='replace')
        p.stderr.close()
        if verbose:
            log('    SIGINT: exit %s after %.2fs, stderr %r' % (p.returncode, took, err))
        if p.returncode != 130:
            problems.append('exit status %s after SIGINT, want 130; stderr %r' % (
                p.returncode, err))
        if took > 3:
            problems.append('took %.1fs to stop after SIGINT' % took)
        temps = [t for t in stray_temps(mc) if '.zip' in t and t.endswith('.tmp')]
        if temps:
            problems.append('temp zips left after SIGINT: %s' % temps)
        partial = [t for t in stray_temps(mc) if t.endswith('.partial')]
        if partial:
            problems.append('.partial left after SIGINT: %s' % partial)
        problems += trusted_problems(mc, fx.gosum())
        r = fx.gmfetch_run(side, server_fast.url, shards=False)
        if r.rc != 0:
            problems.append('rerun after SIGINT failed: %r' % r)
        problems += fx.verify(side)
        if problems:
            break
    return problems


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cache-dir')
    ap.add_argument('--kills', type=int, default=50)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--part', action='append', choices=['sigkill', 'sigint'], default=[],
                    help='run only this part (repeatable)')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--no-skip', action='store_true',
                    help='fail instead of exiting 77 when go or the x/mod source is missing')
    a = ap.parse_args(argv)
    seed = a.seed if a.seed is not None else int(time.time())
    rng = random.Random(seed)
    os.umask(0o022)
    # meson's timeout sends SIGTERM: leave through the finally blocks, which stop the
    # servers and remove the work tree.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    work = tempfile.mkdtemp(prefix='gmfetch-crash-')
    t_start = time.monotonic()
    failed = []
    try:
        try:
            fx = faults.Fixture(a.cache_dir or os.path.join(work, 'cache'), work)
        except faults.Skip as e:
            log('%s: %s' % ('FAIL' if a.no_skip else 'SKIP', e))
            return 1 if a.no_skip else faults.SKIP
        fx.use_consumer('big')
        log('seed %d (rerun with --seed %d)' % (seed, seed))
        with faults.Server(fx.proxy, logdir=work) as fast, \
                faults.Server(fx.proxy, '--rate', 2000000, logdir=work) as slow:
            for name, fn in (('sigkill', lambda: kill_rounds(fx, fast, a.kills, rng,
                                                              a.verbose)),
                             ('sigint', lambda: interrupt(fx, fast, slow, a.verbose))):
                if a.part and name not in a.part:
                    continue
                t0 = time.monotonic()
                try:
                    problems = fn()
                except Exception as e:
                    problems = ['harness error: %s: %s' % (type(e).__name__, e)]
                log('%s %-8s %5.1fs' % ('FAIL' if problems else 'ok  ', name,
                                        time.monotonic() - t0))
                for x in problems[:20]:
                    log('    ' + str(x).replace('\n', '\n    '))
                if problems:
                    failed.append(name)
    finally:
        rmtree(work)
    log('crash finished in %.1fs: %s' % (time.monotonic() - t_start,
                                         'FAIL ' + ' '.join(failed) if failed else 'ok'))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
