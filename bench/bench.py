#!/usr/bin/env python3
"""The gmfetch benchmark driver (run it through bench/run, which installs and builds first).

For each network profile: nginx (bench/server.py) serves the corpus (bench/corpus.py), with
bench/relay.py in front of it for the shaped profiles, over HTTPS + HTTP/2 by default. Then,
for each set (--sets: typical, heavy; heavy only on --heavy-profiles):

  * cold cache every run: gmfetch and stock `go mod download` paired A B A B, each run's
    GOMODCACHE on a fresh filesystem (bench/freshfs.py: ext4 loop image, tmpfs or directory);
    after every gmfetch run `go mod verify` (GOPROXY=off) on its cache and a comparison of its
    cache tree with go's (paths, types, modes, sizes, contents; lock files aside);
  * pure-transfer anchor: aria2c fetching the same zip URLs (shaped profiles);
  * warm no-op runs of both (lan);
then the single 64 MiB zip on throttled (gmfetch, go, one curl stream), and last (cut first
when the time budget runs out) the option sweep: --probe=head vs --probe=range, --connections,
--jobs, --http1.1 (--sweep PROFILE:SET, default wan:typical). The report ends up with a table
of issue 4's targets, each met or missed by how much.
Wall time, user+sys CPU and peak RSS come from wait4(); requests, bytes and connections from
the nginx access log. Results: a Markdown report (bench/RESULTS.md, or --out) and the raw JSON
beside it. Every child is bounded by a timeout and killed with its process group.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, 'tests', 'integration'))
import corpus as corpusmod  # noqa: E402
import freshfs  # noqa: E402
import server  # noqa: E402
import e2e  # noqa: E402  (tests/integration/e2e.py: snapshot, compare_trees, rmtree)

RTT = 0.040
LINK = 25e6          # 200 Mbit/s in bytes/s
CONN_RATE = 4e6      # throttled: per connection
MAX_WINDOW = 1536 << 10
RUN_TIMEOUT = 300
# Per consumer: the timeout of one run and the size of its fresh filesystem (an upper bound:
# the ext4 image is sparse). go's cache of the heavy set holds 2.2 GB (zips + trees, 80k files).
SET_TIMEOUT = {'typical': 300, 'heavy': 900, 'large': 300}
SET_FS_SIZE = {'typical': 3 << 30, 'heavy': 6 << 30, 'large': 1 << 30}
SETS = ('typical', 'heavy')
QUICK_LIMIT = 105    # seconds of runs for --quick (plus ~10 s of setup)
FULL_LIMIT = 6900    # everything, both sets (bench/run stops it at 7200 s in any case)

PROFILES = {
    'lan': {'relay': None, 'nginx': '',
            'what': 'nginx on loopback, no shaping (CPU-bound case)'},
    'wan': {'relay': {'delay_ms': RTT * 500, 'rate': LINK}, 'nginx': '',
            'what': '40 ms RTT, 200 Mbit/s shared link (per direction), TCP-like slow start'},
    'throttled': {'relay': {'delay_ms': RTT * 500, 'rate': LINK, 'conn_rate': CONN_RATE},
                  'nginx': '',
                  'what': 'wan + 4 MB/s per TCP connection (in the relay, see below)'},
    'norange': {'relay': {'delay_ms': RTT * 500, 'rate': LINK}, 'nginx': 'max_ranges 0;',
                'what': 'wan with Range disabled in nginx (max_ranges 0: 200 + whole body)'},
}

DIFFS = []   # correctness differences, reported loudly


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self):
        return self.end - time.monotonic()


# ---------------------------------------------------------------------------------------------
# processes

def proc_cpu(pid):
    """utime+stime of a live process in seconds (0 if gone)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, IndexError, ValueError):
        return 0.0


def measure(cmd, cwd, env, out_path, timeout=RUN_TIMEOUT):
    """Run cmd under GNU time; wall seconds, user/sys CPU (with children), peak RSS, exit.

    GNU time rather than our own wait4(): Linux carries the forking process's peak RSS
    across execve into ru_maxrss, so a child of this (large) Python process would report
    at least our own RSS."""
    tf = out_path + '.time'
    cmd = ['/usr/bin/time', '-o', tf, '-f', '%U %S %M'] + list(cmd)
    with open(out_path, 'wb') as out:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
        timed_out = []

        def kill():
            timed_out.append(1)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        t = threading.Timer(timeout, kill)
        t.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:   # SIGTERM/^C: take the run's process group down with us
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            raise
        finally:
            t.cancel()
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
    try:
        os.killpg(p.pid, signal.SIGKILL)   # leftovers of the group, if any
    except ProcessLookupError:
        pass
    user, sys_, rss = ru.ru_utime, ru.ru_stime, 0.0
    try:
        last = open(tf).read().strip().splitlines()[-1].split()
        user, sys_, rss = float(last[0]), float(last[1]), int(last[2]) / 1024.0
    except (OSError, IndexError, ValueError):
        pass
    return {'wall': wall, 'user': user, 'sys': sys_, 'cpu': user + sys_, 'rss_mb': rss,
            'rc': 'timeout' if timed_out else p.returncode}


