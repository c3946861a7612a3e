#!/usr/bin/env python3
"""goproxy.py: a fixture GOPROXY for gmfetch's tests, Python standard library only.

Serves a directory tree (a GOPROXY layout such as <module>/@v/<version>.zip, but any tree
works) over HTTP/1.1 with keep-alive and single-range Range support (206 + Content-Range,
416 + "Content-Range: bytes */<size>" when unsatisfiable).  It binds 127.0.0.1 on the port
given (0 = any free port) and prints the port on stdout, one line, then serves until killed
(the pattern of curl's tests/http/testenv/ports.py).

Scenario switches, each off by default, so one test picks one behaviour (like curl's
<servercmd> knobs, docs/tests/FILEFORMAT.md):

  --no-range            ignore Range headers: always 200 with the whole body
  --redirect-zip        answer GET/HEAD of a path ending in .zip with a 302 to
                        /_blob/<path>?sig=<n>, as proxy.golang.org sends zips to its storage
  --blob-deny-head      HEAD under /_blob/ answers 403, as signed storage URLs do
  --status GLOB=CODE    requests whose path matches GLOB always get CODE with a text/plain
                        body "<CODE> <reason>\\n" (repeatable)
  --drop-after BYTES    cut the connection after BYTES body bytes of a matching GET
  --stall-after BYTES   stop sending for --stall-seconds after BYTES body bytes, then go on
  --shift-range N       answer a Range request with the range N bytes further on (and a
                        Content-Range that says so): a server giving what was not asked
  --fail-status CODE    answer CODE (text/plain "<CODE> <reason>\n") instead of the file
  --fault-path GLOB     which GETs the four faults above apply to (default "*")
  --fault-skip N        leave the first N matching GETs alone (default 0); a body too
                        short to reach the fault point is not a matching GET
  --fault-times N       inject the fault this many times in total (default 1)
  --log FILE            append one line per request: METHOD PATH RANGE STATUS BODYBYTES
                        (RANGE is the Range header or "-"; PATH keeps its query string)

The path /redirect/<n>/<rest> answers 302 to /redirect/<n-1>/<rest>, and /redirect/1/<rest>
to /<rest>, the chain cmd/go's own tests use (src/cmd/go/proxy_test.go) to check the
redirect limit.  A missing file is 404 with a text/plain body "not found: <path>\\n".
"""

import argparse
import fnmatch
import http.server
import os
import posixpath
import socket
import sys
import threading
import time
import urllib.parse

CHUNK = 64 * 1024

CONTENT_TYPES = {
    '.info': 'application/json',
    '.mod': 'text/plain; charset=utf-8',
    '.zip': 'application/zip',
}


