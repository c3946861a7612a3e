#!/usr/bin/env python3
"""CLI tests: what a user sees of gmfetch around the download itself.

Each case runs the built gmfetch (GMFETCH_BIN) for the "small" consumer module of faults.py
(nine modules, one of them a 6 MiB zip) against tests/server/goproxy.py, and checks:

  usage     usage errors (one line plus a hint, exit 2); --help, --version and --generate work
            even with a broken config file
  dry-run   --dry-run lists the modules stock `go mod download -json` downloads, with the zip
            sizes of the proxy tree and the Range requests the shard settings imply, makes no
            request beyond the graph's .mod files and one size probe per missing zip, and
            writes nothing (no GOMODCACHE, go.sum unchanged); on a warm or damaged cache it
            tells what is there; -json gives the same as objects
  layers    defaults < config file < GMFETCH_* environment < flags, seen in what gmfetch does
            (Range requests in the server log); config errors as FILE:LINE:COLUMN, exit 2;
            the example in docs/ loads
  delegate  a run handed to the go command gets go's flags only
  progress  under a pseudo-terminal: a redrawn bar (CR, ESC[K) cut to the width, erased at
            the end, then the summary line; none of it without a terminal, with CI=true or
            --quiet; -json on stdout untouched; Ctrl-C (^C typed into the terminal) leaves a
            clean line, exit status 130 and a metrics file saying so; a long run without a
            terminal gets a few plain lines and then the summary
  metrics   --metrics-file: a file in the Prometheus text format (checked by a strict parser
            written here), values matching the run (-json, the server's request log), written
            through FILE.tmp-<pid> on success and on failure, no credentials in labels
  xtrace    -x prints go's "# get" lines: the same set as stock go's -x for the same run
            (with the 6 MiB zip sharded: one pair per file, like go), passwords redacted

Usage: cli.py [--cache-dir DIR] [--case NAME]... [--list] [-v]
Exit status: 0 all passed, 1 some failed, 77 skipped (go or the golang.org/x/mod source
missing).
"""

import argparse
import fcntl
import json
import math
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402  (the shared fixture: proxy tree, consumers, servers, checks)
from faults import BLOB_ZIP, Server, expect, log, read, rmtree  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE_CONFIG = os.path.join(ROOT, 'docs', 'config.example.yaml')
HINT = "run 'gmfetch --help' for usage"
ESC = '\033'


# ---------------------------------------------------------------------------------------------
# running gmfetch

class Ctx:
    def __init__(self, fx, work):
        self.fx, self.work = fx, work
        self.xdg = os.path.join(work, 'xdg')

    def env(self, side, goproxy, extra=None):
        """faults' go environment, with gmfetch's own settings under control: a config home
        of our own (empty unless a case writes one), no GMFETCH_* or CI from outside."""
        env = self.fx.env(side, goproxy)
        for k in list(env):
            if k.startswith('GMFETCH_') or k in ('CI', 'XDG_CONFIG_HOME'):
                del env[k]
        env['XDG_CONFIG_HOME'] = self.xdg
        env['TERM'] = 'xterm'
        env.update(extra or {})
        return env

    def config(self, text):
        """Write (or with None remove) the default config file."""
        path = os.path.join(self.xdg, 'gmfetch', 'config.yaml')
        if text is None:
            if os.path.exists(path):
                os.unlink(path)
            return path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def run(self, side, goproxy, args=(), extra_env=None, timeout=faults.CMD_TIMEOUT):
        env = self.env(side, goproxy, extra_env)
        return self.fx.run([self.fx.gmfetch] + list(args), os.path.join(side, 'work'), env,
                           timeout)