class Relay:
    def __init__(self, upstream_port, workdir, delay_ms, rate=0, conn_rate=0, seconds=3600):
        self.stats_file = os.path.join(workdir, 'relay-stats.json')
        port_file = os.path.join(workdir, 'relay-port')
        cmd = [sys.executable, os.path.join(HERE, 'relay.py'), '--upstream',
               '127.0.0.1:%d' % upstream_port, '--delay-ms', str(delay_ms), '--rate',
               str(rate), '--conn-rate', str(conn_rate), '--max-window', str(MAX_WINDOW),
               '--stats', self.stats_file, '--port-file', port_file, '--seconds',
               str(seconds)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(workdir, 'relay.log'), 'wb'),
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('relay did not start')
            time.sleep(0.02)
        self.port = int(open(port_file).read())

    def stats(self):
        try:
            os.unlink(self.stats_file)
        except FileNotFoundError:
            pass
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with open(self.stats_file) as f:
                    return json.load(f)
            except (FileNotFoundError, ValueError):
                time.sleep(0.01)
        return {}

    def cpu(self):
        return proc_cpu(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


class Site:
    """nginx (+ relay) for one profile."""

    def __init__(self, name, proxy_root, workdir, scheme, seconds):
        self.name, self.scheme = name, scheme
        p = PROFILES[name]
        os.makedirs(workdir, exist_ok=True)
        self.nginx = server.BenchNginx(proxy_root, extra=p['nginx'],
                                       workdir=os.path.join(workdir, 'nginx'),
                                       max_seconds=seconds)
        os.makedirs(self.nginx.dir, exist_ok=True)
        self.nginx.start()
        self.relay = None
        port = self.nginx.https_port if scheme == 'https' else self.nginx.http_port
        if p['relay']:
            self.relay = Relay(port, workdir, seconds=seconds, **p['relay'])
            port = self.relay.port
        self.url = '%s://127.0.0.1:%d' % (scheme, port)
        self.ca = self.nginx.ca_file

    def mark(self):
        return (self.nginx.log_size(), self.relay.stats() if self.relay else {},
                self.relay.cpu() if self.relay else 0.0)

    def since(self, mark):
        off, rs0, rc0 = mark
        time.sleep(0.05)   # nginx writes its log line after the last byte is sent
        lines = self.nginx.log_since(off)
        r = {'requests': len(lines), 'body_bytes': sum(l['body'] for l in lines),
             'bytes': sum(l['bytes'] for l in lines),
             'connections': len({l['conn'] for l in lines}),
             'ranged': sum(1 for l in lines if l['range']),
             'heads': sum(1 for l in lines if l['request'].startswith('HEAD ')),
             'errors': sum(1 for l in lines if l['status'] >= 400),
             'protos': sorted({l['proto'] for l in lines})}
        if self.relay:
            rs1 = self.relay.stats()
            r['wire_down'] = rs1.get('down_bytes', 0) - rs0.get('down_bytes', 0)
            r['relay_conns'] = rs1.get('connections', 0) - rs0.get('connections', 0)
            r['relay_cpu'] = self.relay.cpu() - rc0
        return r

    def stop(self):
        if self.relay:
            self.relay.stop()
        self.nginx.stop(keep_dir=True)


# ---------------------------------------------------------------------------------------------
# runs

class Bench:
    def __init__(self, a, corpus, work):
        self.a, self.corpus, self.work = a, corpus, work
        self.gocache = os.path.join(work, 'gocache')
        self.n = 0
        self.ref_snap = {}
        self.mounts = {}   # run root -> freshfs.Mount holding its GOMODCACHE
        self.ffs = freshfs.FreshFs(work, SET_FS_SIZE['heavy'], mode=a.fresh_fs, log=log)
        self.results = {'runs': [], 'diffs': DIFFS,
                        'freshfs': {'mode': self.ffs.mode, 'what': self.ffs.describe()}}
        log('fresh filesystem per run: ' + self.ffs.describe())

    @staticmethod
    def modcache(root):
        return os.path.join(root, 'fs', 'modcache')

    def env(self, site, root, extra=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('GO') and k.lower() not in (
                   'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'ssl_cert_file',
                   'ssl_cert_dir')}
        env.update(GOPROXY=site.url if site else 'off', GOMODCACHE=self.modcache(root),
                   GOPATH=os.path.join(root, 'gopath'), HOME=os.path.join(root, 'home'),
                   GOENV='off', GOSUMDB='off', GOCACHE=self.gocache)
        if site and site.scheme == 'https':
            env['SSL_CERT_FILE'] = site.ca
        env.update(extra or {})
        return env

    def new_root(self, consumer=None, size_of='typical'):
        """A run directory; its fs/ is a fresh filesystem (GOMODCACHE is fs/modcache)."""
        self.n += 1
        root = os.path.join(self.work, 'r%04d' % self.n)
        os.makedirs(root)
        for d in ('gopath', 'home'):
            os.makedirs(os.path.join(root, d))
        if consumer:
            shutil.copytree(self.corpus.consumer(consumer), os.path.join(root, 'work'))
        self.mounts[root] = self.ffs.make(os.path.join(root, 'fs'),
                                          SET_FS_SIZE.get(consumer or size_of))
        return root

    def drop_root(self, root):
        """Unmount a run's filesystem and delete the run directory."""
        m = self.mounts.pop(root, None)
        if m:
            m.release()
        e2e.rmtree(root)

    def tool_cmd(self, tool, opts=()):
        if tool == 'go':
            return ['go', 'mod', 'download']
        return [self.a.gmfetch] + list(opts)

    def one(self, site, tool, consumer, opts=(), label=None, root=None, tag=''):
        """One cold (or, with root, warm) run; returns the result dict."""
        fresh = root is None
        if fresh:
            root = self.new_root(consumer)
        wd = os.path.join(root, 'work')
        mark = site.mark() if site else None
        m = measure(self.tool_cmd(tool, opts), wd, self.env(site, root),
                    os.path.join(root, '%s%s.out' % (tool, tag)),
                    timeout=SET_TIMEOUT.get(consumer, RUN_TIMEOUT))
        if site:
            m.update(site.since(mark))
        m.update(tool=tool, profile=site.name if site else 'none', consumer=consumer,
                 opts=list(opts), label=label or tool, root=root, warm=not fresh)
        if m['rc'] != 0:
            out = open(os.path.join(root, '%s%s.out' % (tool, tag)), errors='replace').read()
            m['output'] = out[-2000:]
            log('!! %s on %s exited %s:\n%s' % (tool, m['profile'], m['rc'], out[-2000:]))
        self.results['runs'].append(m)
        log('  %-9s %-10s %-28s wall %6.2fs cpu %6.2fs rss %6.1fMB req %4s conns %3s' % (
            m['profile'], consumer, m['label'], m['wall'], m['cpu'], m['rss_mb'],
            m.get('requests', '-'), m.get('connections', '-')))
        return m

    # correctness ------------------------------------------------------------------------
    def check_gmfetch(self, m, go_root=None):
        """go mod verify on gmfetch's cache and a tree comparison with go's."""
        root = m['root']
        wd = os.path.join(root, 'work')
        problems = []
        if m['rc'] != 0:
            problems.append('gmfetch exited %s' % m['rc'])
        # go mod verify runs while this process hashes the trees (2 cores).
        vp = subprocess.Popen(['go', 'mod', 'verify'], cwd=wd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True,
                              env=self.env(None, root, {'GOFLAGS': '-mod=mod'}))
        for name in ('go.mod', 'go.sum'):
            want = open(os.path.join(self.corpus.consumer(m['consumer']), name), 'rb').read()
            if open(os.path.join(wd, name), 'rb').read() != want:
                problems.append('gmfetch changed %s' % name)
        snap_b = e2e.snapshot(self.modcache(root))
        if go_root is not None:
            snap_a = e2e.snapshot(self.modcache(go_root))
            self.ref_snap.setdefault(m['consumer'], (snap_a, go_root))
        else:
            snap_a, go_root = self.ref_snap.get(m['consumer'], (None, None))
        if snap_a is not None:
            d = e2e.compare_trees(snap_a, snap_b, self.modcache(go_root),
                                  self.modcache(root))
            if d:
                problems.append('cache differs from go\'s (%s):\n%s' % (
                    go_root, '\n'.join(d[:80]) + ('\n... %d more' % (len(d) - 80)
                                                  if len(d) > 80 else '')))
        try:
            vout, verr = vp.communicate(timeout=SET_TIMEOUT.get(m['consumer'], RUN_TIMEOUT))
        except subprocess.TimeoutExpired:
            os.killpg(vp.pid, signal.SIGKILL)
            vout, verr = vp.communicate()
        except BaseException:
            os.killpg(vp.pid, signal.SIGKILL)
            raise
        if vp.returncode != 0 or 'all modules verified' not in vout:
            problems.append('go mod verify failed: %s %s' % (vout[-1500:], verr[-1500:]))
        m['verified'] = not problems
        m['compared_with_go'] = snap_a is not None
        if problems:
            msg = '%s %s %s: %s' % (m['profile'], m['consumer'], m['label'],
                                    '\n'.join(problems))
            DIFFS.append(msg)
            log('\n' + '!' * 78 + '\nCORRECTNESS: ' + msg + '\n' + '!' * 78 + '\n')
        return not problems

    def cleanup(self, *roots):
        """Drop run directories, except go's reference trees (still needed for the diffs
        of later comparisons) and everything with --keep (unmounted by close())."""
        for r in roots:
            if r and os.path.isdir(r) and not self.a.keep:
                keep_ref = any(r == v[1] for v in self.ref_snap.values())
                if keep_ref:
                    continue
                self.drop_root(r)

    def close(self):
        """Release every filesystem still mounted (go's reference trees, --keep)."""
        for r in list(self.mounts):
            if self.a.keep:
                self.mounts.pop(r).unmount()   # the image stays: fs.img beside fs/
            else:
                self.drop_root(r)

    # scenarios --------------------------------------------------------------------------
    def pairs(self, site, consumer, n, deadline, warm=0):
        last = 60.0
        for i in range(n):
            if deadline.left() < max(60.0, 1.1 * last) and i > 0:
                log('  (time budget: stopping after %d pairs)' % i)
                break
            t_pair = time.monotonic()
            g = self.one(site, 'gmfetch', consumer)
            o = self.one(site, 'go', consumer)
            t0 = time.monotonic()
            # go's tree is hashed for the first pair of a corpus; later gmfetch runs are
            # compared with that reference (go's result does not change between runs).
            if o['rc'] == 0 and consumer not in self.ref_snap:
                self.check_gmfetch(g, o['root'])
            else:
                self.check_gmfetch(g)
            log('  (verify + compare: %.1fs)' % (time.monotonic() - t0))
            last = time.monotonic() - t_pair
            if warm and (i == n - 1 or deadline.left() < max(60.0, 1.1 * last)) and \
                    g['rc'] == 0 and o['rc'] == 0:
                for k in range(warm):
                    self.one(site, 'gmfetch', consumer, root=g['root'],
                             label='gmfetch (warm)', tag='-warm%d' % k)
                    self.one(site, 'go', consumer, root=o['root'], label='go (warm)',
                             tag='-warm%d' % k)
                warm = 0
            self.cleanup(g['root'], o['root'])

    def aria2(self, site, consumer, n, split=1):
        """aria2c fetching the consumer's zips (no .mod/.info, no verify, no extract)."""
        gosum = open(os.path.join(self.corpus.consumer(consumer), 'go.sum')).read()
        urls = []
        for line in gosum.splitlines():
            path, ver, _ = line.split()
            if ver.endswith('/go.mod'):
                continue
            ep = re.sub(r'[A-Z]', lambda x: '!' + x.group(0).lower(), path)
            ev = re.sub(r'[A-Z]', lambda x: '!' + x.group(0).lower(), ver)
            urls.append('%s/%s/@v/%s.zip' % (site.url, ep.replace('!', '%21'), ev))
        for i in range(n):
            root = self.new_root(size_of=consumer)
            with open(os.path.join(root, 'urls.txt'), 'w') as f:
                for k, u in enumerate(urls):
                    f.write('%s\n  out=%d.zip\n' % (u, k))
            jobs = 16 if len(urls) > 1 else 1
            cmd = ['aria2c', '-q', '-i', 'urls.txt', '-d', 'fs/dl', '-j', str(jobs),
                   '-x', str(split), '-s', str(split), '-k', '1M', '--file-allocation=none',
                   '--allow-overwrite=true', '--auto-file-renaming=false',
                   '--console-log-level=error', '--summary-interval=0', '--check-certificate',
                   '--ca-certificate=' + site.ca]
            mark = site.mark()
            m = measure(cmd, root, self.env(site, root), os.path.join(root, 'aria2.out'),
                        timeout=SET_TIMEOUT.get(consumer, RUN_TIMEOUT))
            m.update(site.since(mark))
            m.update(tool='aria2c', profile=site.name, consumer=consumer, opts=[],
                     label='aria2c -j%d -x%d' % (jobs, split), root=root, warm=False)
            self.results['runs'].append(m)
            log('  %-9s %-10s %-28s wall %6.2fs cpu %6.2fs rss %6.1fMB req %4s' % (
                site.name, consumer, m['label'], m['wall'], m['cpu'], m['rss_mb'],
                m['requests']))
            self.drop_root(root)

    def curl_single(self, site, n):
        meta = self.corpus.meta['large']
        url = '%s/%s/@v/%s.zip' % (site.url, meta['path'], meta['version'])
        for i in range(n):
            root = self.new_root(size_of='large')
            cmd = ['curl', '-sS', '--fail', '-o', 'fs/blob.zip', '--cacert', site.ca, url]
            mark = site.mark()
            m = measure(cmd, root, self.env(site, root), os.path.join(root, 'curl.out'))
            m.update(site.since(mark))
            m.update(tool='curl', profile=site.name, consumer='large', opts=[],
                     label='curl (one stream)', root=root, warm=False)
            self.results['runs'].append(m)
            log('  %-9s %-10s %-28s wall %6.2fs' % (site.name, 'large', m['label'], m['wall']))
            self.drop_root(root)

    def gm_series(self, site, consumer, opts, label, n):
        for i in range(n):
            g = self.one(site, 'gmfetch', consumer, opts=opts, label=label)
            self.check_gmfetch(g)
            self.cleanup(g['root'])


# ---------------------------------------------------------------------------------------------
# report

def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, nd=2):
    return '-' if x is None else ('%.*f' % (nd, x))