class State:
    """Counters shared by the handler threads; every access holds the lock."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.fault_seen = 0
        self.fault_done = 0
        self.blob_seq = 0
        self.log = open(args.log, 'a', encoding='utf-8') if args.log else None

    def write_log(self, line):
        if self.log is None:
            return
        with self.lock:
            self.log.write(line + '\n')
            self.log.flush()

    def take_fault(self, path, length):
        """True when this GET is the one a --drop-after/--stall-after fault applies to.  A
        body too short to reach the fault point does not count as a matching GET."""
        a = self.args
        at = a.drop_after if a.drop_after is not None else a.stall_after
        if a.shift_range is not None or a.fail_status is not None:
            at = 0
        if at is None or length <= at:
            return False
        if not fnmatch.fnmatchcase(path, a.fault_path):
            return False
        with self.lock:
            self.fault_seen += 1
            if self.fault_seen <= a.fault_skip or self.fault_done >= a.fault_times:
                return False
            self.fault_done += 1
            return True

    def next_sig(self):
        with self.lock:
            self.blob_seq += 1
            return self.blob_seq


def quote(path):
    """Percent-encode a path for a Location header, keeping the characters module paths and
    their !-escapes use."""
    return urllib.parse.quote(path, safe='/@!~+,')


def parse_range(value, size):
    """Return (first, last) for a single satisfiable range, 'unsatisfiable', or None to
    ignore the header (absent, malformed or multi-range, as RFC 9110 section 14.2 allows)."""
    if not value or not value.startswith('bytes='):
        return None
    spec = value[len('bytes='):].strip()
    if ',' in spec or '-' not in spec:
        return None
    a, b = spec.split('-', 1)
    a, b = a.strip(), b.strip()
    if a == '':
        if not b.isdigit():
            return None
        n = int(b)
        if n == 0:
            return 'unsatisfiable'
        return (max(0, size - n), size - 1)
    if not a.isdigit() or (b != '' and not b.isdigit()):
        return None
    first = int(a)
    last = size - 1 if b == '' else int(b)
    if b != '' and last < first:
        return None
    if first >= size:
        return 'unsatisfiable'
    return (first, min(last, size - 1))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'goproxy.py'
    sys_version = ''

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # keep stderr quiet; --log is the record
        pass

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        self.serve(head=False)

    def finish_log(self, status, nbytes):
        rng = self.headers.get('Range') or '-'
        self.server.state.write_log('%s %s %s %d %d' % (self.command, self.path, rng, status,
                                                          nbytes))

    def send_text(self, code, text, head, extra=()):
        body = text.encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', 'text/plain; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.finish_log(code, 0 if head else len(body))

    def send_redirect(self, location, head):
        self.send_response(302)
        self.send_header('Location', location)
        self.send_header('Content-Length', '0')
        self.end_headers()
        self.finish_log(302, 0)

    def serve(self, head):
        st = self.server.state
        a = st.args
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)

        for glob, code in a.status:
            if fnmatch.fnmatchcase(path, glob):
                self.send_text(code, '%d %s\n' % (code, self.responses.get(code, ('',))[0]),
                               head)
                return
        if path.startswith('/redirect/'):
            rest = path[len('/redirect/'):]
            n, _, tail = rest.partition('/')
            if n.isdigit() and tail:
                n = int(n)
                target = '/' + tail if n <= 1 else '/redirect/%d/%s' % (n - 1, tail)
                self.send_redirect(quote(target), head)
                return

        blob = path.startswith('/_blob/')
        if blob:
            if head and a.blob_deny_head:
                self.send_text(403, 'signature does not match method HEAD\n', head)
                return
            path = path[len('/_blob'):]
        elif a.redirect_zip and path.endswith('.zip'):
            self.send_redirect('/_blob%s?sig=%d' % (quote(path), st.next_sig()),
                               head)
            return

        fs_path = self.resolve(path)
        if fs_path is None:
            self.send_text(404, 'not found: %s\n' % path.lstrip('/'), head)
            return
        self.send_file(fs_path, head)

    def resolve(self, path):
        """Map a URL path into the root; None for anything outside it or not a file."""
        clean = posixpath.normpath('/' + path)
        if '\0' in clean or clean.startswith('/..'):
            return None
        fs_path = os.path.join(self.server.state.args.root, clean.lstrip('/'))
        if not os.path.isfile(fs_path):
            return None
        return fs_path

    def send_file(self, fs_path, head):
        st = self.server.state
        a = st.args
        size = os.path.getsize(fs_path)
        ctype = CONTENT_TYPES.get(os.path.splitext(fs_path)[1], 'application/octet-stream')
        rng = None if a.no_range else parse_range(self.headers.get('Range'), size)
        if rng == 'unsatisfiable':
            self.send_text(416, 'range not satisfiable\n', head,
                           extra=[('Content-Range', 'bytes */%d' % size)])
            return
        if rng is None:
            code, first, last = 200, 0, size - 1
        else:
            code, (first, last) = 206, rng
        length = last - first + 1
        fault = False
        if not head:
            fault = st.take_fault(urllib.parse.unquote(urllib.parse.urlsplit(self.path).path),
                                  length)
        if fault and a.fail_status is not None:
            code = a.fail_status
            self.send_text(code, '%d %s\n' % (code, self.responses.get(code, ('',))[0]), head)
            return
        if fault and a.shift_range is not None and code == 206:
            first = min(first + a.shift_range, size - 1)
            last = min(last + a.shift_range, size - 1)
            length = last - first + 1
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(length))
        if not a.no_range:
            self.send_header('Accept-Ranges', 'bytes')
        if code == 206:
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (first, last, size))
        self.end_headers()
        if head:
            self.finish_log(code, 0)
            return

        drop_at = a.drop_after if fault and a.drop_after is not None else None
        stall_at = a.stall_after if fault and a.stall_after is not None else None
        sent = 0
        with open(fs_path, 'rb') as f:
            f.seek(first)
            while sent < length:
                if drop_at is not None and sent >= drop_at:
                    self.finish_log(code, sent)
                    self.cut()
                    return
                if stall_at is not None and sent >= stall_at:
                    self.wfile.flush()
                    time.sleep(a.stall_seconds)
                    stall_at = None
                want = min(CHUNK, length - sent)
                for at in (drop_at, stall_at):
                    if at is not None:
                        want = min(want, at - sent)
                data = f.read(want)
                if not data:
                    break
                self.wfile.write(data)
                sent += len(data)
        self.finish_log(code, sent)

    def cut(self):
        """Close the connection mid-body: the client sees EOF before Content-Length."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up mid-body (a test aborting on purpose) is not news."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def glob_code(value):
    glob, sep, code = value.rpartition('=')
    if not sep or not code.isdigit():
        raise argparse.ArgumentTypeError('want GLOB=CODE, got %r' % value)
    return (glob, int(code))


def main():
    p = argparse.ArgumentParser(description='fixture GOPROXY for gmfetch tests')
    p.add_argument('--root', default='.', help='directory to serve (default: .)')
    p.add_argument('--port', type=int, default=0, help='port on 127.0.0.1 (default: any)')
    p.add_argument('--log', help='append one line per request to this file')
    p.add_argument('--no-range', action='store_true', help='ignore Range headers')
    p.add_argument('--redirect-zip', action='store_true',
                   help='302 every .zip request to /_blob/<path>?sig=<n>')
    p.add_argument('--blob-deny-head', action='store_true', help='403 for HEAD under /_blob/')
    p.add_argument('--status', type=glob_code, action='append', default=[],
                   metavar='GLOB=CODE', help='always answer CODE for matching paths')
    p.add_argument('--drop-after', type=int, help='cut the connection after N body bytes')
    p.add_argument('--stall-after', type=int, help='pause after N body bytes')
    p.add_argument('--stall-seconds', type=float, default=5.0)
    p.add_argument('--shift-range', type=int, help='serve Range requests N bytes off')
    p.add_argument('--fail-status', type=int, help='answer CODE instead of the file')
    p.add_argument('--fault-path', default='*', help='GLOB of paths the fault applies to')
    p.add_argument('--fault-skip', type=int, default=0)
    p.add_argument('--fault-times', type=int, default=1)
    args = p.parse_args()
    args.root = os.path.abspath(args.root)

    server = Server(('127.0.0.1', args.port), Handler)
    server.state = State(args)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
