#!/usr/bin/env python3
"""End-to-end differential test: gmfetch must leave the same GOMODCACHE as `go mod download`.

For every scenario the consumer module (tests/data/scenarios/<module>/) is copied twice. Stock
`go mod download <args>` runs in copy A with GOMODCACHE=A, gmfetch ($GMFETCH_BIN) runs in copy
B with GOMODCACHE=B, both against the same local nginx GOPROXY (built from tests/data/corpus by
tests/tools/mkproxy) and the same environment (GOSUMDB=off, GOENV=off, private GOPATH and HOME,
GOFLAGS unset unless the scenario sets it). Then, go vs gmfetch:
  * exit codes; stdout (paths under A/B replaced by $SIDE; -x traces without timings, sorted);
    stderr (same normalisation);
  * go.mod and go.sum after the run;
  * the cache trees: relative path, file type, permission bits, size and content of every
    entry, directories included; *.lock files and cache/lock are ignored (mtimes too);
  * then, on B: GOPROXY=off GOFLAGS=-mod=mod `go mod verify` and `go build ./...` must pass.
Some scenarios add checks of their own (see SCENARIOS). Exit status: 0 all passed, 1 some
failed, 77 skipped (go, nginx, openssl, timeout or golang.org/x/mod source missing).

go.sum: for scenarios with gosum='tidy' the committed go.mod must be tidy: stock
`go mod tidy` (GOFLAGS=-mod=mod GOSUMDB=off, from the same proxy, in a scratch copy with a
scratch cache) must leave it byte-identical, and the go.sum it writes is the scenario's go.sum.
This keeps hashes out of git (they change whenever the corpus does) while go.mod stays under
review. gosum='none' starts without go.sum (go writes the lines it verified).

Usage:
  e2e.py [--group G | --scenario S]... [--cache-dir DIR] [--keep] [-v]
  e2e.py --self-check    run with tests/integration/go-mod-download.sh as gmfetch (must pass)
                         and prove the comparison fails on a perturbed cache
  e2e.py --list
"""

import argparse
import difflib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
DATA = os.environ.get('GMFETCH_TEST_DATA') or os.path.join(TESTS, 'data')
CORPUS = os.path.join(DATA, 'corpus')
SCENARIO_DIR = os.path.join(DATA, 'scenarios')
MKPROXY_SRC = os.path.join(TESTS, 'tools', 'mkproxy')
TXTAR2PROXY_SRC = os.path.join(TESTS, 'tools', 'txtar2proxy')
XMOD_GOPATH = '/usr/share/gocode'
WRAPPER = os.path.join(HERE, 'go-mod-download.sh')
SKIP = 77
CMD_TIMEOUT = 120   # one go/gmfetch command; go needs < 1 s for any scenario here
BUDGET = 540        # whole run (meson's timeout is 600 s): later scenarios are not started
SHARD = 8 << 20

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(TESTS, 'server'))
import nginx  # noqa: E402  (tests/server/nginx.py)

# Reference-doc vectors (go-modules.md section 5.1) that the corpus reproduces byte for byte.
REFERENCE_SUMS = [
    'example.com/hello v1.0.0 h1:WG2WLx/Ax0cT5RCP1oGOJeKvU0hluam9YQDXL70alWU=',
    'example.com/hello v1.0.0/go.mod h1:iaBWq6hdBZJwBANPgijMSU9n4SwWzD0bZqSbgNXAPyo=',
    'github.com/Example/Mixed/v2 v2.1.0-RC.1 h1:YiYfwKKOA0ev4Y8Y/nN9jnXJhVJ93jTr1DLu8ultUUs=',
    'github.com/Example/Mixed/v2 v2.1.0-RC.1/go.mod '
    'h1:21Rs7Auli9JBWVLIJZtLGyM1H5KWBZ6ifjyu4jYmiio=',
]
WRONG_H1 = 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='


def corrupt(line_prefix):
    """go.sum transform: give the line starting with line_prefix + ' ' a wrong hash."""
    def f(text):
        out, hit = [], False
        for line in text.splitlines(True):
            if line.startswith(line_prefix + ' '):
                line, hit = line_prefix + ' ' + WRONG_H1 + '\n', True
            out.append(line)
        assert hit, 'no go.sum line for ' + line_prefix
        return ''.join(out)
    return f


class Scenario:
    def __init__(self, name, group, module, args=(), desc='', https=False, gosum='tidy',
                 gosum_edit=None, postcheck=True, env=None, use_C=False, xtrace=False,
                 warm=False, fatal=False, go_rc=0, go_stderr=(), absent_b=(), big=False,
                 mutate=(), proxy='corpus', xfail=None, go_stdout=(), absent_a=(), present_a=()):
        self.name, self.group, self.module, self.args = name, group, module, list(args)
        self.desc, self.https, self.gosum, self.gosum_edit = desc, https, gosum, gosum_edit
        self.postcheck, self.env, self.use_C, self.xtrace = postcheck, env or {}, use_C, xtrace
        self.warm, self.fatal, self.go_rc, self.go_stderr = warm, fatal, go_rc, go_stderr
        self.absent_b, self.big, self.mutate = absent_b, big, mutate
        # proxy: 'corpus' (tests/data/corpus via mkproxy) or 'gotest' (go's own test modules
        # via txtar2proxy, served by a second nginx). xfail: known gmfetch difference, the
        # reason in one line; the scenario then reports XFAIL instead of failing, and fails if
        # it passes (XPASS). go_stdout, absent_a, present_a (paths under GOMODCACHE): more
        # expectations on stock go itself, from the go command's own script tests.
        self.proxy, self.xfail, self.go_stdout = proxy, xfail, go_stdout
        self.absent_a, self.present_a = absent_a, present_a