def rng(xs, nd=2):
    if not xs:
        return '-'
    if len(xs) == 1:
        return fmt(xs[0], nd)
    return '%s (%s-%s)' % (fmt(med(xs), nd), fmt(min(xs), nd), fmt(max(xs), nd))


def select(runs, **kw):
    out = []
    for r in runs:
        if all((r.get(k) == v) for k, v in kw.items()) and r['rc'] == 0:
            out.append(r)
    return out


def floor_seconds(body_bytes, profile):
    if profile == 'lan':
        return None
    return body_bytes / LINK + 3 * RTT


def machine_info(a):
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ''
    cpu = re.search(r'Model name:\s*(.*)', out(['lscpu']))
    mem = re.search(r'Mem:\s+(\S+)', out(['free', '-h']))
    ng = subprocess.run(['nginx', '-v'], capture_output=True, text=True).stderr.strip()
    head = out(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD']).strip()
    dirty = out(['git', '-C', REPO, 'status', '--porcelain', '--', 'src', 'include']).strip()
    return {
        'cpu': cpu.group(1).strip() if cpu else platform.processor(),
        'cores': os.cpu_count(), 'mem': mem.group(1) if mem else '?',
        'kernel': platform.release(), 'os': out(['sh', '-c', '. /etc/os-release; echo $PRETTY_NAME']).strip(),
        'go': out(['go', 'version']).strip(), 'nginx': ng,
        'curl': out(['curl', '--version']).splitlines()[0] if out(['curl', '--version']) else '',
        'aria2c': (out(['aria2c', '--version']).splitlines() or [''])[0],
        'gmfetch': out([a.gmfetch, '--version']).strip(),
        'commit': head + (' (+ uncommitted changes in src/ or include/)' if dirty else ''),
        'python': platform.python_version(),
    }


SET_TITLES = {'typical': 'Typical corpus', 'heavy': 'Heavy corpus'}


def set_summary(name, t):
    return ('- %s: %d modules, %.1f MiB of zips (median %.0f KiB, %d over 1 MiB, %d over 10 MiB, '
            'largest %.1f MiB, %d under 10 KiB); %d go.mod files fetched (%d of them for '
            '.mod-only old versions), so %d + %d + %d requests (.info, .mod, .zip) for go.' % (
                name, t['zips'], t['zip_bytes'] / 2**20, t['median_zip'] / 1024, t['over_1mb'],
                t.get('over_10mb', 0), t['max_zip'] / 2**20, t['under_10kb'], t['gomod_lines'],
                t['modonly'], t['zips'], t['gomod_lines'], t['zips']))


def cold_stats(runs, p, s):
    """Medians of the cold pairs of set s on profile p (None where not measured)."""
    g = select(runs, profile=p, consumer=s, label='gmfetch', warm=False)
    o = select(runs, profile=p, consumer=s, label='go', warm=False)
    ar = [r for r in runs if r['profile'] == p and r['tool'] == 'aria2c'
          and r['consumer'] == s and r['rc'] == 0]
    st = {'g': g, 'o': o, 'ar': ar,
          'gw': med([r['wall'] for r in g]), 'ow': med([r['wall'] for r in o]),
          'gc': med([r['cpu'] for r in g]), 'oc': med([r['cpu'] for r in o]),
          'arw': med([r['wall'] for r in ar])}
    st['floor'] = floor_seconds(med([r['body_bytes'] for r in o]), p) if o else None
    return st


def large_walls(runs, meta):
    large = [r for r in runs if r['consumer'] == 'large' and r['rc'] == 0]
    walls = {}
    for r in large:
        walls.setdefault(r['label'], []).append(r['wall'])
    return large, {k: med(v) for k, v in walls.items()}


def targets(results, meta):
    """The targets of issue 4: (target, measured on, value text, goal text, verdict)."""
    runs = results['runs']
    rows = []

    def verdict(v, goal, le=True):
        if v is None:
            return 'not measured'
        if (v <= goal) if le else (v >= goal):
            return 'met'
        if le:
            return 'missed by %.0f%% (%.2f vs %.2f)' % ((v / goal - 1) * 100, v, goal)
        return 'missed by %.1fx (%.2fx vs >= %.1fx)' % (goal / v, v, goal)

    def ratio(x, y):
        return x / y if x is not None and y else None

    for p, s, goal, go_note in (('wan', 'heavy', 1.1, 'go: 2.7x in the issue'),
                                ('wan', 'typical', 1.3, ''),
                                ('throttled', 'heavy', 1.25, 'go: ~8x in the issue'),
                                ('throttled', 'typical', 1.25, '')):
        st = cold_stats(runs, p, s)
        v = ratio(st['gw'], st['floor'])
        gof = ratio(st['ow'], st['floor'])
        rows.append(('%s: gmfetch wall <= %.2fx floor' % (p, goal), s,
                     '%s (%s s / %s s floor; go %s)' % (fmt(v), fmt(st['gw']), fmt(st['floor']),
                                                       fmt(gof) + 'x' if gof else '-')
                     if v else '-',
                     '<= %.2f' % goal, verdict(v, goal)))
    large, walls = large_walls(runs, meta)
    one = walls.get('curl (one stream)')
    how = 'curl'
    if one is None and 'gmfetch' in walls:
        one = meta['large']['zip_bytes'] / CONN_RATE
        how = 'computed: bytes / 4 MB/s'
    v = ratio(one, walls.get('gmfetch'))
    rows.append(('single large zip on throttled: >= 4x faster than one stream', 'large',
                 '%.2fx (one stream %s s [%s] / gmfetch %s s)' % (
                     v, fmt(one), how, fmt(walls.get('gmfetch'))) if v else '-',
                 '>= 4x', verdict(v, 4.0, le=False)))
    for s in ('heavy', 'typical'):
        st = cold_stats(runs, 'lan', s)
        v = ratio(st['gc'], st['oc'])
        rows.append(('lan: CPU (user+sys) <= 0.5x go', s, '%s (%s s / %s s)' % (
            fmt(v), fmt(st['gc']), fmt(st['oc'])) if v else '-', '<= 0.50', verdict(v, 0.5)))
        v = ratio(st['gw'], st['ow'])
        rows.append(('lan: wall <= 0.35x go', s, '%s (%s s / %s s)' % (
            fmt(v), fmt(st['gw']), fmt(st['ow'])) if v else '-', '<= 0.35', verdict(v, 0.35)))
    gm = [r for r in runs if r['tool'] == 'gmfetch' and r['rc'] == 0]
    worst = max(gm, key=lambda r: r['rss_mb']) if gm else None
    rows.append(('peak RSS < 64 MiB, whatever the zip sizes', 'all gmfetch runs',
                 '%.1f MiB (%s, %s, %s)' % (worst['rss_mb'], worst['profile'],
                                            worst['consumer'], worst['label'])
                 if worst else '-', '< 64', verdict(worst['rss_mb'] if worst else None, 63.99)))
    for s in ('heavy', 'typical'):
        wg = med([r['wall'] for r in select(runs, label='gmfetch (warm)', consumer=s)])
        wo = med([r['wall'] for r in select(runs, label='go (warm)', consumer=s)])
        v = ratio(wg, wo)
        rows.append(('warm no-op <= 0.5x go', s, '%s (%s s / %s s)' % (
            fmt(v), fmt(wg, 3), fmt(wo, 3)) if v else '-', '<= 0.50', verdict(v, 0.5)))
    return rows


def write_report(a, corpus, results, path):
    runs = results['runs']
    meta = corpus.meta
    info = results['machine']
    sets = results.get('sets', ['typical'])
    L = []
    w = L.append
    w('# gmfetch benchmark results')
    w('')
    argv = ' '.join(results.get('argv') or (['--quick'] if a.quick else []))
    w('Written by `bench/run%s` on %s (%s). Raw numbers: `%s`.' % (
        (' ' + argv) if argv else '', time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
        'quick variant: typical set, 1 pair per profile' if a.quick else
        '%d pairs per profile, %d for the heavy set' % (
            results.get('pairs', a.pairs), results.get('heavy_pairs', a.pairs)),
        os.path.basename(path)[:-3] + '.json'))
    w('')
    if results['diffs']:
        w('## !!! CORRECTNESS DIFFERENCES BETWEEN GMFETCH AND GO !!!')
        w('')
        for d in results['diffs']:
            w('```')
            w(d)
            w('```')
        w('')
    else:
        n = len([r for r in runs if r['tool'] == 'gmfetch' and not r['warm']])
        nc = len([r for r in runs if r['tool'] == 'gmfetch' and r.get('compared_with_go')])
        w('Correctness: all %d cold gmfetch runs passed `go mod verify` and %d of them were '
          'compared file by file with go\'s cache (paths, types, modes, sizes, contents; lock '
          'files aside): no difference.' % (n, nc))
        w('')
    png = path[:-3] + '.png'
    if write_chart(results, png):
        w('![median wall time per profile](%s)' % os.path.basename(png))
        w('')

    w('## Targets (issue 4)')
    w('')
    w('Medians of the cold runs below; floor as defined under Profiles. "missed by N%" is how '
      'far the measured value is above the goal.')
    w('')
    w('| target | set | measured | goal | verdict |')
    w('| --- | --- | --- | --- | --- |')
    for row in targets(results, meta):
        w('| %s | %s | %s | %s | %s |' % row)
    w('')

    w('## Machine')
    w('')
    for k in ('os', 'kernel', 'cpu', 'cores', 'mem', 'go', 'nginx', 'curl', 'aria2c',
              'gmfetch', 'commit', 'python'):
        w('- %s: %s' % (k, info.get(k, '')))
    ff = results.get('freshfs')
    if ff:
        w('- GOMODCACHE of every run (and aria2c/curl downloads): %s' % ff['what'])
    w('')
    w('## Corpus')
    w('')
    w('Built by `bench/corpus.py` from %d Debian golang-*-dev packages (the dependency closure '
      'of `bench/packages.txt`) in %.0f s, cached in `%s`.' % (
          len(meta['packages']), meta.get('build_seconds', 0), corpus.root))
    w('')
    w(set_summary('typical (every module with a zip of at most 10 MiB)', meta['typical']))
    if meta.get('heavy'):
        big = sorted((m for m in meta['modules'] if m['zip'] > 10 << 20),
                     key=lambda m: -m['zip'])
        w(set_summary('heavy (every module)', meta['heavy']) + ' Zips over 10 MiB: %s.' % (
            ', '.join('%s %.1f MiB' % (m['path'], m['zip'] / 2**20) for m in big)))
    if meta.get('left_out'):
        w('- left out (refused by the zip rules): %s.' % ', '.join(
            '%s (%s)' % kv for kv in sorted(meta['left_out'].items())))
    w('- large: `%s@%s`, one zip of %.1f MiB (64 MiB of incompressible data).' % (
        meta['large']['path'], meta['large']['version'], meta['large']['zip_bytes'] / 2**20))
    w('')
    w('## Profiles')
    w('')
    w('All traffic is on 127.0.0.1; clients talk %s to nginx %s (one worker).' % (
        'HTTPS (HTTP/2 via ALPN, TLS 1.3)' if a.scheme == 'https' else 'plain HTTP/1.1',
        info['nginx']))
    w('')
    w('| profile | what it emulates |')
    w('| --- | --- |')
    for p in results['profiles']:
        w('| %s | %s |' % (p, PROFILES[p]['what']))
    w('')
    w('The shaped profiles go through `bench/relay.py` (userspace TCP relay, Python asyncio; '
      'there is no netem on this kernel): 20 ms one way each direction, the first client '
      'bytes held one extra RTT for the TCP handshake, a FIFO link of 25 MB/s per direction '
      'shared by all connections, and per connection a TCP-like window (10 segments, grows by '
      'each acknowledged byte, no loss, capped at %d KiB = 1.5 x BDP). Not emulated: loss, '
      'congestion avoidance, receive windows, slow-start restart after idle; the bottleneck '
      'queue is deep (bounded by the windows only). `throttled` caps each TCP connection at '
      '4 MB/s in the relay rather than with nginx `limit_rate`, because nginx applies '
      'limit_rate per request (per HTTP/2 stream), which would not limit a connection. The '
      'relay shares the 2 cores with the client; its CPU time is in the raw JSON '
      '(`relay_cpu`).' % (MAX_WINDOW // 1024))
    w('')
    w('Floor = bytes go needed (response bodies) / 25 MB/s + 3 RTT (TCP and TLS handshakes, '
      'one request; the two go.mod levels overlap with the zips). It ignores slow start, so '
      'no real client reaches it.')
    w('')
    if ff:
        w('Every run (gmfetch, go, aria2c, curl) writes to a filesystem of its own, made before '
          'and removed after the timed region: %s. On the machine\'s long-lived root ext4 '
          '(no journal) creating files soon after the previous run\'s cache was deleted pays '
          'for ext4\'s recently_deleted() scan (~7-10 s of sys time per cold run, go and '
          'gmfetch alike), which a fresh CI runner does not. gmfetch\'s durability barrier '
          '(syncfs) reaches the image file on the real disk through the loop device; go syncs '
          'nothing. GOCACHE, GOPATH and HOME stay on the root filesystem.' % ff['what'])
        w('')

    for s in sets:
        w('## %s, cold cache' % SET_TITLES[s])
        w('')
        w('Median (min-max) over the runs; CPU = user+sys of the process and its children; '
          'RSS = peak; requests, bytes (with headers) and connections from the nginx access '
          'log.')
        w('')
        for p in results['profiles']:
            st = cold_stats(runs, p, s)
            g, o, ar = st['g'], st['o'], st['ar']
            if not g and not o:
                continue
            w('### %s, %s' % (p, s))
            w('')
            w('| tool | runs | wall s | CPU s | peak RSS MiB | requests | MB sent | connections |')
            w('| --- | --- | --- | --- | --- | --- | --- | --- |')
            for name, rs in (('gmfetch', g), ('go mod download', o), ('aria2c (zips only)', ar)):
                if not rs:
                    continue
                w('| %s | %d | %s | %s | %s | %s | %s | %s |' % (
                    name, len(rs), rng([r['wall'] for r in rs]), rng([r['cpu'] for r in rs]),
                    rng([r['rss_mb'] for r in rs], 1), rng([r['requests'] for r in rs], 0),
                    rng([r['bytes'] / 1e6 for r in rs], 1),
                    rng([r['connections'] for r in rs], 0)))
            w('')
            gw, ow, gc, oc, fl = st['gw'], st['ow'], st['gc'], st['oc'], st['floor']
            parts = []
            if gw and ow:
                parts.append('wall gmfetch/go = **%.2f** (go/gmfetch = %.1fx)' % (gw / ow,
                                                                                ow / gw))
            if gc and oc:
                parts.append('CPU gmfetch/go = **%.2f**' % (gc / oc))
            if fl:
                parts.append('floor = %.2f s; gmfetch/floor = **%.2f**, go/floor = %.2f' % (
                    fl, gw / fl if gw else 0, ow / fl if ow else 0))
            if st['arw'] and gw:
                parts.append('gmfetch/aria2c = %.2f' % (gw / st['arw']))
            w('Ratios (medians): ' + '; '.join(parts) + '.')
            w('')

    warm = [(s, select(runs, label='gmfetch (warm)', consumer=s),
             select(runs, label='go (warm)', consumer=s)) for s in sets]
    warm = [x for x in warm if x[1] or x[2]]
    if warm:
        w('## Warm cache, no-op (lan)')
        w('')
        w('| set | tool | runs | wall s | CPU s | requests |')
        w('| --- | --- | --- | --- | --- | --- |')
        for s, wg, wo in warm:
            for name, rs in (('gmfetch', wg), ('go mod download', wo)):
                if rs:
                    w('| %s | %s | %d | %s | %s | %s |' % (
                        s, name, len(rs), rng([r['wall'] for r in rs], 3),
                        rng([r['cpu'] for r in rs], 3),
                        rng([r.get('requests', 0) for r in rs], 0)))
        w('')
        for s, wg, wo in warm:
            if wg and wo:
                w('%s: gmfetch/go (median wall) = **%.2f**.' % (
                    s, med([r['wall'] for r in wg]) / med([r['wall'] for r in wo])))
        w('')

    large, walls = large_walls(runs, meta)
    if large:
        w('## Single large zip (%.1f MiB) on throttled' % (meta['large']['zip_bytes'] / 2**20))
        w('')
        fl = meta['large']['zip_bytes'] / LINK + 3 * RTT
        one = meta['large']['zip_bytes'] / CONN_RATE
        w('Floor: %.2f s (link); one 4 MB/s stream needs at least %.2f s.' % (fl, one))
        w('')
        w('| tool | runs | wall s | CPU s | peak RSS MiB | requests | ranged | connections |')
        w('| --- | --- | --- | --- | --- | --- | --- | --- |')
        for lb in walls:
            rs = [r for r in large if r['label'] == lb]
            w('| %s | %d | %s | %s | %s | %s | %s | %s |' % (
                lb, len(rs), rng([r['wall'] for r in rs]), rng([r['cpu'] for r in rs]),
                rng([r['rss_mb'] for r in rs], 1), rng([r['requests'] for r in rs], 0),
                rng([r['ranged'] for r in rs], 0), rng([r['connections'] for r in rs], 0)))
        w('')
        if 'gmfetch' in walls:
            parts = ['gmfetch/floor = **%.2f**' % (walls['gmfetch'] / fl)]
            if 'curl (one stream)' in walls:
                parts.append('one stream/gmfetch = **%.1fx**' % (
                    walls['curl (one stream)'] / walls['gmfetch']))
            if 'go' in walls:
                parts.append('go/gmfetch = %.1fx' % (walls['go'] / walls['gmfetch']))
            w('Ratios: ' + '; '.join(parts) + '.')
            w('')

    sweep = [r for r in runs if r['label'].startswith('sweep') or r['label'].startswith('probe')]
    groups = []
    for r in sweep:
        if (r['profile'], r['consumer']) not in groups:
            groups.append((r['profile'], r['consumer']))
    for p, s in groups:
        w('## %s: probe and sweep (gmfetch only, %s corpus, cold cache)' % (p, s))
        w('')
        fl = cold_stats(runs, p, s)['floor']
        w('| options | runs | wall s | /floor | CPU s | peak RSS MiB | requests | connections | '
          'HEADs | ranged |')
        w('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
        labels = []
        for r in sweep:
            if (r['profile'], r['consumer']) == (p, s) and r['label'] not in labels:
                labels.append(r['label'])
        for lb in labels:
            rs = [r for r in sweep if r['label'] == lb and r['rc'] == 0 and
                  (r['profile'], r['consumer']) == (p, s)]
            if not rs:
                w('| %s | 0 | failed | | | | | | | |' % lb)
                continue
            mw = med([r['wall'] for r in rs])
            w('| `%s` | %d | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                ' '.join(rs[0]['opts']) or '(defaults)', len(rs), rng([r['wall'] for r in rs]),
                fmt(mw / fl) if fl else '-', rng([r['cpu'] for r in rs]),
                rng([r['rss_mb'] for r in rs], 1), rng([r['requests'] for r in rs], 0),
                rng([r['connections'] for r in rs], 0), rng([r['heads'] for r in rs], 0),
                rng([r['ranged'] for r in rs], 0)))
        w('')

    w('## Commands')
    w('')
    w('```')
    w('bench/run%s' % ((' ' + argv) if argv else ''))
    w('# cold run, per tool, in a copy of consumers/<set> with a fresh GOMODCACHE (on a new')
    w('# filesystem, see Profiles), GOPATH and HOME:')
    w('GOPROXY=<url> SSL_CERT_FILE=<test CA> GOSUMDB=off GOENV=off GOFLAGS= go mod download')
    w('GOPROXY=<url> SSL_CERT_FILE=<test CA> GOSUMDB=off GOENV=off GOFLAGS= %s [options]'
      % os.path.relpath(a.gmfetch, REPO))
    w('# after each gmfetch run:')
    w('GOPROXY=off GOFLAGS=-mod=mod go mod verify   # + tree comparison with the go run of the pair')
    w('aria2c -i urls.txt -j 16 -x 1 ...            # zips only')
    w('curl -o blob.zip --cacert <CA> <url>          # large zip, one stream')
    w('```')
    w('')
    with open(path, 'w') as f:
        f.write('\n'.join(L))


def write_chart(results, png):
    """Median wall time per profile and set: gmfetch, go, aria2c, floor (gnuplot, one panel
    per set: the heavy set's seconds would flatten the typical set's bars)."""
    runs = results['runs']
    panels = []
    for s in results.get('sets', ['typical']):
        rows = []
        for p in results['profiles']:
            st = cold_stats(runs, p, s)
            if st['gw'] or st['ow']:
                rows.append((p, st['gw'] or 0, st['ow'] or 0, st['arw'] or 0, st['floor'] or 0))
        if rows:
            panels.append((s, rows))
    if not panels or not shutil.which('gnuplot'):
        return False
    script = ['set terminal png size %d,500' % (600 * len(panels)), "set output '%s'" % png,
              'set multiplot layout 1,%d' % len(panels), 'set style data histograms',
              'set style histogram clustered gap 1', 'set style fill solid 0.8 border -1',
              'set boxwidth 0.9', 'set key top left', "set ylabel 'seconds'", 'set yrange [0:*]',
              'set grid ytics']
    dats = []
    for s, rows in panels:
        dat = '%s.%s.dat' % (png[:-4], s)
        dats.append(dat)
        with open(dat, 'w') as f:
            f.write('profile gmfetch go aria2c floor\n')
            for r in rows:
                f.write('%s %.3f %.3f %.3f %.3f\n' % r)
        script += ["set title '%s corpus, cold cache: median wall time (s), lower is better'" % s,
                   "plot '%s' using 2:xtic(1) title 'gmfetch', '' using 3 title 'go mod "
                   "download', '' using 4 title 'aria2c (zips only)', '' using 5 title 'floor'"
                   % dat]
    script.append('unset multiplot')
    r = subprocess.run(['gnuplot'], input='\n'.join(script) + '\n', text=True,
                       capture_output=True, timeout=60)
    for d in dats:
        os.unlink(d)
    return r.returncode == 0


SWEEP_VARIANTS = (
    [(['--probe=head'], 'probe head'), (['--probe=range'], 'probe range')] +
    [(['--connections=%d' % c], 'sweep c%d' % c) for c in (1, 2, 4, 8, 16)] +
    [(['--jobs=%d' % j], 'sweep j%d' % j) for j in (8, 16, 32, 128)] +
    [(['--http1.1', '--connections=%d' % c], 'sweep http1.1 c%d' % c) for c in (4, 8, 16)])


def run_all(a, b, corpus, deadline, site_seconds):
    """Every scenario, most important first (what the sweep leaves of the budget is cut)."""
    warm_n = 3 if a.quick else 5
    for p in a.profiles:
        if deadline.left() < 20:
            log('time budget exhausted before profile %s' % p)
            break
        log('== profile %s' % p)
        site = Site(p, corpus.proxy, os.path.join(b.work, 'site-' + p), a.scheme, site_seconds)
        try:
            for s in a.sets:
                if s == 'heavy' and p not in a.heavy_profiles:
                    continue
                if deadline.left() < 20:
                    break
                b.pairs(site, s, a.pairs if s == 'typical' else a.heavy_pairs, deadline,
                        warm=warm_n if p == 'lan' else 0)
                if p in ('wan', 'throttled') and not a.no_anchor and not a.quick and \
                        deadline.left() > 30:
                    b.aria2(site, s, 2)
        finally:
            site.stop()
    if not a.no_large and deadline.left() > 30:
        log('== large zip on throttled')
        site = Site('throttled', corpus.proxy, os.path.join(b.work, 'site-large'), a.scheme,
                    site_seconds)
        try:
            n = 1 if a.quick else 3
            for i in range(n):
                g = b.one(site, 'gmfetch', 'large')
                if not a.quick:
                    o = b.one(site, 'go', 'large')
                    b.check_gmfetch(g, o['root'] if o['rc'] == 0 else None)
                    b.cleanup(g['root'], o['root'])
                else:
                    b.check_gmfetch(g)
                    b.cleanup(g['root'])
            variants = [['--http1.1', '--connections=16']]
            if not a.quick:
                variants.insert(0, ['--http1.1'])
            for opts in variants:
                b.gm_series(site, 'large', opts, 'gmfetch ' + ' '.join(opts), n)
            if not a.quick:
                b.curl_single(site, n)
                if not a.no_anchor:
                    b.aria2(site, 'large', 1, split=16)
        finally:
            site.stop()
    for p, s in a.sweep:
        if deadline.left() < 60:
            log('time budget exhausted before the sweep on %s %s' % (p, s))
            break
        log('== sweep on %s, %s set' % (p, s))
        site = Site(p, corpus.proxy, os.path.join(b.work, 'site-sweep-%s-%s' % (p, s)),
                    a.scheme, site_seconds)
        try:
            for opts, label in SWEEP_VARIANTS:
                if deadline.left() < 60:
                    break
                b.gm_series(site, s, opts, label, 2 if s == 'typical' else 1)
        finally:
            site.stop()


def preread(corpus, sets, large):
    """Read the proxy files the runs will serve once, so that the first run does not pay for
    a cold page cache (only the typical set's when the heavy set is not run)."""
    limit = [] if 'heavy' in sets else ['-size', '-%dk' % ((corpusmod.TYPICAL_MAX_ZIP >> 10) + 1)]
    subprocess.run(['sh', '-c', 'p="$1"; shift; find "$p" -type f "$@" -print0 | '
                    'xargs -0 cat > /dev/null', 'sh', corpus.proxy] + limit, timeout=600,
                   check=False)
    if large:   # the blob (path and version have no upper case: no escaping)
        lm = corpus.meta['large']
        subprocess.run(['cat', os.path.join(corpus.proxy, lm['path'], '@v', lm['version'] + '.zip')],
                       stdout=subprocess.DEVNULL, timeout=600, check=False)


def on_sigterm(signum, frame):
    # timeout(1) in bench/run sends SIGTERM: unwind through the finally blocks (children killed,
    # nginx and relay stopped, fresh filesystems unmounted) instead of dying in place.
    raise SystemExit(128 + signum)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--quick', action='store_true',
                    help='typical set only, 1 pair on lan and wan, large zip: < 2 min')
    ap.add_argument('--sets', default=None,
                    help='comma list of typical,heavy (default: both; quick: typical)')
    ap.add_argument('--profiles', default=None,
                    help='comma list of lan,wan,throttled,norange (default: all; quick: lan,wan)')
    ap.add_argument('--heavy-profiles', default='lan,wan,throttled',
                    help='the profiles (of --profiles) the heavy set runs on '
                    '(default lan,wan,throttled)')
    ap.add_argument('--pairs', type=int, default=None,
                    help='A B pairs per profile, typical set (default 3; quick 1)')
    ap.add_argument('--heavy-pairs', type=int, default=None,
                    help='A B pairs per profile, heavy set (default: --pairs)')
    ap.add_argument('--sweep', default=None,
                    help='PROFILE:SET list for the gmfetch option sweep (default wan:typical; '
                    '"none": no sweep)')
    ap.add_argument('--no-sweep', action='store_true', help='same as --sweep none')
    ap.add_argument('--no-large', action='store_true')
    ap.add_argument('--no-anchor', action='store_true', help='skip aria2c')
    ap.add_argument('--scheme', choices=('https', 'http'), default='https')
    ap.add_argument('--fresh-fs', choices=('auto',) + freshfs.MODES, default='auto',
                    help='filesystem of each run\'s GOMODCACHE: a new ext4 loop image, a new '
                    'tmpfs or a plain directory (default auto: the first that works)')
    ap.add_argument('--gmfetch', default=os.path.join(REPO, 'build-bench', 'src', 'gmfetch'))
    ap.add_argument('--cache-dir', default=os.environ.get('GMFETCH_BENCH_CACHE',
                                                          '/var/tmp/gmfetch-bench'))
    ap.add_argument('--out', default=None, help='report path (default bench/RESULTS.md, '
                    'quick: <cache-dir>/RESULTS-quick.md)')
    ap.add_argument('--time-limit', type=float, default=None,
                    help='seconds for everything after the corpus (default %d; quick %d)' % (
                        FULL_LIMIT, QUICK_LIMIT))
    ap.add_argument('--keep', action='store_true', help='keep the run directories (and images)')
    ap.add_argument('--report-only', metavar='JSON',
                    help='rewrite the report (and chart) from a raw results file')
    a = ap.parse_args(argv)
    a.gmfetch = os.path.abspath(a.gmfetch)
    if a.pairs is None:
        a.pairs = 1 if a.quick else 3
    if a.heavy_pairs is None:
        a.heavy_pairs = a.pairs
    a.sets = a.sets.split(',') if a.sets else (['typical'] if a.quick else list(SETS))
    a.profiles = (a.profiles.split(',') if a.profiles else
                  (['lan', 'wan'] if a.quick else ['lan', 'wan', 'throttled', 'norange']))
    a.heavy_profiles = a.heavy_profiles.split(',')
    for s in a.sets:
        if s not in SETS:
            ap.error('unknown set ' + s)
    for p in a.profiles + a.heavy_profiles:
        if p not in PROFILES:
            ap.error('unknown profile ' + p)
    if a.no_sweep:
        a.sweep = 'none'
    elif a.sweep is None:
        a.sweep = 'none' if a.quick else 'wan:typical'
    a.sweep = [] if a.sweep == 'none' else [tuple(x.split(':', 1)) for x in a.sweep.split(',')]
    for x in a.sweep:
        if len(x) != 2 or x[0] not in PROFILES or x[1] not in SETS:
            ap.error('--sweep wants PROFILE:SET pairs, e.g. wan:typical,throttled:heavy')
    if a.out is None:
        a.out = (os.path.join(a.cache_dir, 'RESULTS-quick.md') if a.quick
                 else os.path.join(HERE, 'RESULTS.md'))
    if a.report_only:
        with open(a.report_only) as f:
            results = json.load(f)
        a.quick = results.get('quick', a.quick)
        root = results.get('corpus_root')
        if not root or not os.path.isdir(root):   # older results: the newest corpus
            cands = [os.path.join(a.cache_dir, d) for d in os.listdir(a.cache_dir)
                     if d.startswith('corpus-') and not d.endswith('.tmp')]
            root = max(cands, key=os.path.getmtime)
        corpus = corpusmod.Corpus(root)
        write_report(a, corpus, results, a.out)
        log('report: %s' % a.out)
        return 0
    if not os.access(a.gmfetch, os.X_OK):
        ap.error('no gmfetch binary at %s (bench/run builds it)' % a.gmfetch)
    signal.signal(signal.SIGTERM, on_sigterm)

    t0 = time.monotonic()
    corpus = corpusmod.build(a.cache_dir, log)
    log('corpus ready in %.1fs: %s' % (time.monotonic() - t0, corpus.root))
    if 'heavy' in a.sets and 'heavy' not in corpus.meta:
        ap.error('corpus %s has no heavy set' % corpus.root)
    for stale in freshfs.cleanup_stale(a.cache_dir):
        log('removed %s (left by a killed benchmark)' % stale)
    deadline = Deadline(a.time_limit or (QUICK_LIMIT if a.quick else FULL_LIMIT))
    preread(corpus, a.sets, not a.no_large)
    work = os.path.join(a.cache_dir, 'work-%d' % os.getpid())
    os.makedirs(work)
    b = Bench(a, corpus, work)
    b.results.update(machine=machine_info(a), profiles=a.profiles, sets=a.sets,
                     heavy_profiles=a.heavy_profiles, quick=a.quick, argv=argv,
                     corpus=corpus.meta['typical'], corpus_heavy=corpus.meta.get('heavy'),
                     corpus_root=corpus.root, pairs=a.pairs, heavy_pairs=a.heavy_pairs,
                     scheme=a.scheme, sweep=a.sweep)
    site_seconds = int(deadline.left()) + 120
    try:
        run_all(a, b, corpus, deadline, site_seconds)
    finally:
        for v in b.ref_snap.values():
            if not a.keep:
                b.drop_root(v[1])
        b.close()
        b.results['seconds'] = time.monotonic() - t0
        with open(a.out[:-3] + '.json' if a.out.endswith('.md') else a.out + '.json', 'w') as f:
            json.dump(b.results, f, indent=1, default=str)
        write_report(a, corpus, b.results, a.out)
        if not a.keep:
            e2e.rmtree(work)
    log('report: %s (%.0fs)' % (a.out, time.monotonic() - t0))
    if DIFFS:
        log('\n%d CORRECTNESS DIFFERENCE(S) between gmfetch and go: see %s' % (len(DIFFS), a.out))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