def snapshot(root):
    """path -> (mode, size, mtime_ns) of everything under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def go_modules(ctx, server):
    """(path, version) of what stock `go mod download -json` downloads for the consumer."""
    side = ctx.fx.side('go-json', fresh=False)
    r = ctx.fx.go_run(side, server.url, ['-json'])
    if r.rc != 0:
        raise RuntimeError('stock go failed: %r' % r)
    rmtree(side)
    return [(o['Path'], o['Version']) for o in json_stream(r.out)]


def json_stream(text):
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


def proxy_file_size(fx, path, version):
    return os.path.getsize(os.path.join(fx.proxy, faults.escape(path), '@v',
                                        faults.escape(version) + '.zip'))


# ---------------------------------------------------------------------------------------------
# a pseudo-terminal for stderr

class PtyRun:
    def __init__(self, rc, out, err, secs):
        self.rc, self.out, self.err, self.secs = rc, out, err, secs

    def __repr__(self):
        return 'exit %s after %.2fs\nstdout: %r\nstderr: %r' % (self.rc, self.secs, self.out,
                                                                 self.err)


def run_pty(ctx, side, goproxy, args=(), extra_env=None, cols=100, ctrl_c_when=None,
            timeout=60):
    """gmfetch with stdin and stderr on a pseudo-terminal that is its controlling terminal
    (stdout stays a pipe, as in `gmfetch -json > file`).  The terminal's output processing is
    off, so the bytes read are the bytes gmfetch wrote.  ctrl_c_when(stderr_so_far) -> True
    types ^C into the terminal once (the line discipline sends SIGINT to gmfetch)."""
    env = ctx.env(side, goproxy, extra_env)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 24, cols, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST
    termios.tcsetattr(slave, termios.TCSANOW, attrs)

    def controlling_tty():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    t0 = time.monotonic()
    p = subprocess.Popen([ctx.fx.gmfetch] + list(args), cwd=os.path.join(side, 'work'), env=env,
                         stdin=slave, stdout=subprocess.PIPE, stderr=slave,
                         preexec_fn=controlling_tty)
    os.close(slave)
    out, err = b'', b''
    open_fds = {master, p.stdout.fileno()}
    typed = False
    deadline = t0 + timeout
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 0.05)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's last user is gone
                data = b''
            if not data:
                open_fds.discard(fd)
            elif fd == master:
                err += data
            else:
                out += data
        if ctrl_c_when and not typed and ctrl_c_when(err.decode(errors='replace')):
            os.write(master, b'\x03')
            typed = True
    if open_fds:
        p.kill()
    rc = p.wait()
    os.close(master)
    p.stdout.close()
    return PtyRun(rc, out.decode(errors='replace'), err.decode(errors='replace'),
                  time.monotonic() - t0)


def screen_lines(text):
    """What a terminal shows for text made of CR, LF, ESC[K and printable characters."""
    lines, cur, col = [], [], 0
    i = 0
    while i < len(text):
        c = text[i]
        if text.startswith(ESC + '[K', i):
            del cur[col:]
            i += 3
            continue
        if c == '\r':
            col = 0
        elif c == '\n':
            lines.append(''.join(cur))
            cur, col = [], 0
        else:
            if col < len(cur):
                cur[col] = c
            else:
                cur.append(c)
            col += 1
        i += 1
    return lines, ''.join(cur)


# ---------------------------------------------------------------------------------------------
# the Prometheus text format (https://prometheus.io/docs/instrumenting/exposition_formats/,
# "Text format details"), strictly

METRIC_NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL_NAME = r'[a-zA-Z_][a-zA-Z0-9_]*'
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')


def parse_float(s):
    if s in ('NaN', '+Inf', '-Inf', 'Inf', '+inf', '-inf', 'inf', 'nan'):
        return float(s.replace('Inf', 'inf').replace('NaN', 'nan'))
    if not re.fullmatch(r'[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?', s):
        raise ValueError('bad value %r' % s)
    return float(s)


def parse_label_value(s, i):
    """s[i] is after the opening quote; returns (value, index after the closing quote)."""
    out = []
    while i < len(s):
        c = s[i]
        if c == '"':
            return ''.join(out), i + 1
        if c == '\\':
            nxt = s[i + 1:i + 2]
            if nxt not in ('\\', '"', 'n'):
                raise ValueError('bad escape \\%s' % nxt)
            out.append('\n' if nxt == 'n' else nxt)
            i += 2
            continue
        if c == '\n':
            raise ValueError('newline in a label value')
        out.append(c)
        i += 1
    raise ValueError('unterminated label value')


def parse_prometheus(text):
    """{family: {'type', 'help', 'samples': [(name, labels dict, value)]}}; raises ValueError
    on anything the format does not allow."""
    if text and not text.endswith('\n'):
        raise ValueError('no newline at the end')
    families, order, current = {}, [], None

    def family_of(name):
        for suffix in ('_sum', '_count', '_bucket'):
            base = name[:-len(suffix)]
            if name.endswith(suffix) and base in families and \
                    families[base]['type'] in ('summary', 'histogram'):
                return base
        return name

    for n, line in enumerate(text.split('\n')[:-1], 1):
        where = 'line %d: %r' % (n, line)
        if not line.strip():
            continue
        if line.startswith('#'):
            m = re.fullmatch(r'# (HELP|TYPE) (' + METRIC_NAME + r') (.*)', line)
            if not m:
                if re.match(r'#\s*(HELP|TYPE)\b', line):
                    raise ValueError('malformed %s' % where)
                continue  # a plain comment
            kind, name, rest = m.groups()
            fam = families.setdefault(name, {'type': None, 'help': None, 'samples': []})
            if fam['samples']:
                raise ValueError('%s after samples of %s: %s' % (kind, name, where))
            if kind == 'TYPE':
                if fam['type'] is not None or rest not in TYPES:
                    raise ValueError('bad or second TYPE: ' + where)
                fam['type'] = rest
            else:
                if fam['help'] is not None:
                    raise ValueError('second HELP: ' + where)
                if re.search(r'\\[^\\n]', rest.replace('\\\\', '')):
                    raise ValueError('bad escape in HELP: ' + where)
                fam['help'] = rest
            if name not in order:
                order.append(name)
            continue
        m = re.match(r'(' + METRIC_NAME + r')', line)
        if not m:
            raise ValueError('no metric name: ' + where)
        name, i, labels = m.group(1), m.end(), {}
        if line[i:i + 1] == '{':
            i += 1
            while True:
                if line[i:i + 1] == '}':
                    i += 1
                    break
                lm = re.match(LABEL_NAME, line[i:])
                if not lm or line[i + lm.end():i + lm.end() + 2] != '="':
                    raise ValueError('bad label: ' + where)
                lname = lm.group(0)
                value, i = parse_label_value(line, i + lm.end() + 2)
                if lname in labels:
                    raise ValueError('label twice: ' + where)
                labels[lname] = value
                if line[i:i + 1] == ',':
                    i += 1
                elif line[i:i + 1] != '}':
                    raise ValueError('bad label list: ' + where)
        rest = line[i:]
        if not rest.startswith(' '):
            raise ValueError('no space before the value: ' + where)
        parts = rest.split()
        if len(parts) not in (1, 2):
            raise ValueError('bad value part: ' + where)
        value = parse_float(parts[0])
        if len(parts) == 2 and not re.fullmatch(r'-?\d+', parts[1]):
            raise ValueError('bad timestamp: ' + where)
        fname = family_of(name)
        fam = families.setdefault(fname, {'type': None, 'help': None, 'samples': []})
        if current != fname and fam['samples']:
            raise ValueError('samples of %s are not together: %s' % (fname, where))
        current = fname
        key = (name, tuple(sorted(labels.items())))
        if any((s[0], tuple(sorted(s[1].items()))) == key for s in fam['samples']):
            raise ValueError('duplicate sample: ' + where)
        fam['samples'].append((name, labels, value))
        if fname not in order:
            order.append(fname)
    return families


def metric(families, name, **labels):
    for fam in families.values():
        for n, ls, v in fam['samples']:
            if n == name and all(ls.get(k) == val for k, val in labels.items()):
                return v
    return None


def check_conventions(families, p):
    """Prometheus naming: gmfetch_ prefix, counters end in _total, base units, HELP + TYPE."""
    for name, fam in families.items():
        expect(name.startswith('gmfetch_'), 'metric %s lacks the gmfetch_ prefix' % name, p)
        expect(fam['type'] is not None and fam['help'], '%s lacks TYPE or HELP' % name, p)
        if fam['type'] == 'counter':
            expect(name.endswith('_total'), 'counter %s does not end in _total' % name, p)
        else:
            expect(not name.endswith('_total'), '%s %s ends in _total' % (fam['type'], name), p)
        expect(not re.search(r'(milli|micro|kilo|mega)|_ms\b|_kb\b', name),
               '%s is not in base units' % name, p)
        expect(fam['samples'], '%s has no sample' % name, p)


# ---------------------------------------------------------------------------------------------
# cases

CASES = []


def case(desc):
    def reg(fn):
        CASES.append((fn.__name__, desc, fn))
        return fn
    return reg


@case('usage errors: one line plus a hint, exit 2; --help/--version/--generate need no config')
def usage(ctx, p):
    side = ctx.fx.side('usage')
    for args, msg in [(['--nope'], 'gmfetch: flag provided but not defined: -nope'),
                      (['--jobs', 'many'],
                       'gmfetch: invalid value "many" for flag -jobs: want a number'),
                      (['--progress=loud'], 'gmfetch: invalid value "loud" for flag -progress: '
                                            'want auto, bar, plain or none'),
                      (['-j'], 'gmfetch: flag needs an argument: -jobs')]:
        r = ctx.run(side, 'off', args)
        expect(r.rc == 2 and r.err == msg + '\n' + HINT + '\n' and r.out == '',
               '%s: want exit 2 and %r: %r' % (args, msg, r), p)
    ctx.config('jobs: [\n')
    try:
        for args, want in [(['--help'], 'Exit status:'), (['--version'], 'gmfetch '),
                           (['--generate=man'], '.SH EXIT STATUS')]:
            r = ctx.run(side, 'off', args)
            expect(r.rc == 0 and want in r.out and r.err == '',
                   '%s with a broken config: %r' % (args, r), p)
        r = ctx.run(side, 'off', ['-n'])
        expect(r.rc == 2 and r.err.startswith('gmfetch: ' + os.path.join(
            ctx.xdg, 'gmfetch', 'config.yaml') + ':2:1: ') and HINT not in r.err,
               'a run with a broken config: want exit 2 and FILE:LINE:COLUMN: %r' % r, p)
    finally:
        ctx.config(None)


def dry_lines(out):
    """module -> the text after 'path version: ' of a --dry-run."""
    res = {}
    for line in out.splitlines():
        m = re.match(r'(\S+) (\S+): (.*)', line)
        if m and not line.startswith('gmfetch:'):
            res[(m.group(1), m.group(2))] = m.group(3)
    return res


@case('--dry-run on an empty cache: go\'s download list with the proxy\'s zip sizes and the '
      'Range requests they take; .mod and one size probe per zip only; nothing written')
def dry_run(ctx, p):
    fx = ctx.fx
    with Server(fx.proxy, logdir=ctx.work) as s:
        want = go_modules(ctx, s)
        side = fx.side('dry')
        gosum = read(os.path.join(side, 'work', 'go.sum'))
        open(s.logfile, 'w').close()
        r = ctx.run(side, s.url, ['--dry-run', '--shard-size', '1M', '--shard-threshold', '1M'])
        lines = s.lines()
    expect(r.rc == 0, 'dry run failed: %r' % r, p)
    got = dry_lines(r.out)
    expect(list(got) == want, 'modules: go downloads %s, the dry run lists %s' % (want,
                                                                                 list(got)), p)
    for (path, version), text in got.items():
        size = proxy_file_size(fx, path, version)
        shards = math.ceil(size / (1 << 20)) if size > (1 << 20) else 1
        req = '%d Range requests' % shards if shards > 1 else '1 request'
        expect(text.startswith('to download, zip ') and '(%d bytes), %s' % (size, req) in text,
               '%s@%s: want %d bytes, %s: %r' % (path, version, size, req, text), p)
    expect(re.search(r'^gmfetch: dry run: 9 modules: 0 cached, 9 to download \(6\.0 MiB\), '
                     r'0 by the go command, 0 failed; nothing was written$', r.out, re.M),
           'total line: %r' % r.out, p)
    expect(not os.path.exists(os.path.join(side, 'modcache')), 'GOMODCACHE was created', p)
    expect(read(os.path.join(side, 'work', 'go.sum')) == gosum, 'go.sum changed', p)
    bad = [l for l in lines if not (l['path'].endswith('.mod') or
                                    (l['path'].endswith('.zip') and l['range'] != '-'))]
    expect(not bad, 'requests other than .mod and ranged .zip probes: %s' % bad, p)
    zips = [l['path'] for l in lines if l['path'].endswith('.zip')]
    expect(len(zips) == len(set(zips)) == len(want), 'one probe per zip: %s' % zips, p)
    expect(r.err == '', 'stderr: %r' % r.err, p)


@case('--dry-run on a warm cache says "cached" and makes no request; on a damaged one it says '
      'what is missing; -json gives the plan as objects; nothing changes in the cache')
def dry_run_warm(ctx, p):
    fx = ctx.fx
    with Server(fx.proxy, logdir=ctx.work) as s:
        side = fx.side('drywarm')
        r = ctx.run(side, s.url)
        expect(r.rc == 0, 'the real run failed: %r' % r, p)
        mc = os.path.join(side, 'modcache')
        before = snapshot(mc)
        open(s.logfile, 'w').close()
        r = ctx.run(side, s.url, ['-n'])
        expect(r.rc == 0 and all(t.startswith('cached, zip ') for t in dry_lines(r.out).values())
               and len(dry_lines(r.out)) == 9, 'warm dry run: %r' % r, p)
        expect(snapshot(mc) == before, 'the warm dry run changed the cache', p)
        expect(s.lines() == [], 'the warm dry run made requests: %s' % s.lines(), p)
        # Damage: hello loses its extracted tree, multi its zip and tree.
        rmtree(os.path.join(mc, 'example.com', 'hello@v1.0.0'))
        vdir = os.path.join(mc, 'cache', 'download', 'example.com', 'multi', '@v')
        for n in ('v1.2.0.zip', 'v1.2.0.ziphash'):
            os.unlink(os.path.join(vdir, n))
        rmtree(os.path.join(mc, 'example.com', 'multi@v1.2.0'))
        before = snapshot(mc)
        r = ctx.run(side, s.url, ['-n'])
        got = dry_lines(r.out)
        expect(got.get(('example.com/hello', 'v1.0.0'), '').startswith(
            'zip cached, to be extracted'), 'hello: %r' % r.out, p)
        size = proxy_file_size(fx, 'example.com/multi', 'v1.2.0')
        expect(got.get(('example.com/multi', 'v1.2.0')) ==
               'to download (cache has .info .mod), zip 1.4 KiB (%d bytes), 1 request' % size,
               'multi: %r' % r.out, p)
        r = ctx.run(side, s.url, ['-n', '-json'])
        objs = json_stream(r.out)
        expect(r.rc == 0 and len(objs) == 9, 'dry run -json: %r' % r, p)
        by = {o['Path']: o for o in objs}
        m = by.get('example.com/multi', {})
        expect(m.get('Cached') is False and m.get('Have') == ['.info', '.mod'] and
               m.get('ZipSize') == size and m.get('Requests') == 1, 'multi: %s' % m, p)
        a = by.get('example.com/a', {})
        expect(a.get('Cached') is True and a.get('Have') == ['.info', '.mod', '.zip', 'dir'] and
               'Requests' not in a, 'a: %s' % a, p)
        expect(snapshot(mc) == before, 'the dry runs changed the damaged cache', p)


@case('layers: defaults < config file < GMFETCH_* < flags, in the Range requests gmfetch '
      'makes for the 6 MiB zip; the example config in docs/ loads')
def layers(ctx, p):
    fx = ctx.fx
    blob = proxy_file_size(fx, faults.BLOB_PATH, faults.BLOB_VERSION)

    def plan(extra_env=None, args=()):
        side = fx.side('layers')
        r = ctx.run(side, 'file://' + fx.proxy, ['-n'] + list(args), extra_env)
        text = dry_lines(r.out).get((faults.BLOB_PATH, faults.BLOB_VERSION), '')
        m = re.search(r'(\d+) Range requests|(1) request', text)
        return (int(m.group(1) or m.group(2)) if m else None), r

    mib = 1 << 20
    steps = [
        ('defaults (8 MiB threshold)', None, None, (), 1),
        ('config', 'shard-size: 1M\nshard-threshold: 1M\n', None, (), math.ceil(blob / mib)),
        ('environment over config', 'shard-size: 1M\nshard-threshold: 1M\n',
         {'GMFETCH_SHARD_SIZE': '2M'}, (), math.ceil(blob / (2 * mib))),
        ('flag over environment', 'shard-size: 1M\nshard-threshold: 1M\n',
         {'GMFETCH_SHARD_SIZE': '2M'}, ('--shard-size', '3M'), math.ceil(blob / (3 * mib))),
        ('GMFETCH_CONFIG', None, {'GMFETCH_CONFIG': 'ALT'}, (), math.ceil(blob / (512 << 10))),
        ('--config= reads none', 'shard-threshold: 1M\n', None, ('--config=',), 1),
        ('the example config', None, None, ('--config', EXAMPLE_CONFIG), 1),
    ]
    alt = os.path.join(ctx.work, 'alt.yaml')
    with open(alt, 'w') as f:
        f.write('shard-size: 512K\nshard-threshold: 1M\n')
    try:
        for what, cfg, env, args, want in steps:
            ctx.config(cfg)
            if env and env.get('GMFETCH_CONFIG') == 'ALT':
                env = {'GMFETCH_CONFIG': alt}
            got, r = plan(env, args)
            expect(r.rc == 0 and got == want, '%s: want %s requests for the zip, got %s: %r' % (
                what, want, got, r), p)
        # The config file changes what the real run does.
        ctx.config('shard-size: 1M\nshard-threshold: 1M\nprogress: none\n')
        with Server(fx.proxy, logdir=ctx.work) as s:
            side = fx.side('layers-real')
            r = ctx.run(side, s.url)
            zl = faults.zip_lines(s.lines())
        expect(r.rc == 0 and len(zl) == math.ceil(blob / mib) and
               all(l['status'] == 206 for l in zl),
               'a config file with shard-size 1M: want %d Range requests for the zip, got %s'
               % (math.ceil(blob / mib), zl), p)
    finally:
        ctx.config(None)


@case('config and environment errors: FILE:LINE:COLUMN (or the variable) on stderr, exit 2, '
      'no request')
def config_errors(ctx, p):
    fx = ctx.fx
    cfg_path = os.path.join(ctx.xdg, 'gmfetch', 'config.yaml')
    cases = [
        ('jobs: 8\njobz: 3\n', None, (), cfg_path + ':2:1: unknown option "jobz"'),
        ('jobs: "8"\n', None, (),
         cfg_path + ':1:7: invalid value for jobs: want a number, got a quoted string'),
        ('progress: [bar]\n', None, (),
         cfg_path + ':1:11: invalid value for progress: want a word, got a sequence'),
        ('retries: 1\nretries: 2\n', None, (),
         cfg_path + ':2:1: duplicate option "retries" (first set at line 1)'),
        ('- jobs\n', None, (),
         cfg_path + ':1:1: want a mapping of option names to values, got a sequence'),
        ('quiet: yes\n', None, ('--quiet',),
         cfg_path + ':1:8: invalid value "yes" for quiet: want true or false'),
        (None, {'GMFETCH_TIMEOUT': '0'}, (),
         'invalid value "0" for GMFETCH_TIMEOUT: must be at least 1'),
        (None, None, ('--config', os.path.join(ctx.work, 'missing.yaml')),
         'reading config file: open %s: No such file or directory'
         % os.path.join(ctx.work, 'missing.yaml')),
    ]
    try:
        with Server(fx.proxy, logdir=ctx.work) as s:
            side = fx.side('cfgerr')
            for cfg, env, args, msg in cases:
                ctx.config(cfg)
                r = ctx.run(side, s.url, list(args), env)
                expect(r.rc == 2 and r.err == 'gmfetch: ' + msg + '\n' and r.out == '',
                       'want exit 2 and %r: %r' % (msg, r), p)
            expect(s.lines() == [], 'requests despite a bad config: %s' % s.lines(), p)
    finally:
        ctx.config(None)


@case('a run handed to the go command gets go\'s flags, not gmfetch\'s own')
def delegate(ctx, p):
    fx = ctx.fx
    bindir = os.path.join(ctx.work, 'fakebin')
    os.makedirs(bindir, exist_ok=True)
    logf = os.path.join(ctx.work, 'fakego.log')
    with open(os.path.join(bindir, 'go'), 'w') as f:
        f.write('#!/bin/sh\nprintf "%%s\\n" "$@" > %s\nexit 0\n' % logf)
    os.chmod(os.path.join(bindir, 'go'), 0o755)
    side = fx.side('delegate')
    env = {'PATH': bindir + os.pathsep + os.environ.get('PATH', '')}
    r = ctx.run(side, 'off', ['--jobs', '3', '-x', '--progress', 'none', '-modfile=alt.mod',
                              '-v', '--', 'rsc.io/quote@latest'], env)
    got = (read(logf) or b'').decode().split('\n')[:-1]
    want = ['mod', 'download', '-x', '-modfile=alt.mod', '--', 'rsc.io/quote@latest']
    expect(r.rc == 0 and got == want, 'fake go got %s, want %s: %r' % (got, want, r), p)


def progress_checks(r, p, what):
    """Things every terminal run must satisfy: the last screen line is clean and the summary
    is the last line."""
    lines, last = screen_lines(r.err)
    expect(last == '', '%s: the terminal line is not clean at the end: %r' % (what, last), p)
    return lines


@case('progress on a terminal: bar redrawn in place, cut to the width, erased, then the '
      'summary; -json stdout untouched; none of it without a terminal, under CI=true or -q')
def progress(ctx, p):
    fx = ctx.fx
    with Server(fx.proxy, '--rate', 2000000, logdir=ctx.work) as s:
        side = fx.side('progress')
        r = run_pty(ctx, side, s.url, ['-json'], cols=60)
        expect(r.rc == 0, 'gmfetch under a terminal failed: %r' % r, p)
        objs = json_stream(r.out)
        expect(len(objs) == 9 and all('Error' not in o for o in objs),
               'stdout is not the 9 -json objects: %r' % r.out, p)
        expect(ESC not in r.out and '\r' not in r.out, 'control codes on stdout', p)
        draws = r.err.count('\r' + 'gmfetch [')
        expect(draws >= 3 and ESC + '[K' in r.err, 'want several bar draws: %r' % r.err, p)
        expect(draws <= r.secs * 10 + 3, '%d draws in %.1fs: more than 10 a second' % (
            draws, r.secs), p)
        for seg in r.err.split('\r'):
            text = seg.split(ESC + '[K')[0]
            expect(len(text) <= 59, 'a bar line wider than the terminal (60): %r' % text, p)
        lines = progress_checks(r, p, 'bar')
        expect(len(lines) == 1 and re.fullmatch(
            r'gmfetch: 9 modules \(9 downloaded, 0 cached, 0 failed\), 6\.\d MiB in [\d.]+s '
            r'\(.*/s\), \d+ retr(y|ies)', lines[0]), 'want only the summary left: %r' % lines, p)
        # A warm run on a terminal: too short for a bar, but the summary.
        r = run_pty(ctx, side, s.url)
        lines = progress_checks(r, p, 'warm')
        expect(r.rc == 0 and lines and lines[-1].startswith('gmfetch: 9 modules (0 downloaded, '
                                                            '9 cached, 0 failed)'),
               'warm run summary: %r' % r, p)

        for what, args, env in [('no terminal', [], None), ('quiet', ['-q'], None),
                                ('CI=true', [], {'CI': 'true'}), ('TERM=dumb', [], {'TERM':
                                                                                    'dumb'})]:
            side = fx.side('progress-' + what)
            if what == 'no terminal':
                r = ctx.run(side, s.url, ['-json'])
                expect(r.rc == 0 and r.err == '' and len(json_stream(r.out)) == 9,
                       'without a terminal stderr must stay empty (as go\'s): %r' % r, p)
                continue
            r = run_pty(ctx, side, s.url, args, extra_env=env)
            expect(r.rc == 0 and ESC not in r.err and '\r' not in r.err,
                   '%s: control codes on the terminal: %r' % (what, r.err), p)
            if what == 'quiet':
                expect(r.err == '', 'quiet: %r' % r.err, p)
            else:
                expect(re.fullmatch(r'gmfetch: 9 modules \(9 downloaded.*\n', r.err),
                       '%s: want the summary only: %r' % (what, r.err), p)


@case('Ctrl-C typed into the terminal while the bar is drawn: the line is erased before '
      '"gmfetch: interrupted", exit status 130')
def progress_ctrl_c(ctx, p):
    fx = ctx.fx
    with Server(fx.proxy, '--rate', 500000, logdir=ctx.work) as s:
        side = fx.side('ctrlc')
        prom = os.path.join(side, 'gmfetch.prom')
        r = run_pty(ctx, side, s.url, ['--metrics-file', prom],
                    ctrl_c_when=lambda err: err.count('\rgmfetch [') >= 3)
    expect(r.rc == 130, 'want exit status 130 after ^C: %r' % r, p)
    try:
        fams = parse_prometheus((read(prom) or b'').decode())
        expect(metric(fams, 'gmfetch_exit_code') == 130, 'metrics after ^C: exit code %s' % (
            metric(fams, 'gmfetch_exit_code')), p)
    except ValueError as e:
        p.append('metrics after ^C: %s' % e)
    lines = progress_checks(r, p, 'ctrl-c')
    expect(lines == ['gmfetch: interrupted'], 'want only "gmfetch: interrupted" on a clean '
                                              'screen: %r (raw %r)' % (lines, r.err), p)
    # After the last bar: the terminal's echo of ^C, the erase, the message.
    tail = r.err[r.err.rfind('\rgmfetch ['):]
    expect(tail.endswith('\r' + ESC + '[Kgmfetch: interrupted\n'),
           'the bar was not erased before the message: %r' % tail, p)


@case('a run longer than 10 s without a terminal: a few plain progress lines, no control '
      'codes, then the summary')
def progress_plain(ctx, p):
    fx = ctx.fx
    with Server(fx.proxy, '--rate', 300000, logdir=ctx.work) as s:
        side = fx.side('plain')
        r = ctx.run(side, s.url, ['--shard-threshold', '100M'])
    expect(r.rc == 0, 'failed: %r' % r, p)
    lines = r.err.splitlines()
    expect(r.secs > 10.5, 'the run took only %.1fs, too short for this case' % r.secs, p)
    expect(ESC not in r.err and '\r' not in r.err, 'control codes: %r' % r.err, p)
    expect(1 <= len(lines) - 1 <= 2 and all(re.fullmatch(
        r'gmfetch: (\d+/9 modules|loading module graph).*, \d+s', l) for l in lines[:-1]),
        'want one or two plain lines: %r' % lines, p)
    expect(lines and lines[-1].startswith('gmfetch: 9 modules (9 downloaded'),
           'want the summary last: %r' % lines, p)


def metrics_run(ctx, side, goproxy, args=(), env=None):
    path = os.path.join(side, 'metrics', 'gmfetch.prom')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    r = ctx.run(side, goproxy, ['--metrics-file', path] + list(args), env)
    leftovers = [n for n in os.listdir(os.path.dirname(path)) if n != 'gmfetch.prom']
    text = (read(path) or b'').decode()
    return r, text, leftovers


@case('--metrics-file: Prometheus text format (strict parser), values matching -json and the '
      'server log, success and failure, no credentials in labels, no temp file left')
def metrics(ctx, p):
    fx = ctx.fx
    with Server(fx.proxy, logdir=ctx.work) as s:
        side = fx.side('metrics')
        r, text, left = metrics_run(ctx, side, s.url, ['-json', '--shard-size', '1M',
                                                       '--shard-threshold', '1M'])
        lines = s.lines()
    expect(r.rc == 0, 'run failed: %r' % r, p)
    expect(not left, 'left next to the metrics file: %s' % left, p)
    try:
        fams = parse_prometheus(text)
    except ValueError as e:
        p.append('not Prometheus text: %s\n%s' % (e, text))
        return
    check_conventions(fams, p)
    objs = json_stream(r.out)
    ok = len([o for o in objs if 'Error' not in o])
    for name in ('gmfetch_requests_total', 'gmfetch_range_requests_total',
                 'gmfetch_http_416_total', 'gmfetch_http_416_ratio', 'gmfetch_retries_total',
                 'gmfetch_resumed_bytes_total', 'gmfetch_duration_seconds',
                 'gmfetch_shard_bytes_sum', 'gmfetch_shard_bytes_count'):
        expect(metric(fams, name) is not None, '%s missing:\n%s' % (name, text), p)
    expect(metric(fams, 'gmfetch_modules_total', state='downloaded') == ok == 9 and
           metric(fams, 'gmfetch_modules_total', state='cached') == 0 and
           metric(fams, 'gmfetch_modules_total', state='failed') == 0,
           'modules_total vs -json (%d objects):\n%s' % (len(objs), text), p)
    expect(metric(fams, 'gmfetch_requests_total') == len(lines),
           'requests_total %s, the server saw %d' % (metric(fams, 'gmfetch_requests_total'),
                                                     len(lines)), p)
    ranged = [l for l in lines if l['range'] != '-']
    expect(metric(fams, 'gmfetch_range_requests_total') == len(ranged),
           'range_requests_total %s, the server saw %d' % (
               metric(fams, 'gmfetch_range_requests_total'), len(ranged)), p)
    partial = sum(l['bytes'] for l in lines if l['status'] == 206)
    expect(metric(fams, 'gmfetch_shard_bytes_sum') == partial and
           metric(fams, 'gmfetch_shard_bytes_count') == len(ranged),
           'shard_bytes sum/count %s/%s, the server sent %d bytes in 206 answers to %d Range '
           'requests' % (metric(fams, 'gmfetch_shard_bytes_sum'),
                         metric(fams, 'gmfetch_shard_bytes_count'), partial, len(ranged)), p)
    for name in ('gmfetch_http_416_total', 'gmfetch_http_416_ratio', 'gmfetch_retries_total',
                 'gmfetch_resumed_bytes_total'):
        expect(metric(fams, name) == 0, '%s is %s in a run without faults' % (
            name, metric(fams, name)), p)
    served = sum(l['bytes'] for l in lines)
    expect(metric(fams, 'gmfetch_bytes_total', proxy=s.url) == served,
           'bytes_total{proxy=%s} %s, the server sent %d:\n%s' % (
               s.url, metric(fams, 'gmfetch_bytes_total', proxy=s.url), served, text), p)
    expect(0 < metric(fams, 'gmfetch_duration_seconds') < r.secs + 0.5, 'duration', p)
    expect(metric(fams, 'gmfetch_exit_code') == 0, 'exit code gauge', p)

    # A warm run: everything cached, no request.
    r, text, left = metrics_run(ctx, side, s.url)
    try:
        fams = parse_prometheus(text)
        expect(metric(fams, 'gmfetch_modules_total', state='cached') == 9 and
               metric(fams, 'gmfetch_requests_total') == 0, 'warm run:\n%s' % text, p)
    except ValueError as e:
        p.append('warm run: not Prometheus text: %s' % e)

    # Failure: one module's zip is 404 -> written, with failed=1; credentials in GOPROXY never
    # reach a label.
    with Server(fx.proxy, '--status', '*/example.com/hello/@v/v1.0.0.zip=404',
                logdir=ctx.work) as s:
        side = fx.side('metrics-fail')
        r, text, left = metrics_run(ctx, side, s.url, ['-json'])
        try:
            fams = parse_prometheus(text)
            expect(r.rc == 1 and metric(fams, 'gmfetch_modules_total', state='failed') == 1 and
                   metric(fams, 'gmfetch_modules_total', state='downloaded') == 8 and
                   metric(fams, 'gmfetch_exit_code') == 1,
                   'failed run: exit %s\n%s' % (r.rc, text), p)
        except ValueError as e:
            p.append('failed run: not Prometheus text: %s\n%s' % (e, text))
        secret_url = s.url.replace('http://', 'http://alice:s3cr%22et@')
        side = fx.side('metrics-cred')
        r, text, left = metrics_run(ctx, side, secret_url + ',' + s.url, ['example.com/hello'])
        expect('alice' not in text and 's3cr' not in text, 'credentials in metrics:\n' + text, p)
        try:
            parse_prometheus(text)
        except ValueError as e:
            p.append('credentials run: not Prometheus text: %s\n%s' % (e, text))
        expect(not left, 'left next to the metrics file: %s' % left, p)


def xlines(text, side):
    text = text.replace(side, '$SIDE')
    text = re.sub(r' \(\d+\.\d{3}s\)$', '', text, flags=re.M)
    return sorted(l for l in text.splitlines() if l.startswith('# get'))


@case('-x: the same "# get" lines as stock go (timings dropped), one pair per file even when '
      'sharded, in go\'s format; a password in GOPROXY is redacted as go does')
def xtrace(ctx, p):
    fx = ctx.fx
    with Server(fx.proxy, logdir=ctx.work) as s:
        side_go = fx.side('x-go', fresh=False)
        rg = fx.go_run(side_go, s.url, ['-x'])
        side = fx.side('x')
        rb = ctx.run(side, s.url, ['-x', '--shard-size', '1M', '--shard-threshold', '1M'])
        lines = s.lines()
    expect(rg.rc == 0 and rb.rc == 0, 'go %r\ngmfetch %r' % (rg, rb), p)
    go_x, gm_x = xlines(rg.err, s.url), xlines(rb.err, s.url)
    expect(go_x == gm_x, '-x lines differ:\ngo:      %s\ngmfetch: %s' % (go_x, gm_x), p)
    expect(len([l for l in lines if BLOB_ZIP in l['path']]) > 1, 'the zip was not sharded', p)
    for l in rb.err.splitlines():
        expect(re.fullmatch(r'# get \S+(: 200 OK \(\d+\.\d{3}s\))?', l),
               'not go\'s -x format: %r' % l, p)
    # Credentials over http: go refuses to send them and says so under -x; so must gmfetch.
    with Server(fx.proxy, logdir=ctx.work) as s:
        url = s.url.replace('http://', 'http://alice:secret@')
        side_go = fx.side('xc-go', fresh=False)
        rg = fx.go_run(side_go, url, ['-x', 'example.com/hello@v1.0.0'])
        side = fx.side('xc')
        rb = ctx.run(side, url, ['-x', 'example.com/hello@v1.0.0'])
    expect('secret' not in rb.err and 'alice:xxxxx@' in rb.err,
           'password not redacted: %r' % rb.err, p)
    expect(rg.rc == rb.rc and xlines(rg.err, side_go) == xlines(rb.err, side),
           'credentials -x: go %r\ngmfetch %r' % (rg, rb), p)
    rmtree(side_go)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cache-dir', help='keep the proxy tree and consumer module here')
    ap.add_argument('--case', action='append', default=[])
    ap.add_argument('--list', action='store_true')
    ap.add_argument('-v', '--verbose', action='store_true')
    ap.add_argument('--no-skip', action='store_true',
                    help='fail instead of exiting 77 when go or the x/mod source is missing')
    a = ap.parse_args(argv)
    if a.list:
        for name, desc, _ in CASES:
            log('%-18s %s' % (name, desc))
        return 0
    selected = [c for c in CASES if not a.case or c[0] in a.case]
    os.umask(0o022)
    # meson's timeout sends SIGTERM: leave through the finally blocks, which stop the
    # servers and remove the work tree.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    work = tempfile.mkdtemp(prefix='gmfetch-cli-')
    failed, passed = [], 0
    t_start = time.monotonic()
    try:
        try:
            fx = faults.Fixture(a.cache_dir or os.path.join(work, 'cache'), work)
        except faults.Skip as e:
            log('%s: %s' % ('FAIL' if a.no_skip else 'SKIP', e))
            return 1 if a.no_skip else faults.SKIP
        ctx = Ctx(fx, work)
        for name, desc, fn in selected:
            t0 = time.monotonic()
            problems = []
            try:
                fn(ctx, problems)
            except Exception as e:  # a broken fixture fails this case, not the others
                problems.append('harness error: %s: %s' % (type(e).__name__, e))
            log('%s %-18s %5.1fs  %s' % ('FAIL' if problems else 'ok  ', name,
                                         time.monotonic() - t0, desc if a.verbose else ''))
            for x in problems:
                log('    ' + str(x).replace('\n', '\n    '))
            if problems:
                failed.append(name)
            else:
                passed += 1
    finally:
        rmtree(work)
    log('cli finished in %.1fs: %d passed, %d failed%s' % (
        time.monotonic() - t_start, passed, len(failed),
        (' (' + ' '.join(failed) + ')') if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