HELLO_EP = 'cache/download/example.com/hello/@v/'
SCENARIOS = [
    Scenario('pruned-noargs', 'pruned', 'pruned',
             desc='go 1.17 main, no args: every go.mod require at its selected version '
                  '(multi v1.2.0 above b/d lines), .mod only for other graph modules'),
    Scenario('pruned-all', 'pruned', 'pruned', ['all'],
             desc='`all`: whole build list incl. hello (required only by unpruned Mixed)'),
    Scenario('pruned-json', 'pruned', 'pruned', ['-json', 'all'],
             desc='-json all: stdout JSON objects identical (paths as $SIDE)'),
    Scenario('pruned-explicit', 'pruned', 'pruned',
             ['example.com/multi@v1.0.0', 'example.com/multi@v1.2.0',
              'github.com/Example/Mixed/v2@v2.1.0-RC.1', 'example.com/e@v1.0.0'],
             postcheck=False,
             desc='explicit path@version args, incl. a version below the selected one; '
                  'go.sum gets zip lines'),
    Scenario('pruned-explicit-json', 'pruned', 'pruned',
             ['-json', 'example.com/multi@v1.1.0', 'example.com/multi@v1.1.0',
              'example.com/hello@v1.0.0'],
             postcheck=False,
             desc='-json path@version: the proxy .info Origin is printed (TagSum kept, '
                  'HTML-escaped), a repeated argument is printed twice'),
    Scenario('pruned-C', 'pruned', 'pruned', ['all'], use_C=True,
             desc='gmfetch -C <module dir> from another cwd (go 1.19 has no -C: go runs in '
                  'the module dir)'),
    Scenario('pruned-x', 'pruned', 'pruned', ['-x'], xtrace=True,
             desc='-x: the set of "# get URL: status" trace lines (timings dropped, sorted)'),
    Scenario('pruned-modcacherw', 'pruned', 'pruned', env={'GOFLAGS': '-modcacherw'},
             desc='GOFLAGS=-modcacherw: extracted dirs stay writable'),
    Scenario('pruned-emptysum', 'pruned', 'pruned', gosum='none',
             desc='no go.sum: go.sum written with the /go.mod lines go verified'),
    Scenario('unpruned-noargs', 'unpruned', 'unpruned',
             desc='go 1.16 main: no args means all; deep unpruned deps, +incompatible '
                  'module without go.mod'),
    Scenario('unpruned-json', 'unpruned', 'unpruned', ['-json'],
             desc='go 1.16 main, -json without args'),
    Scenario('replace-noargs', 'replace', 'replace',
             desc='replace by module version (old => fork v1.1.0), by directory '
                  '(never downloaded), exclude multi v1.0.0'),
    Scenario('replace-all', 'replace', 'replace', ['-json', 'all'],
             desc='same with -json all'),
    Scenario('upper-noargs', 'upper', 'upper',
             desc='upper-case path and version: !-escaped URLs (%21) and cache names, '
                  '0-byte list'),
    Scenario('upper-json', 'upper', 'upper', ['-json', 'all'],
             desc='-json all, escaped paths in Info/GoMod/Zip/Dir'),
    Scenario('inconsistent', 'misc', 'inconsistent', gosum='none',
             desc='main go.mod lists multi v1.0.0 but MVS selects v1.1.0: go rewrites go.mod '
                  'and downloads v1.1.0'),
    Scenario('query', 'misc', 'query', gosum='none',
             desc='main go.mod requires multi v1.1 (not canonical): go resolves it with a query '
                  'and rewrites go.mod; gmfetch hands the run to go'),
    Scenario('outside', 'misc', 'outside', ['example.com/hello@v1.0.0'], gosum='none',
             postcheck=False, desc='path@version outside any module'),
    Scenario('big-http', 'big', 'big', big=True,
             desc='24 MiB incompressible zip (> 8 MiB shard) over HTTP/1.1'),
    Scenario('big-https', 'big', 'big', https=True, big=True,
             desc='the same over HTTPS + HTTP/2 (SSL_CERT_FILE = test CA)'),
    Scenario('https-all', 'https', 'pruned', ['-json', 'all'], https=True,
             desc='pruned main, -json all over HTTPS + HTTP/2'),
    Scenario('https-unpruned', 'https', 'unpruned', https=True,
             desc='go 1.16 main over HTTPS + HTTP/2'),
    Scenario('warm-all', 'warm', 'pruned', ['all'], warm=True,
             desc='second run on a warm cache is a no-op: no file changes (mtimes and '
                  'locks included), no HTTP request; also gmfetch on go\'s cache'),
    Scenario('warm-upper', 'warm', 'upper', warm=True,
             desc='warm no-op check for the escaped module'),
    Scenario('repair', 'warm', 'pruned', ['all'], mutate=(
        ('rm', 'cache/download/example.com/hello/@v/v1.0.0.info'),
        ('rm', 'cache/download/example.com/a/@v/v1.0.0.zip'),
        ('rmtree', 'example.com/c@v1.0.0'),
        ('rm', 'cache/download/example.com/e/@v/v1.0.0.ziphash'),
        ('touch', 'cache/download/example.com/d/@v/v1.0.0.partial'),
        ('rm', 'cache/download/example.com/multi/@v/v1.2.0.mod'),
        ('rm', 'cache/download/github.com/!example/!mixed/v2/@v/v2.1.0-!r!c.1.zip'),
        ('rm', 'cache/download/github.com/!example/!mixed/v2/@v/v2.1.0-!r!c.1.ziphash'),
        ('truncate', 'cache/download/example.com/b/@v/v1.0.0.ziphash')),
        desc='after a first run, the same pieces are removed from both caches (an .info, a '
             'zip, an extracted dir, a ziphash, a .mod, zip+ziphash) and a .partial marker is '
             'left; a second run must repair them like go does'),
    Scenario('badsum-zip', 'errors', 'badsum',
             gosum_edit=corrupt('example.com/hello v1.0.0'), fatal=True, go_rc=1,
             go_stderr=('checksum mismatch', 'SECURITY ERROR'), postcheck=False,
             absent_b=(HELLO_EP + 'v1.0.0.zip', HELLO_EP + 'v1.0.0.ziphash',
                       'example.com/hello@v1.0.0'),
             desc='wrong zip hash in go.sum: exit 1, SECURITY ERROR, no zip/ziphash/dir'),
    Scenario('badsum-mod', 'errors', 'badsum',
             gosum_edit=corrupt('example.com/hello v1.0.0/go.mod'), fatal=True, go_rc=1,
             go_stderr=('checksum mismatch', 'SECURITY ERROR'), postcheck=False,
             absent_b=(HELLO_EP + 'v1.0.0.mod', HELLO_EP + 'v1.0.0.zip',
                       'example.com/hello@v1.0.0'),
             desc='wrong go.mod hash in go.sum: exit 1, SECURITY ERROR, no .mod cached'),
    Scenario('badsum-json', 'errors', 'badsum', ['-json'],
             gosum_edit=corrupt('example.com/hello v1.0.0'), fatal=True, go_rc=1,
             go_stderr=('SECURITY ERROR',), postcheck=False,
             absent_b=(HELLO_EP + 'v1.0.0.zip', 'example.com/hello@v1.0.0'),
             desc='wrong zip hash with -json: fatal, no JSON, same stderr'),
    Scenario('notfound', 'errors', 'pruned', ['example.com/multi@v9.9.9'], go_rc=1,
             go_stderr=('404 Not Found',), postcheck=False,
             desc='version that 404s: exit 1, same stderr'),
    Scenario('notfound-mixed', 'errors', 'pruned',
             ['example.com/e@v1.0.0', 'example.com/nosuch@v1.0.0', 'example.com/multi@v9.9.9'],
             go_rc=1, go_stderr=('404 Not Found',), postcheck=False,
             desc='good and missing modules: good ones cached, errors for the rest'),
    Scenario('notfound-json', 'errors', 'pruned', ['-json', 'example.com/multi@v9.9.9'],
             go_rc=1, postcheck=False, desc='-json error object'),
    Scenario('unknown-dep', 'errors', 'pruned', ['example.com/nosuch'], go_rc=1,
             go_stderr=('not a known dependency',), postcheck=False,
             desc='module path that is not in the build list: exit 1, same message'),
]


# ---------------------------------------------------------------------------------------------
# group gotest: the go command's own test modules ($GOROOT/src/cmd/go/testdata/mod, turned into
# a proxy tree by tests/tools/txtar2proxy) and consumers that do what its script tests do with
# them (testdata/script/mod_download.txt above all; mod_replace.txt, the retract, deprecated,
# exclude, incompatible and pseudo-version tests). Many have no go line or an inconsistent
# go.mod on purpose, as in those tests: they start without go.sum (gosum='none').

def gotest(name, module, args=(), **kw):
    return Scenario(name, 'gotest', module, args, proxy='gotest', **kw)


# Time: the offline `go build` of the postcheck recompiles the dependencies for every scenario
# (the build cache keys include the GOMODCACHE path), so scenarios whose cache must equal that
# of another one already checked (same module, same downloads) skip it: postcheck=False on a
# line without an expected error means exactly that.
QUOTE_EP = 'cache/download/rsc.io/quote/@v/'
SAMPLER_EP = 'cache/download/rsc.io/sampler/@v/'
TEXT_ZIP = 'cache/download/golang.org/x/text/@v/v0.0.0-20170915032832-14c0d48ead0c.zip'
GOTEST_SCENARIOS = [
    # rsc.io/quote v1.5.2 -> rsc.io/sampler v1.3.0 -> golang.org/x/text pseudo-version: quoted
    # module lines and no go line in the dependencies' go.mod files (unpruned)
    gotest('gotest-quote-noargs', 'gotest-quote',
           desc='go 1.16 main: quote v1.5.2, sampler, x/text pseudo-version, testonly'),
    gotest('gotest-quote-all', 'gotest-quote', ['all'], postcheck=False, desc='same with `all`'),
    gotest('gotest-quote-json', 'gotest-quote', ['-json'], postcheck=False,
           desc='-json: .info without Time re-encoded, Sum/GoModSum'),
    gotest('gotest-quote-explicit', 'gotest-quote',
           ['rsc.io/sampler', 'golang.org/x/text', 'rsc.io/quote@v1.5.0',
            'rsc.io/testonly@v1.0.0'], postcheck=False,
           desc='module paths of the build list and path@version (one below the selected)'),
    gotest('gotest-quote-https', 'gotest-quote', ['-json', 'all'], postcheck=False, https=True,
           desc='-json all over HTTPS + HTTP/2'),
    gotest('gotest-quote-warm', 'gotest-quote', ['all'], postcheck=False, warm=True,
           desc='warm no-op: no change, no request (also on go\'s cache)'),
    gotest('gotest-quote117-noargs', 'gotest-quote117',
           desc='go 1.17 main: exactly the go.mod requirements'),
    gotest('gotest-quote117-jsonall', 'gotest-quote117', ['-json', 'all'], postcheck=False,
           desc='go 1.17 main, -json all'),
    gotest('gotest-nogo-noargs', 'gotest-nogo', gosum='none', postcheck=False,
           present_a=(QUOTE_EP + 'v1.5.2.zip',), absent_a=(SAMPLER_EP + 'v1.3.0.zip',),
           desc='main go.mod without go line (mod_download): go writes go 1.19 and the '
                'indirect requirements, and fetches only the zips of the listed ones'),
    gotest('gotest-nogo-all', 'gotest-nogo', ['all'], gosum='none',
           desc='no go line, `all`'),
    # mod_download.txt, in its order: module m (no go line, no requirements; the first
    # command adds "go 1.19", so the later steps start from gotest-m, which has it) ...
    gotest('gotest-m-version', 'gotest-m-nogo', ['rsc.io/quote@v1.5.0'], gosum='none',
           postcheck=False,
           present_a=(QUOTE_EP + 'v1.5.0.info', QUOTE_EP + 'v1.5.0.mod', QUOTE_EP + 'v1.5.0.zip'),
           absent_a=(QUOTE_EP + 'v1.5.2.info', QUOTE_EP + 'v1.5.2.mod'),
           desc='path@version prints nothing and loads no retractions (no v1.5.2 .info/.mod); '
                'go adds "go 1.19" to go.mod'),
    gotest('gotest-m-version119', 'gotest-m', ['rsc.io/quote@v1.5.0'], gosum='none',
           postcheck=False, desc='the same with a go line'),
    gotest('gotest-m-query', 'gotest-m', ['-json', 'rsc.io/quote@<=v1.5.0'], gosum='none',
           postcheck=False,
           go_stdout=('\t"Version": "v1.5.0"',
                      '\t"Sum": "h1:6fJa6E+wGadANKkUMlZ0DhXFpoKlslOQDCo259XtdIE="',
                      '\t"GoModSum": "h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0="'),
           present_a=(QUOTE_EP + 'v1.5.2.info', QUOTE_EP + 'v1.5.2.mod'),
           absent_a=(QUOTE_EP + 'v1.5.2.zip',),
           desc='-json query @<=v1.5.0: highest release .mod read for retractions'),
    gotest('gotest-m-invalid', 'gotest-m', ['this.domain.is.invalid/somemodule@v1.0.0'],
           gosum='none', postcheck=False, go_rc=1, go_stderr=('this.domain.is.invalid',),
           desc='unknown module (404 from the proxy)'),
    gotest('gotest-m-invalid-json', 'gotest-m',
           ['-json', 'this.domain.is.invalid/somemodule@v1.0.0'], gosum='none',
           postcheck=False, go_rc=1, go_stdout=('\t"Error": "',),
           desc='-json: the error in the JSON object'),
    gotest('gotest-m-badpath', 'gotest-m', ['bad/path'], gosum='none', postcheck=False,
           go_rc=1, go_stderr=('go: module bad/path: not a known dependency\n',),
           desc='module path not in the build list'),
    gotest('gotest-m-badpath-latest', 'gotest-m', ['bad/path@latest'], gosum='none',
           postcheck=False, go_rc=1,
           go_stderr=('go: bad/path@latest: malformed module path "bad/path": missing dot in '
                      'first path element\n',),
           desc='malformed path in a query'),
    gotest('gotest-m-notfound', 'gotest-m', ['rsc.io/quote@v1.999.999'], gosum='none',
           postcheck=False, go_rc=1, go_stderr=('/v1.999.999.info: 404 Not Found\n',),
           desc='version the proxy does not have'),
    gotest('gotest-m-badpath-json', 'gotest-m', ['-json', 'bad/path'], gosum='none',
           postcheck=False, go_rc=1,
           go_stdout=('\t"Error": "module bad/path: not a known dependency"',),
           desc='-json: not a known dependency'),
    gotest('gotest-m-main', 'gotest-m', ['m'], gosum='none', postcheck=False,
           go_stderr=('go: skipping download of m that resolves to the main module\n',),
           desc='the main module: a warning, exit 0'),
    gotest('gotest-m-main-latest', 'gotest-m', ['m@latest'], gosum='none', postcheck=False,
           go_rc=1, go_stderr=('go: m@latest: malformed module path "m": missing dot in first '
                               'path element\n',),
           desc='the main module with a query'),
    gotest('gotest-m-x', 'gotest-m', ['-x', 'rsc.io/quote@v1.0.0'], gosum='none',
           postcheck=False, xtrace=True, go_stderr=('# get http://127.0.0.1:',),
           desc='-x path@version: the GOPROXY requests'),
    # ... requiring rsc.io/quote v1.5.3-pre1 ...
    gotest('gotest-pre-noargs', 'gotest-pre', gosum='none',
           present_a=(QUOTE_EP + 'v1.5.3-pre1.zip', 'rsc.io/quote@v1.5.3-pre1'),
           desc='prerelease requirement: .info/.mod/.zip and the extracted dir'),
    gotest('gotest-pre-json', 'gotest-pre', ['-json'], postcheck=False, gosum='none',
           go_stdout=('\t"Version": "v1.5.3-pre1"',), desc='-json reports the locations'),
    gotest('gotest-pre-repair', 'gotest-pre', gosum='none', mutate=(
        ('rm', QUOTE_EP + 'v1.5.3-pre1.info'),
        ('rm', QUOTE_EP + 'v1.5.3-pre1.mod'),
        ('rm', QUOTE_EP + 'v1.5.3-pre1.zip'),
        ('rmtree', 'rsc.io/quote@v1.5.3-pre1')),
        desc='download repopulates deleted .info, .mod, .zip and extracted dir'),
    # ... then rsc.io/quote v1.5.1 replaced by v1.5.2
    gotest('gotest-replace-follow-noargs', 'gotest-replace-follow', gosum='none',
           present_a=(QUOTE_EP + 'v1.5.2.zip',), absent_a=(QUOTE_EP + 'v1.5.1.zip',),
           desc='no arguments: the replacement (v1.5.2) is downloaded, not v1.5.1'),
    gotest('gotest-replace-follow-explicit', 'gotest-replace-follow',
           ['-json', 'rsc.io/quote@v1.5.1'], gosum='none', postcheck=False,
           present_a=(QUOTE_EP + 'v1.5.1.zip',),
           desc='explicit path@version does not follow the replacement'),
    gotest('gotest-replace-follow-path', 'gotest-replace-follow', ['-json', 'rsc.io/quote'],
           gosum='none', postcheck=False,
           desc='module path argument: the selected version, replaced'),
    gotest('gotest-replace-follow-all', 'gotest-replace-follow', ['all'], postcheck=False,
           gosum='none', desc='`all` with the replacement'),
    # ... the update/ directory: go 1.16 go.mod with an outdated requirement, no go.sum
    gotest('gotest-update-noargs', 'gotest-update', gosum='none',
           desc='go.mod updated to the selected sampler v1.3.0; go.sum without zip lines'),
    gotest('gotest-update-path', 'gotest-update', ['rsc.io/sampler'], gosum='none',
           postcheck=False, desc='with an argument: go.sum gets the zip line too'),
    gotest('gotest-update-all', 'gotest-update', ['all'], postcheck=False, gosum='none',
           desc='`all` updates go.mod and go.sum'),
    gotest('gotest-update117-noargs', 'gotest-update117', gosum='none', postcheck=False,
           present_a=(QUOTE_EP + 'v1.5.2.zip', SAMPLER_EP + 'v1.3.0.zip'),
           absent_a=(SAMPLER_EP + 'v1.2.1.zip', TEXT_ZIP),
           desc='go 1.17: only go.mod requirements (at their selected versions), no x/text '
                'zip (issue 44435)'),
    gotest('gotest-update117-all', 'gotest-update117', ['all'], gosum='none',
           present_a=(TEXT_ZIP,), absent_a=(SAMPLER_EP + 'v1.2.1.zip',),
           desc='go 1.17 `all`: every module of the build list'),
    gotest('gotest-outside', 'outside', ['rsc.io/quote@v1.2.1'], gosum='none',
           postcheck=False, desc='no go.mod: path@version outside a module'),
    gotest('gotest-outside-x', 'outside', ['-x', 'rsc.io/quote@v1.0.0'], gosum='none',
           postcheck=False, xtrace=True, go_stderr=('# get http://127.0.0.1:',),
           desc='no go.mod, -x'),
    # mod_replace.txt and friends: several versions of rsc.io/quote, replacements
    gotest('gotest-replace-noargs', 'gotest-replace',
           desc='quote v1.5.1 => v1.5.2, quote/v3 => not-rsc.io/quote (quoted module line), '
                'sampler => v1.3.1 for all versions, unused version replace, directory'),
    gotest('gotest-replace-jsonall', 'gotest-replace', ['-json', 'all'], postcheck=False,
           desc='-json all: replaced modules reported under their original path'),
    gotest('gotest-twopaths', 'gotest-twopaths', ['-json', 'all'], gosum='none',
           postcheck=False,
           desc='not-rsc.io/quote/v3 replaced by rsc.io/quote/v3 (also required): the same '
                'module under two paths, printed twice'),
    # retractions, deprecations, excludes
    gotest('gotest-retract-noargs', 'gotest-retract',
           desc='retracted versions (by later versions or by themselves) download silently'),
    gotest('gotest-retract-explicit', 'gotest-retract',
           ['-json', 'example.com/retract@v1.0.0-good', 'example.com/retract/self/prev@v1.1.0',
            'example.com/retract/rationale@v1.0.0-block'], postcheck=False,
           desc='path@version of other versions, one with an empty zip'),
    gotest('gotest-retract-latest', 'gotest-retract', ['-json', 'example.com/retract@latest'],
           postcheck=False, desc='@latest query: v1.1.0, retractions read'),
    gotest('gotest-deprecated', 'gotest-deprecated', ['-json', 'all'],
           desc='deprecated modules: no Deprecated field, no warning from download'),
    gotest('gotest-exclude', 'gotest-exclude',
           desc='go 1.16: exclude rsc.io/sampler v1.3.0 that quote requires (ignored '
                'requirement, tidy picked v1.99.99)'),
    gotest('gotest-exclude-required', 'gotest-exclude-required', gosum='none', postcheck=False,
           go_rc=1, go_stderr=('go: dropping requirement on excluded version rsc.io/sampler '
                               'v1.3.0\n', 'not a known dependency'),
           desc='go 1.17 main requires an excluded version: go drops it from go.mod, fails'),
    # +incompatible, gopkg.in, pseudo-versions, upper case
    gotest('gotest-incompat', 'gotest-incompat', ['-json', 'all'],
           desc='+incompatible versions (one with a package in a subdirectory) and gopkg.in'),
    gotest('gotest-incompat-query', 'gotest-m', ['rsc.io/breaker@v2.0.0'], gosum='none',
           postcheck=False,
           present_a=('cache/download/rsc.io/breaker/@v/v2.0.0+incompatible.zip',),
           desc='path@v2.0.0 of a module without go.mod resolves to v2.0.0+incompatible'),
    gotest('gotest-pseudo-noargs', 'gotest-pseudo', desc='pseudo-versions of three kinds'),
    gotest('gotest-pseudo-jsonall', 'gotest-pseudo', ['-json', 'all'], postcheck=False,
           desc='pseudo-versions, -json all'),
    gotest('gotest-upper-noargs', 'gotest-upper',
           desc='rsc.io/QUOTE v1.5.3-PRE: escaped path and version'),
    gotest('gotest-upper-json', 'gotest-upper', ['-json', 'all'], postcheck=False,
           desc='-json all with escaped paths'),
    gotest('gotest-upper-x', 'gotest-upper', ['-x'], postcheck=False, xtrace=True,
           desc='-x: the escaped request URLs'),
    gotest('gotest-upper-explicit', 'gotest-m',
           ['-json', 'rsc.io/QUOTE@v1.5.2', 'rsc.io/CGO@v1.0.0'],
           gosum='none', postcheck=False, desc='explicit upper-case path@version'),
    # more test modules: odd paths, nested modules, cycles, directives in dependencies' go.mod
    gotest('gotest-misc-noargs', 'gotest-misc',
           desc='path ending in .go, nested modules, split package, late /v2 migration, '
                'internal package of another module'),
    gotest('gotest-misc-json', 'gotest-misc', ['-json'], postcheck=False, desc='the same, -json'),
    gotest('gotest-misc-explicit', 'gotest-m',
           ['-json', 'example.com/dotname@v1.0.0', 'example.com/newcycle/a@v1.0.1',
            'example.com/cmd@v1.0.0-replace', 'example.com/latemigrate/v2@v2.0.0',
            'github.com/dmitshur-test/modtest5@v0.5.0-alpha', 'example.com/nest@v1.0.0'],
           gosum='none', postcheck=False,
           desc='path@version: a package under .dot/, a go.mod-only cycle member, a go.mod '
                'with replace, a .mod-only /v2 version, a prerelease'),
    gotest('gotest-depdirectives', 'gotest-depdirectives', gosum='none',
           desc='a dependency\'s go.mod excludes the rsc.io/quote version the main module '
                'requires: only the main module\'s exclude counts'),
    gotest('gotest-latest-notags', 'gotest-m', ['-json', 'example.com/notags@latest'],
           gosum='none', postcheck=False,
           desc='@latest of a module with an empty list: the @latest endpoint'),
    # versions whose zip is empty (only .info and .mod in the archive), missing .mod, bad zips
    gotest('gotest-onlymod', 'gotest-m',
           ['-json', 'example.com/join@v1.0.0', 'example.com/split@v1.1.0',
            'example.com/quote@v1.5.2'], gosum='none', postcheck=False,
           desc='versions with no files: empty zip, empty extracted dir; a .mod whose module '
                'line names another path'),
    gotest('gotest-missingmod', 'gotest-m', ['example.com/retract/missingmod@v1.9.0'],
           gosum='none', postcheck=False, go_rc=1, go_stderr=('v1.9.0.mod: 404 Not Found',),
           desc='.info but no .mod on the proxy'),
    # (one failing zip per scenario: go prints the "-> unzip" lines as extractions fail)
    gotest('gotest-badfiles', 'gotest-m',
           ['rsc.io/badfile1@v1.0.0', 'rsc.io/badfile2@v1.0.0', 'rsc.io/badmod@v1.0.0'],
           gosum='none', postcheck=False, go_rc=1, go_stderr=('malformed file path',),
           desc='a zip with a bad file name fails to extract; a valid one with odd names (α.go, '
                '.gitignore) and one with a bad .mod (not parsed for path@version) succeed',
           xfail='bad file names fail at extraction in go: zip and ziphash stay cached, '
                 '"-> unzip <zip>: ..." line and "unzip <zip>: " prefix; gmfetch rejects '
                 'the zip while downloading'),
    gotest('gotest-badfile3', 'gotest-m', ['rsc.io/badfile3@v1.0.0'], gosum='none',
           postcheck=False, go_rc=1, go_stderr=('invalid char \'?\'',),
           desc='file name with "?"',
           xfail='bad file names fail at extraction in go: zip and ziphash stay cached, '
                 '"-> unzip <zip>: ..." line and "unzip <zip>: " prefix; gmfetch rejects '
                 'the zip while downloading'),
    gotest('gotest-badfile4', 'gotest-m', ['rsc.io/badfile4@v1.0.0'], gosum='none',
           postcheck=False, go_rc=1, go_stderr=('case-insensitive file name collision',),
           desc='x/Y.go and x/y.go',
           xfail='case collisions fail at extraction in go: zip and ziphash stay cached, '
                 '"-> unzip <zip>: ..." line and "unzip <zip>: " prefix; gmfetch rejects '
                 'the zip while downloading'),
    gotest('gotest-badfile5', 'gotest-m', ['-json', 'rsc.io/badfile5@v1.0.0'], gosum='none',
           postcheck=False, go_rc=1, go_stdout=('case-insensitive file name collision',),
           desc='directories x/y and x/Y, -json',
           xfail='case collisions fail at extraction in go (zip kept, -json has Zip and '
                 'Sum, Error "unzip <zip>: ..."); gmfetch rejects the zip while '
                 'downloading; and an empty go.sum'),
    gotest('gotest-badzip', 'gotest-m', ['rsc.io/badzip@v1.0.0'], gosum='none',
           postcheck=False, go_rc=1, go_stderr=('has unexpected file',),
           desc='zip entry outside path@version/'),
    gotest('gotest-badversion', 'gotest-m', ['example.com/downgrade@v2.0.0'], gosum='none',
           postcheck=False, go_rc=1, go_stderr=('should be v0 or v1, not v2',),
           desc='v2.0.0 of a path without /v2 whose .mod exists: zip refused'),
    gotest('gotest-badchain', 'gotest-badchain', gosum='none', postcheck=False, go_rc=1,
           go_stderr=('module declares its path as: badchain.example.com/c',),
           desc='a go.mod deep in the graph declares another path: graph load fails',
           xfail='graph error: go prints the requirement chain, still downloads what it '
                 'loaded and writes their go.sum lines; gmfetch prints the last link only '
                 'and downloads nothing'),
]
SCENARIOS += GOTEST_SCENARIOS

SELF_CHECK_SCENARIOS = ['pruned-noargs', 'pruned-C', 'upper-json', 'badsum-zip', 'notfound',
                        'warm-upper', 'big-https', 'gotest-quote-noargs']


# ---------------------------------------------------------------------------------------------
# small helpers

def log(*a):
    print(*a, flush=True)


def rmtree(path):
    """Remove a tree that go made read-only."""
    if not os.path.lexists(path):
        return
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            p = os.path.join(dirpath, d)
            if not os.path.islink(p):
                os.chmod(p, 0o755)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o755)
    shutil.rmtree(path, ignore_errors=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def read_or_none(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return None


def text_diff(a, b, name_a, name_b, limit=60):
    a = a.decode(errors='replace') if isinstance(a, bytes) else a
    b = b.decode(errors='replace') if isinstance(b, bytes) else b
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), name_a, name_b,
                                      lineterm=''))
    if len(lines) > limit:
        lines = lines[:limit] + ['... (%d more diff lines)' % (len(lines) - limit)]
    return '\n'.join('      ' + x for x in lines)


def ignored(rel):
    return rel.endswith('.lock') or rel == 'cache/lock'


def snapshot(root, strict=False, ignore_tmp=False):
    """Map relative path -> (type, mode, size, content digest[, mtime_ns, ino]).

    strict keeps lock files and records mtimes and inodes (for the warm no-op check)."""
    snap = {}
    if not os.path.isdir(root):
        return snap
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in dirnames + sorted(filenames):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if not strict and ignored(rel):
                continue
            if ignore_tmp and rel.endswith('.tmp'):
                continue
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode):
                entry = ('dir', stat.S_IMODE(st.st_mode), 0, '')
            elif stat.S_ISREG(st.st_mode):
                entry = ('file', stat.S_IMODE(st.st_mode), st.st_size, sha256_file(p))
            elif stat.S_ISLNK(st.st_mode):
                entry = ('symlink', 0, 0, os.readlink(p))
            else:
                entry = ('other', stat.S_IMODE(st.st_mode), 0, '')
            if strict:
                entry += (st.st_mtime_ns, st.st_ino)
            snap[rel] = entry
    st = os.stat(root)
    snap['.'] = ('dir', stat.S_IMODE(st.st_mode), 0, '') + (
        (st.st_mtime_ns, st.st_ino) if strict else ())
    return snap


def compare_trees(ta, tb, root_a, root_b, label_a='go', label_b='gmfetch'):
    """Differences between two snapshots, as readable lines (empty list: identical)."""
    out = []
    for rel in sorted(set(ta) | set(tb)):
        a, b = ta.get(rel), tb.get(rel)
        if a is None or b is None:
            label, snap = (label_b, tb) if a is None else (label_a, ta)
            parent = os.path.dirname(rel)
            if parent and parent not in (ta if a is None else tb):
                continue  # already reported as a missing directory
            below = sum(1 for r in snap if r.startswith(rel + '/'))
            out.append('only in %s: %s (%s%s)' % (label, rel, (a or b)[0],
                                                 ', %d entries below' % below if below else ''))
            continue
        if a[0] != b[0]:
            out.append('type differs: %s: %s %s, %s %s' % (rel, label_a, a[0], label_b, b[0]))
            continue
        if a[1] != b[1]:
            out.append('mode differs: %s: %s %04o, %s %04o' % (rel, label_a, a[1], label_b,
                                                               b[1]))
        if a[2] != b[2]:
            out.append('size differs: %s: %s %d, %s %d' % (rel, label_a, a[2], label_b, b[2]))
        if a[3] != b[3]:
            out.append('content differs: %s' % rel)
            if a[0] == 'file' and max(a[2], b[2]) <= 4096:
                da = read_or_none(os.path.join(root_a, rel)) or b''
                db = read_or_none(os.path.join(root_b, rel)) or b''
                out.append(text_diff(da, db, label_a, label_b))
        if a[4:] != b[4:]:
            out.append('mtime/inode differs: %s' % rel)
    return out


def lock_notes(root_a, root_b):
    """Lock files are not compared; say which exist on one side only (informational)."""
    la = {r for r in snapshot(root_a, strict=True) if ignored(r)}
    lb = {r for r in snapshot(root_b, strict=True) if ignored(r)}
    notes = ['only go made %s' % r for r in sorted(la - lb)]
    notes += ['only gmfetch made %s' % r for r in sorted(lb - la)]
    return notes


def apply_mutations(mc, ops):
    for op, rel in ops:
        p = os.path.join(mc, rel)
        if op == 'rm':
            os.unlink(p)
        elif op == 'rmtree':
            rmtree(p)
        elif op == 'touch':
            open(p, 'a').close()
        elif op == 'truncate':
            os.truncate(p, 0)
        else:
            raise ValueError(op)


# ---------------------------------------------------------------------------------------------
# fixtures: proxy tree (cached across processes), nginx, per-side directories

def input_digest():
    h = hashlib.sha256()
    for top in (CORPUS, MKPROXY_SRC):
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                p = os.path.join(dirpath, name)
                h.update(os.path.relpath(p, top).encode() + b'\0')
                if os.path.islink(p):
                    h.update(b'L' + os.readlink(p).encode())
                else:
                    h.update(b'F%o\0' % stat.S_IMODE(os.lstat(p).st_mode))
                    h.update(sha256_file(p).encode())
    return h.hexdigest()


def build_proxy(go, cache_dir):
    """Build mkproxy and the GOPROXY tree into cache_dir once per corpus version."""
    os.makedirs(cache_dir, exist_ok=True)
    gocache = os.path.join(cache_dir, 'gocache')
    proxy = os.path.join(cache_dir, 'proxy')
    digest = input_digest()
    with open(os.path.join(cache_dir, 'lock'), 'w') as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        stamp = os.path.join(cache_dir, 'stamp')
        if os.path.isdir(proxy) and (read_or_none(stamp) or b'').decode() == digest:
            return proxy, gocache
        t0 = time.monotonic()
        env = dict(os.environ, GO111MODULE='off', GOPATH=XMOD_GOPATH, GOCACHE=gocache,
                   GOFLAGS='', GOENV='off')
        exe = os.path.join(cache_dir, 'mkproxy')
        subprocess.run([go, 'build', '-o', exe, '.'], cwd=MKPROXY_SRC, env=env, check=True,
                       timeout=CMD_TIMEOUT)
        rmtree(proxy)
        rmtree(proxy + '.tmp')
        subprocess.run([exe, '-corpus', CORPUS, '-out', proxy + '.tmp'], check=True,
                       timeout=CMD_TIMEOUT)
        os.rename(proxy + '.tmp', proxy)
        with open(stamp, 'w') as f:
            f.write(digest)
        log('built proxy tree in %.1fs: %s' % (time.monotonic() - t0, proxy))
    return proxy, gocache


# Hashes the go command's own script tests expect of its test modules
# (cmd/go/testdata/script/mod_download.txt): the tree txtar2proxy builds must reproduce them.
GOTEST_REFERENCE_SUMS = [
    'rsc.io/quote v1.5.0 h1:6fJa6E+wGadANKkUMlZ0DhXFpoKlslOQDCo259XtdIE=',
    'rsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=',
    'rsc.io/sampler v1.3.0/go.mod h1:T1hPZKmBbMNahiBKFy5HrXp6adAjACjK9JXDnKaTXpA=',
    'golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod '
    'h1:NqM8EUOU14njkJ3fqMW+pc6Ldnwhi/IjpwHt7yyuwOQ=',
]


def gotest_mod_dir(go):
    """$GOROOT/src/cmd/go/testdata/mod of the go under test (GMFETCH_GOTEST_MOD overrides),
    or None when this go installation does not ship it."""
    d = os.environ.get('GMFETCH_GOTEST_MOD')
    if not d:
        env = dict(os.environ, GOENV='off', GOFLAGS='')
        try:
            goroot = subprocess.run([go, 'env', 'GOROOT'], env=env, check=True,
                                    stdout=subprocess.PIPE, timeout=CMD_TIMEOUT).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        d = os.path.join(goroot.decode().strip(), 'src', 'cmd', 'go', 'testdata', 'mod')
    return d if os.path.isfile(os.path.join(d, 'rsc.io_quote_v1.5.2.txt')) else None


def build_gotest_proxy(go, cache_dir, mod_dir):
    """Build txtar2proxy and the GOPROXY tree of go's test modules into cache_dir/gotest,
    once per (test modules, txtar2proxy) version; same scheme as build_proxy."""
    top = os.path.join(cache_dir, 'gotest')
    os.makedirs(top, exist_ok=True)
    proxy = os.path.join(top, 'proxy')
    h = hashlib.sha256()
    for d in (mod_dir, TXTAR2PROXY_SRC):
        for name in sorted(os.listdir(d)):
            if os.path.isfile(os.path.join(d, name)):
                h.update(name.encode() + b'\0' + sha256_file(os.path.join(d, name)).encode())
    digest = h.hexdigest()
    with open(os.path.join(top, 'lock'), 'w') as lk:
        fcntl.flock(lk, fcntl.LOCK_EX)
        stamp = os.path.join(top, 'stamp')
        if os.path.isdir(proxy) and (read_or_none(stamp) or b'').decode() == digest:
            return proxy
        t0 = time.monotonic()
        env = dict(os.environ, GO111MODULE='off', GOPATH=XMOD_GOPATH,
                   GOCACHE=os.path.join(cache_dir, 'gocache'), GOFLAGS='', GOENV='off')
        exe = os.path.join(top, 'txtar2proxy')
        subprocess.run([go, 'build', '-o', exe, '.'], cwd=TXTAR2PROXY_SRC, env=env, check=True,
                       timeout=CMD_TIMEOUT)
        rmtree(proxy)
        rmtree(proxy + '.tmp')
        subprocess.run([exe, '-in', mod_dir, '-out', proxy + '.tmp'], check=True,
                       timeout=CMD_TIMEOUT)
        os.rename(proxy + '.tmp', proxy)
        with open(stamp, 'w') as f:
            f.write(digest)
        log('built gotest proxy tree in %.1fs: %s' % (time.monotonic() - t0, proxy))
    return proxy


class Run:
    """The result of one command on one side."""

    def __init__(self, rc, out, err, secs):
        self.rc, self.out, self.err, self.secs = rc, out, err, secs


class Harness:
    def __init__(self, go, gmfetch, proxy, gocache, work, server, verbose=False):
        self.go, self.gmfetch, self.proxy, self.gocache = go, gmfetch, proxy, gocache
        self.work, self.server, self.verbose = work, server, verbose
        self.tidy_cache = {}
        self.servers = {'corpus': server}  # main() adds 'gotest' when it is needed
        self.prep_n = 0

    def env(self, side_root, sc_env=None, https=False, proxy=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('GO') and k.lower() not in (
                   'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy', 'ssl_cert_file',
                   'ssl_cert_dir')}
        env['PATH'] = os.path.dirname(self.go) + os.pathsep + env.get('PATH', '')
        env.update(GOPROXY=proxy or (self.server.https_url if https else self.server.http_url),
                   GOMODCACHE=os.path.join(side_root, 'modcache'),
                   GOPATH=os.path.join(side_root, 'gopath'),
                   HOME=os.path.join(side_root, 'home'),
                   GOENV='off', GOSUMDB='off', GOCACHE=self.gocache)
        if https:
            env['SSL_CERT_FILE'] = self.server.ca_file
        env.update(sc_env or {})
        return env

    def run(self, cmd, cwd, env, timeout=CMD_TIMEOUT):
        t0 = time.monotonic()
        # Own process group, so a timeout also ends whatever the command started (a gmfetch
        # that runs go, say) instead of waiting forever for its inherited pipes.
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=timeout)
            r = Run(p.returncode, out, err, time.monotonic() - t0)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            r = Run('timeout', out, err + b'\n[e2e: timed out after %d s]' % timeout,
                    time.monotonic() - t0)
        if self.verbose:
            log('    $ %s  (cwd %s) -> %s in %.2fs' % (' '.join(cmd), cwd, r.rc, r.secs))
        return r

    def tidy_gosum(self, module):
        """go.sum for a tidy module, made by stock go; fails if go.mod is not tidy."""
        if module in self.tidy_cache:
            return self.tidy_cache[module]
        self.prep_n += 1
        root = os.path.join(self.work, 'prep%d' % self.prep_n)
        wd = os.path.join(root, 'work')
        shutil.copytree(os.path.join(SCENARIO_DIR, module), wd)
        for d in ('gopath', 'home'):
            os.makedirs(os.path.join(root, d))
        env = self.env(root, {'GOFLAGS': '-mod=mod'})
        before = read_or_none(os.path.join(wd, 'go.mod'))
        r = self.run([self.go, 'mod', 'tidy'], wd, env)
        if r.rc != 0:
            raise RuntimeError('go mod tidy failed in %s:\n%s' % (module, r.err.decode()))
        after = read_or_none(os.path.join(wd, 'go.mod'))
        if before != after:
            raise RuntimeError('tests/data/scenarios/%s/go.mod is not tidy:\n%s' % (
                module, text_diff(before, after, 'committed', 'go mod tidy')))
        gosum = read_or_none(os.path.join(wd, 'go.sum')) or b''
        self.tidy_cache[module] = gosum
        rmtree(root)
        return gosum

    def setup_side(self, sc, side_root):
        os.makedirs(side_root)
        for d in ('gopath', 'home'):
            os.makedirs(os.path.join(side_root, d))
        wd = os.path.join(side_root, 'work')
        shutil.copytree(os.path.join(SCENARIO_DIR, sc.module), wd)
        if sc.gosum == 'tidy':
            text = self.tidy_gosum(sc.module).decode()
            if sc.gosum_edit:
                text = sc.gosum_edit(text)
            with open(os.path.join(wd, 'go.sum'), 'w') as f:
                f.write(text)
        return wd

    def normalize(self, data, sc, sides):
        text = data.decode(errors='replace')
        for root in sides:
            text = text.replace(root, '$SIDE')
        if sc.xtrace:
            text = re.sub(r' \(\d+(\.\d+)?m?s\)$', '', text, flags=re.M)
            text = '\n'.join(sorted(text.splitlines())) + '\n'
        return text

    def download(self, who, sc, side_root, wd):
        env = self.env(side_root, sc.env, sc.https)
        if who == 'go':
            return self.run([self.go, 'mod', 'download'] + sc.args, wd, env)
        if sc.use_C:
            return self.run([self.gmfetch, '-C', wd] + sc.args, os.path.join(side_root, 'home'),
                            env)
        return self.run([self.gmfetch] + sc.args, wd, env)

    # -----------------------------------------------------------------------------------------

    def compare_runs(self, sc, ra, rb, root_a, root_b, wd_a, wd_b):
        """All go-vs-gmfetch differences for one download, as message lines."""
        problems = []
        sides = (root_a, root_b)
        if ra.rc != rb.rc:
            problems.append('exit code: go %s, gmfetch %s' % (ra.rc, rb.rc))
        for what, a, b in (('stdout', ra.out, rb.out), ('stderr', ra.err, rb.err)):
            na, nb = self.normalize(a, sc, sides), self.normalize(b, sc, sides)
            if na != nb:
                problems.append('%s differs:\n%s' % (what, text_diff(na, nb, 'go', 'gmfetch')))
        for name in ('go.mod', 'go.sum'):
            a = read_or_none(os.path.join(wd_a, name))
            b = read_or_none(os.path.join(wd_b, name))
            if a != b:
                problems.append('%s after the run differs%s:\n%s' % (
                    name, '' if (a is None) == (b is None) else
                    ' (missing on the %s side)' % ('go' if a is None else 'gmfetch'),
                    text_diff(a or b'', b or b'', 'go', 'gmfetch')))
        mc_a, mc_b = os.path.join(root_a, 'modcache'), os.path.join(root_b, 'modcache')
        ta = snapshot(mc_a, ignore_tmp=sc.fatal)
        tb = snapshot(mc_b, ignore_tmp=sc.fatal)
        diffs = compare_trees(ta, tb, mc_a, mc_b)
        if diffs:
            problems.append('GOMODCACHE trees differ (%d lines):\n%s' % (
                len(diffs), '\n'.join('    ' + d for d in diffs[:80])))
        return problems

    def sanity_go(self, sc, ra, root_a):
        """What the scenario expects of stock go itself, so the harness cannot drift."""
        problems = []
        if ra.rc != sc.go_rc:
            problems.append('harness: stock go exited %s, scenario expects %s; stderr:\n%s' % (
                ra.rc, sc.go_rc, ra.err.decode(errors='replace')))
        for s in sc.go_stderr:
            if s not in ra.err.decode(errors='replace'):
                problems.append('harness: stock go stderr lacks %r' % s)
        for s in sc.go_stdout:
            if s not in ra.out.decode(errors='replace'):
                problems.append('harness: stock go stdout lacks %r' % s)
        for want, rels in ((False, sc.absent_a), (True, sc.present_a)):
            for rel in rels:
                if os.path.lexists(os.path.join(root_a, 'modcache', rel)) != want:
                    problems.append('harness: stock go %s %s' % (
                        'did not make' if want else 'made', rel))
        if sc.go_rc == 0 and ra.err and not sc.xtrace and not sc.go_stderr:
            problems.append('harness: stock go printed on stderr:\n' + ra.err.decode())
        if sc.big:
            zips = [p for p, e in snapshot(os.path.join(root_a, 'modcache')).items()
                    if p.endswith('big/@v/v1.0.0.zip')]
            size = os.path.getsize(os.path.join(root_a, 'modcache', zips[0])) if zips else 0
            if size <= SHARD:
                problems.append('harness: big zip is %d bytes, not > 8 MiB' % size)
        return problems

    def postcheck(self, root, wd):
        env = self.env(root, {'GOFLAGS': '-mod=mod'}, proxy='off')
        problems = []
        r = self.run([self.go, 'mod', 'verify'], wd, env)
        if r.rc != 0 or r.out.strip() != b'all modules verified':
            problems.append('GOPROXY=off go mod verify: exit %s\n%s%s' % (
                r.rc, r.out.decode(errors='replace'), r.err.decode(errors='replace')))
        r = self.run([self.go, 'build', './...'], wd, env)
        if r.rc != 0:
            problems.append('GOPROXY=off go build ./...: exit %s\n%s' % (
                r.rc, r.err.decode(errors='replace')))
        return problems

    def warm_checks(self, sc, root_a, root_b, wd_a, wd_b):
        problems = []
        sides = (root_a, root_b)
        mc_a, mc_b = os.path.join(root_a, 'modcache'), os.path.join(root_b, 'modcache')
        # stock go on its own warm cache: reference output, and it must change nothing
        snap_a = snapshot(mc_a, strict=True)
        ra2 = self.download('go', sc, root_a, wd_a)
        d = compare_trees(snap_a, snapshot(mc_a, strict=True), mc_a, mc_a, 'before', 'after')
        if d:
            problems.append('harness: stock go changed its warm cache:\n    ' + '\n    '.join(d))
        # gmfetch on its own warm cache, then on the cache stock go wrote
        for label, root, wd in (('its own cache (B)', root_b, wd_b),
                                ("stock go's cache (A)", root_a, wd_a)):
            mc = os.path.join(root, 'modcache')
            before = snapshot(mc, strict=True)
            gomod_sum = [read_or_none(os.path.join(wd, n)) for n in ('go.mod', 'go.sum')]
            nlog = len(self.server.log_lines())
            rb2 = self.download('gmfetch', sc, root, wd)
            reqs = self.server.log_lines()[nlog:]
            d = compare_trees(before, snapshot(mc, strict=True), mc, mc, 'before', 'after')
            if d:
                problems.append('warm gmfetch run on %s changed the cache:\n    %s' % (
                    label, '\n    '.join(d[:40])))
            if gomod_sum != [read_or_none(os.path.join(wd, n)) for n in ('go.mod', 'go.sum')]:
                problems.append('warm gmfetch run on %s changed go.mod/go.sum' % label)
            if reqs:
                problems.append('warm gmfetch run on %s made %d HTTP request(s):\n    %s' % (
                    label, len(reqs), '\n    '.join(reqs[:10])))
            if rb2.rc != ra2.rc:
                problems.append('warm run on %s: exit go %s, gmfetch %s' % (label, ra2.rc,
                                                                            rb2.rc))
            for what, a, b in (('stdout', ra2.out, rb2.out), ('stderr', ra2.err, rb2.err)):
                na, nb = self.normalize(a, sc, sides), self.normalize(b, sc, sides)
                if na != nb:
                    problems.append('warm run on %s: %s differs:\n%s' % (
                        label, what, text_diff(na, nb, 'go', 'gmfetch')))
        return problems

    def run_scenario(self, sc, keep=False):
        self.server = self.servers[sc.proxy]  # env(), log_lines() and warm checks use it
        root = os.path.join(self.work, sc.name)
        root_a, root_b = os.path.join(root, 'A'), os.path.join(root, 'B')
        wd_a, wd_b = self.setup_side(sc, root_a), self.setup_side(sc, root_b)
        nlog = len(self.server.log_lines())
        ra = self.download('go', sc, root_a, wd_a)
        nlog_b = len(self.server.log_lines())
        rb = self.download('gmfetch', sc, root_b, wd_b)
        reqs_b = self.server.log_lines()[nlog_b:]
        info = ['go %.2fs (%d requests), gmfetch %.2fs (%d requests)' % (
            ra.secs, nlog_b - nlog, rb.secs, len(reqs_b))]
        if sc.big:
            zr = [x for x in reqs_b if 'big/@v/v1.0.0.zip' in x]
            info.append('gmfetch requests for the big zip: %d, with Range: %d' % (
                len(zr), sum('range="bytes' in x for x in zr)))
        problems = self.sanity_go(sc, ra, root_a)
        problems += self.compare_runs(sc, ra, rb, root_a, root_b, wd_a, wd_b)
        for rel in sc.absent_b:
            if os.path.lexists(os.path.join(root_b, 'modcache', rel)):
                problems.append('gmfetch left %s in the cache' % rel)
        notes = lock_notes(os.path.join(root_a, 'modcache'), os.path.join(root_b, 'modcache'))
        if sc.postcheck and not problems:
            pc = self.postcheck(root_b, wd_b)
            if pc:
                ref = self.postcheck(root_a, wd_a)
                problems += pc + (['(stock go cache A fails the same checks: harness bug?)']
                                  if ref else [])
        if sc.warm and not problems:
            problems += self.warm_checks(sc, root_a, root_b, wd_a, wd_b)
        if sc.mutate and not problems:
            for root in (root_a, root_b):
                apply_mutations(os.path.join(root, 'modcache'), sc.mutate)
            n0 = len(self.server.log_lines())
            ra = self.download('go', sc, root_a, wd_a)
            n1 = len(self.server.log_lines())
            rb = self.download('gmfetch', sc, root_b, wd_b)
            info.append('second run: go %d requests, gmfetch %d' % (
                n1 - n0, len(self.server.log_lines()) - n1))
            problems += ['second run: ' + p for p in self.sanity_go(sc, ra, root_a)]
            problems += ['second run: ' + p for p in
                         self.compare_runs(sc, ra, rb, root_a, root_b, wd_a, wd_b)]
            if not problems and sc.postcheck:
                problems += ['second run: ' + p for p in self.postcheck(root_b, wd_b)]
        if not keep:
            rmtree(root)
        return problems, info + notes, (root_a, root_b, wd_a, wd_b, ra, rb)


# ---------------------------------------------------------------------------------------------
# self-check: the comparison must be able to fail

def perturbation_checks(h):
    """Run one scenario with the go wrapper, then damage B in several ways and make sure every
    damage is reported by the same comparison code the real tests use."""
    sc = next(s for s in SCENARIOS if s.name == 'pruned-json')
    problems, _, (root_a, root_b, wd_a, wd_b, ra, rb) = h.run_scenario(sc, keep=True)
    failures = []
    if problems:
        return ['baseline pruned-json failed:\n' + '\n'.join(problems)]
    mc_b = os.path.join(root_b, 'modcache')
    ext = os.path.join(mc_b, 'example.com', 'a@v1.0.0')
    dl = os.path.join(mc_b, 'cache', 'download', 'example.com', 'e', '@v')

    def chmod_file():
        os.chmod(os.path.join(ext, 'a.go'), 0o644)

    def flip_byte():
        p = os.path.join(ext, 'a.go')
        os.chmod(p, 0o644)
        data = bytearray(open(p, 'rb').read())
        data[0] ^= 1
        open(p, 'wb').write(bytes(data))
        os.chmod(p, 0o444)

    def dir_mode():
        os.chmod(os.path.join(ext, 'sub'), 0o755)

    def drop_info():
        os.unlink(os.path.join(dl, 'v1.0.0.info'))

    def extra_file():
        os.chmod(dl, 0o755)
        open(os.path.join(dl, 'v1.0.0.zip123.tmp'), 'w').close()

    def ziphash_nl():
        with open(os.path.join(dl, 'v1.0.0.ziphash'), 'a') as f:
            f.write('\n')

    def gosum_line():
        with open(os.path.join(wd_b, 'go.sum'), 'a') as f:
            f.write('example.com/zzz v1.0.0/go.mod ' + WRONG_H1 + '\n')

    cases = [('file mode', chmod_file, 'mode differs: example.com/a@v1.0.0/a.go'),
             ('one byte', flip_byte, 'content differs: example.com/a@v1.0.0/a.go'),
             ('dir mode', dir_mode, 'mode differs: example.com/a@v1.0.0/sub'),
             ('missing file', drop_info, 'only in go: cache/download/example.com/e/@v/v1.0.0.info'),
             ('extra file', extra_file, 'only in gmfetch: cache/download/example.com/e/@v/'
                                        'v1.0.0.zip123.tmp'),
             ('ziphash newline', ziphash_nl, 'size differs: cache/download/example.com/e/@v/'
                                             'v1.0.0.ziphash'),
             ('go.sum', gosum_line, 'go.sum after the run differs')]
    for name, damage, expect in cases:
        pristine = root_b + '.pristine'
        rmtree(pristine)
        shutil.copytree(root_b, pristine, symlinks=True)
        damage()
        got = h.compare_runs(sc, ra, rb, root_a, root_b, wd_a, wd_b)
        if not any(expect in p for p in got):
            failures.append('perturbation %r not reported (want %r), got: %r' % (name, expect,
                                                                                 got))
        else:
            log('    perturbation %-16s -> reported' % name)
        rmtree(root_b)
        os.rename(pristine, root_b)
    for name, rb2, expect in (
            ('exit code', Run(1, rb.out, rb.err, 0), 'exit code: go 0, gmfetch 1'),
            ('stdout', Run(rb.rc, rb.out.replace(b'"Version"', b'"Versio"', 1), rb.err, 0),
             'stdout differs'),
            ('stderr', Run(rb.rc, rb.out, b'go: downloading x\n', 0), 'stderr differs')):
        got = h.compare_runs(sc, ra, rb2, root_a, root_b, wd_a, wd_b)
        if not any(expect in p for p in got):
            failures.append('perturbation %r not reported: %r' % (name, got))
        else:
            log('    perturbation %-16s -> reported' % name)
    rmtree(os.path.dirname(root_a))
    return failures


def sabotage_check(h):
    """End to end: a 'gmfetch' that damages the cache must make a scenario fail."""
    sc = next(s for s in SCENARIOS if s.name == 'upper-noargs')
    os.environ['E2E_SABOTAGE'] = '1'
    try:
        problems, _, _ = h.run_scenario(sc)
    finally:
        del os.environ['E2E_SABOTAGE']
    text = '\n'.join(problems)
    if 'content differs: cache/download/github.com/!example/!mixed/v2/@v/v2.1.0-!r!c.1.info' \
            not in text:
        return ['sabotaged wrapper was not caught; problems: %r' % problems]
    log('    sabotaged wrapper      -> reported')
    return []


# ---------------------------------------------------------------------------------------------

def find_tool(name, *candidates):
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return shutil.which(name)


def main(argv):
    ap = argparse.ArgumentParser(description='gmfetch vs go mod download, end to end')
    ap.add_argument('--group', action='append', default=[])
    ap.add_argument('--scenario', action='append', default=[])
    ap.add_argument('--self-check', action='store_true')
    ap.add_argument('--cache-dir', help='keep the built proxy tree and go build cache here')
    ap.add_argument('--keep', action='store_true', help='keep the work directory')
    ap.add_argument('--list', action='store_true')
    ap.add_argument('--no-skip', action='store_true',
                    help='fail instead of exiting 77 when go/nginx/openssl are missing')
    ap.add_argument('-v', '--verbose', action='store_true')
    a = ap.parse_args(argv)

    if a.list:
        for s in SCENARIOS:
            log('%-20s %-8s %-12s %-40s %s%s' % (s.name, s.group, s.module, ' '.join(s.args),
                                                s.desc, ' [XFAIL: %s]' % s.xfail if s.xfail
                                                else ''))
        return 0
    selected = [s for s in SCENARIOS
                if (not a.group and not a.scenario) or s.group in a.group or s.name in a.scenario]
    if a.self_check and not a.group and not a.scenario:
        selected = [s for s in SCENARIOS if s.name in SELF_CHECK_SCENARIOS]
    unknown = set(a.scenario) - {s.name for s in SCENARIOS}
    unknown |= set(a.group) - {s.group for s in SCENARIOS}
    if unknown:
        log('unknown scenario/group: %s' % ', '.join(sorted(unknown)))
        return 2

    go = find_tool('go', os.environ.get('GO'), '/usr/bin/go')
    missing = [n for n, p in (('go', go), ('nginx', find_tool('nginx', nginx.NGINX)),
                              ('openssl', shutil.which('openssl')),
                              ('timeout', shutil.which('timeout'))) if not p]
    if not os.path.isdir(os.path.join(XMOD_GOPATH, 'src', 'golang.org', 'x', 'mod', 'zip')):
        missing.append('golang.org/x/mod source in ' + XMOD_GOPATH)
    if missing:
        log('%s: missing %s' % ('FAIL' if a.no_skip else 'SKIP', ', '.join(missing)))
        return 1 if a.no_skip else SKIP
    gotest_dir = None
    if any(s.proxy == 'gotest' for s in selected):
        gotest_dir = gotest_mod_dir(go)
        if not gotest_dir:
            # (the harness self-check only borrows one gotest scenario: it can do without)
            fail = a.no_skip and not a.self_check
            log('%s: go\'s test modules ($GOROOT/src/cmd/go/testdata/mod) not found; '
                'gotest scenarios not run' % ('FAIL' if fail else 'SKIP'))
            if fail:
                return 1
            selected = [s for s in selected if s.proxy != 'gotest']
            if not selected:
                return SKIP
    if a.self_check:
        gmfetch = WRAPPER
    else:
        gmfetch = os.environ.get('GMFETCH_BIN')
        if not gmfetch or not os.access(gmfetch, os.X_OK):
            log('GMFETCH_BIN is not set to an executable (got %r)' % gmfetch)
            return 1
    gmfetch = os.path.abspath(gmfetch)

    os.umask(0o022)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    work = tempfile.mkdtemp(prefix='gmfetch-e2e-')
    cache_dir = a.cache_dir or os.path.join(work, 'cache')
    server = gserver = None
    failed, passed, xfailed = [], 0, []
    t_start = time.monotonic()
    try:
        proxy, gocache = build_proxy(go, os.path.abspath(cache_dir))
        with open(os.path.join(proxy, 'h1sums.txt')) as f:
            sums = f.read().splitlines()
        bad = [s for s in REFERENCE_SUMS if s not in sums]
        if bad:
            log('FAIL corpus does not reproduce the reference-doc vectors: %s' % bad)
            return 1
        server = nginx.NginxServer(proxy, workdir=os.path.join(work, 'nginx'),
                                   max_seconds=1200)
        os.makedirs(server.dir)
        server.start()
        log('gmfetch: %s\ngo: %s\nproxy: %s  %s\nwork: %s' % (
            gmfetch, go, server.http_url, server.https_url, work))
        h = Harness(go, gmfetch, proxy, gocache, work, server, a.verbose)
        if gotest_dir:
            gproxy = build_gotest_proxy(go, os.path.abspath(cache_dir), gotest_dir)
            with open(os.path.join(gproxy, 'h1sums.txt')) as f:
                sums = f.read().splitlines()
            bad = [s for s in GOTEST_REFERENCE_SUMS if s not in sums]
            if bad:
                log('FAIL gotest proxy tree does not reproduce go\'s own hashes: %s' % bad)
                return 1
            gserver = nginx.NginxServer(gproxy, workdir=os.path.join(work, 'nginx-gotest'),
                                        max_seconds=1200)
            os.makedirs(gserver.dir)
            gserver.start()
            h.servers['gotest'] = gserver
            log('gotest proxy: %s  %s' % (gserver.http_url, gserver.https_url))
        for sc in selected:
            t0 = time.monotonic()
            if t0 - t_start > BUDGET:
                log('FAIL %-20s not run: the %d s time budget is used up' % (sc.name, BUDGET))
                failed.append(sc.name)
                continue
            try:
                problems, info, _ = h.run_scenario(sc, keep=a.keep)
            except Exception as e:  # a broken fixture is a failure of this scenario
                problems, info = ['harness error: %s: %s' % (type(e).__name__, e)], []
            status = 'FAIL' if problems else 'ok  '
            if sc.xfail and not a.self_check:
                # A known gmfetch difference must still be exactly that: stock go has to
                # behave as the scenario says, and a fixed gmfetch must drop the mark.
                if not problems:
                    status, problems = 'XPASS', ['passes although marked xfail (%s): remove '
                                                 'the mark' % sc.xfail]
                elif not any(p.startswith('harness') for p in problems):
                    status = 'XFAIL'
                    info.append('expected: ' + sc.xfail)
            log('%s %-20s %5.1fs  %s' % (status, sc.name, time.monotonic() - t0,
                                         '; '.join(info)))
            for p in problems:
                log('    ' + p.replace('\n', '\n    '))
            if status == 'XFAIL':
                xfailed.append(sc.name)
            elif problems:
                failed.append(sc.name)
            else:
                passed += 1
        if a.self_check:
            log('self-check: the comparison must report damage')
            for name, fn in (('perturbations', perturbation_checks),
                             ('sabotage', sabotage_check)):
                errs = fn(h)
                for e in errs:
                    log('    ' + e)
                if errs:
                    failed.append('self-check:' + name)
                else:
                    passed += 1
    finally:
        if server:
            server.stop(keep_dir=True)
        if gserver:
            gserver.stop(keep_dir=True)
        if a.keep:
            log('kept %s' % work)
        else:
            rmtree(work)
    log('e2e finished in %.1fs' % (time.monotonic() - t_start))
    if failed:
        log('failed: %s' % ' '.join(failed))
    if xfailed:
        log('expected failures (known gmfetch differences): %s' % ' '.join(xfailed))
    log('%d passed, %d failed%s' % (passed, len(failed),
                                    ', %d xfail' % len(xfailed) if xfailed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
