#!/usr/bin/env python3
"""goproxy.py: a fixture GOPROXY for gmfetch's tests, Python standard library only.

Serves a directory tree (a GOPROXY layout such as <module>/@v/<version>.zip, but any tree
works) over HTTP/1.1 (or HTTPS with --tls-cert/--tls-key) with keep-alive and single-range
Range support (206 + Content-Range, 416 + "Content-Range: bytes */<size>" when
unsatisfiable).  Every file response carries a strong ETag (a hash of the bytes served) and a
Last-Modified (the file's mtime), and If-Range is honoured as RFC 9110 section 13.1.5 says:
a Range request whose If-Range does not match the current version gets 200 and the whole
file.  It binds 127.0.0.1 on the port given (0 = any free port) and prints the port on
stdout, one line, then serves until killed (the pattern of curl's
tests/http/testenv/ports.py).

Scenario switches, each off by default, so one test picks one behaviour (like curl's
<servercmd> knobs, docs/tests/FILEFORMAT.md):

  --no-range            ignore Range headers: always 200 with the whole body, and no
                        Accept-Ranges header
  --redirect-zip        answer GET/HEAD of a path ending in .zip with a 302 to
                        /_blob/<path>?sig=<n>, as proxy.golang.org sends zips to its storage
  --blob-deny-head      HEAD under /_blob/ answers 403, as signed storage URLs do
  --status GLOB=CODE    requests whose path matches GLOB always get CODE with a text/plain
                        body "<CODE> <reason>\\n" (repeatable)
  --no-etag, --no-last-modified
                        leave that validator out of file responses
  --ignore-if-range     serve Range requests whatever their If-Range says (a server or cache
                        that does not implement If-Range)
  --alt-root DIR        a second version of the tree: the first --alt-requests GETs/HEADs of
  --alt-requests N      a file that exists in DIR and matches --fault-path are served from
                        DIR (so the file "changes" after N requests; ETag and Last-Modified
                        follow the bytes served)
  --corrupt-zip         serve every .zip matching --fault-path re-packed with one byte of
                        its last non-empty file flipped and the CRC fixed: a well-formed zip
                        with different contents, i.e. a different go.sum hash
  --auth USER:PASS      answer 401 (WWW-Authenticate: Basic) to requests whose path matches
  --auth-path GLOB      GLOB (default "*") unless they carry these Basic credentials
  --retry-after VALUE   add "Retry-After: VALUE" to the answers of --status and --fail-status;
                        VALUE "date+N" sends the HTTP-date N seconds from now (IMF-fixdate)

Hostile servers (each GLOB=... switch applies to GETs and HEADs whose path matches GLOB, on
every request, not through the fault counters below):

  --redirect GLOB=BASE  302 to BASE + path (e.g. from https to an http:// server)
  --redirect-loop GLOB  302 to path?loop, which 302s back to path: a redirect loop
  --header-flood GLOB=N add N headers "X-Flood-<i>: <20 bytes>" to the answer
  --big-header GLOB=N   add one header "X-Big: <N bytes>" to the answer
  --huge-body GLOB=N    answer 200 with an N-byte body and its Content-Length: the file's
                        JSON object (or "{}" when there is no such file) padded with spaces
                        before its closing brace, so it stays valid JSON
  --endless GLOB        answer 200 without Content-Length and stream a JSON string that
                        never ends (the connection closes when the client gives up, or after
                        4 GiB)

Faults, applied to matching GETs (see --fault-path/--fault-skip/--fault-times):

  --drop-after BYTES    cut the connection after BYTES body bytes
  --drop-delay SECONDS  wait that long between the last byte and the cut (default 0), so a
                        reverse proxy in front has relayed every byte before it sees the
                        connection end (nginx discards what it still holds when it resets a
                        stream, which would make the bytes a client got depend on timing)
  --stall-after BYTES   stop sending for --stall-seconds after BYTES body bytes, then go on
  --shift-range N       answer a Range request with the range N bytes further on (and a
                        Content-Range that says so): a server giving what was not asked
  --fail-status CODE    answer CODE (text/plain "<CODE> <reason>\\n") instead of the file
  --fault-full          answer a Range request with 200 and the whole file (Range ignored
                        this time only: a load balancer with one bad backend)
  --lie-length DELTA    announce Content-Length + DELTA; with DELTA > 0 the real body follows
                        and the connection is closed, with DELTA < 0 only the announced bytes
                        are sent
  --size-change DELTA   serve the file as if DELTA bytes had been appended (zeros) or cut
                        off, keeping its ETag and Last-Modified: a size that changes between
                        responses of one "version"
  --corrupt-at OFFSET   flip the byte at file offset OFFSET (only responses whose range
                        covers it match)
  --overrun N           announce a Content-Length N bytes short of the body, send the whole
                        body anyway and keep the connection open: the N extra bytes arrive
                        where the client expects the next response
  --no-response         read the request, then send nothing (not even a status line) for
                        --stall-seconds, then close the connection
  --fault-path GLOB     which GETs the faults above apply to (default "*")
  --fault-skip N        leave the first N matching GETs alone (default 0); a body too
                        short to reach the fault point is not a matching GET, nor is a GET
                        without Range for --fault-full
  --fault-times N       inject the fault this many times in total (default 1)

Other knobs:

  --rate BYTES          send bodies at about BYTES per second per response (default: as
                        fast as possible), so tests can interrupt a transfer mid-way
  --log FILE            append one line per request, also for requests the client aborted:
                        METHOD PATH RANGE STATUS BODYBYTES IFRANGE AUTHUSER TIME
                        (RANGE is the Range header or "-"; PATH keeps its query string;
                        IFRANGE is the If-Range header percent-encoded, or "-"; AUTHUSER the
                        Basic user name sent, or "-"; TIME when the request arrived, in
                        seconds of the system's monotonic clock, 3 decimals, which Python's
                        time.monotonic() in the test reads too; a --no-response request is
                        logged with STATUS 0 when it arrives, a stalled one when the stall
                        ends)

The path /redirect/<n>/<rest> answers 302 to /redirect/<n-1>/<rest>, and /redirect/1/<rest>
to /<rest>, the chain cmd/go's own tests use (src/cmd/go/proxy_test.go) to check the
redirect limit.  A missing file is 404 with a text/plain body "not found: <path>\\n".
"""

import argparse
import base64
import email.utils
import fnmatch
import hashlib
import http.server
import io
import os
import posixpath
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import zipfile

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
        self.alt_seen = {}
        self.blob_seq = 0
        self.corrupted = {}
        self.bodies = {}
        self.log = open(args.log, 'a', encoding='utf-8') if args.log else None

    def write_log(self, line):
        if self.log is None:
            return
        with self.lock:
            self.log.write(line + '\n')
            self.log.flush()

    def fault_kind(self):
        a = self.args
        for kind in ('drop_after', 'stall_after', 'shift_range', 'fail_status', 'lie_length',
                     'size_change', 'corrupt_at', 'overrun'):
            if getattr(a, kind) is not None:
                return kind
        if a.fault_full:
            return 'fault_full'
        if a.no_response:
            return 'no_response'
        return None

    def take_fault(self, path, first, last, ranged):
        """True when this GET is one a fault applies to.  A body too short to reach the fault
        point does not count as a matching GET."""
        a = self.args
        kind = self.fault_kind()
        if kind is None or not fnmatch.fnmatchcase(path, a.fault_path):
            return False
        length = last - first + 1
        if kind == 'drop_after' and length <= a.drop_after:
            return False
        if kind == 'stall_after' and length <= a.stall_after:
            return False
        if kind in ('shift_range', 'fault_full') and not ranged:
            return False
        if kind == 'corrupt_at' and not first <= a.corrupt_at <= last:
            return False
        if kind == 'overrun' and length <= a.overrun:
            return False
        if length <= 0 and kind not in ('fail_status', 'size_change', 'no_response'):
            return False
        with self.lock:
            self.fault_seen += 1
            if self.fault_seen <= a.fault_skip or self.fault_done >= a.fault_times:
                return False
            self.fault_done += 1
            return True

    def use_alt(self, path):
        """Serve this request from --alt-root?  Counts per path."""
        a = self.args
        if not a.alt_root or not fnmatch.fnmatchcase(path, a.fault_path):
            return False
        with self.lock:
            n = self.alt_seen.get(path, 0)
            self.alt_seen[path] = n + 1
            return n < a.alt_requests

    def next_sig(self):
        with self.lock:
            self.blob_seq += 1
            return self.blob_seq

    def corrupt_zip(self, fs_path):
        with self.lock:
            if fs_path not in self.corrupted:
                self.corrupted[fs_path] = repack_flipped(fs_path)
            return self.corrupted[fs_path]


def repack_flipped(fs_path):
    """The zip at fs_path with one byte of its last non-empty file flipped, re-packed with the
    same names, order and compression (so CRCs are right and go reads it fine)."""
    out = io.BytesIO()
    with zipfile.ZipFile(fs_path) as zin:
        infos = zin.infolist()
        victim = max((i for i, zi in enumerate(infos) if zi.file_size > 0), default=None)
        with zipfile.ZipFile(out, 'w') as zout:
            for i, zi in enumerate(infos):
                data = zin.read(zi)
                if i == victim:
                    data = bytes([data[0] ^ 0x01]) + data[1:]
                zout.writestr(zi, data, compress_type=zi.compress_type)
    return out.getvalue()


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


class Body:
    """The bytes of one version of a file, with its validators."""

    def __init__(self, data, mtime):
        self.data = data
        self.size = len(data)
        self.etag = '"%s"' % hashlib.sha256(data).hexdigest()[:24]
        self.last_modified = email.utils.formatdate(mtime, usegmt=True)


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

    def auth_user(self):
        value = self.headers.get('Authorization') or ''
        if not value.startswith('Basic '):
            return None, None
        try:
            user, _, pw = base64.b64decode(value[6:]).decode('utf-8').partition(':')
        except (ValueError, UnicodeDecodeError):
            return None, None
        return user, pw

    def finish_log(self, status, nbytes):
        rng = self.headers.get('Range') or '-'
        ifr = self.headers.get('If-Range')
        ifr = urllib.parse.quote(ifr, safe='') if ifr else '-'
        user = self.auth_user()[0] or '-'
        self.server.state.write_log('%s %s %s %d %d %s %s %.3f' % (
            self.command, self.path, rng, status, nbytes, ifr, user, self.t_arrived))

    def parse_request(self):
        # The request line has just been read: the time the client asked.
        self.t_arrived = time.monotonic()
        return super().parse_request()

    def hostile(self, table, path):
        """The value of the first GLOB=VALUE of table matching path, or None."""
        for glob, value in table:
            if fnmatch.fnmatchcase(path, glob):
                return value
        return None

    def extra_headers(self, path):
        out = []
        n = self.hostile(self.server.state.args.header_flood, path)
        for i in range(int(n or 0)):
            out.append(('X-Flood-%d' % i, 'v' * 20))
        n = self.hostile(self.server.state.args.big_header, path)
        if n:
            out.append(('X-Big', 'b' * int(n)))
        return out

    def retry_after(self):
        v = self.server.state.args.retry_after
        if v is None:
            return []
        if v.startswith('date+'):
            v = email.utils.formatdate(time.time() + float(v[5:]), usegmt=True)
        return [('Retry-After', v)]

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

    def send_huge(self, n, head, real):
        """200 with a well-formed JSON object of n bytes: the file's object (or "{}") with
        spaces before its closing brace."""
        obj = b'{}'
        if real:
            with open(real, 'rb') as f:
                obj = f.read().rstrip()
        start, end = obj[:-1], obj[-1:]
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(n))
        self.end_headers()
        sent = 0
        if not head:
            pad = b' ' * CHUNK
            try:
                self.wfile.write(start)
                sent = len(start)
                while sent < n - len(end):
                    k = min(CHUNK, n - len(end) - sent)
                    self.wfile.write(pad[:k])
                    sent += k
                self.wfile.write(end)
                sent += len(end)
            except (ConnectionError, TimeoutError, ssl.SSLError):
                self.close_connection = True
        self.finish_log(200, sent)

    def send_endless(self, head):
        """200, no Content-Length: a JSON string that never ends, until the client hangs up
        (or 4 GiB, so a broken client cannot keep the server busy forever)."""
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Connection', 'close')
        self.end_headers()
        self.close_connection = True
        sent = 0
        if not head:
            block = b'a' * CHUNK
            try:
                self.wfile.write(b'{"Version":"')
                while sent < (4 << 30):
                    self.wfile.write(block)
                    sent += len(block)
            except (ConnectionError, TimeoutError, ssl.SSLError):
                pass
        self.finish_log(200, sent)

    def serve(self, head):
        st = self.server.state
        a = st.args
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)

        if a.auth and fnmatch.fnmatchcase(path, a.auth_path):
            user, pw = self.auth_user()
            if (user, pw) != tuple(a.auth.split(':', 1)):
                self.send_text(401, '401 Unauthorized\n', head,
                               extra=[('WWW-Authenticate', 'Basic realm="goproxy"')])
                return
        for glob, code in a.status:
            if fnmatch.fnmatchcase(path, glob):
                self.send_text(code, '%d %s\n' % (code, self.responses.get(code, ('',))[0]),
                               head, extra=self.retry_after())
                return
        if self.hostile(a.redirect_loop, path) is not None:
            self.send_redirect(quote(path) + ('' if url.query == 'loop' else '?loop'), head)
            return
        base = self.hostile(a.redirect, path)
        if base is not None:
            self.send_redirect(base.rstrip('/') + quote(path), head)
            return
        n = self.hostile(a.huge_body, path)
        if n is not None:
            real = self.resolve(a.root, path)
            self.send_huge(int(n), head, real)
            return
        if self.hostile(a.endless, path) is not None:
            self.send_endless(head)
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

        fs_path = self.resolve(a.root, path)
        if fs_path is None:
            self.send_text(404, 'not found: %s\n' % path.lstrip('/'), head)
            return
        alt = self.resolve(a.alt_root, path) if a.alt_root else None
        if alt is not None and st.use_alt(path):
            fs_path = alt
        self.send_file(fs_path, path, head)

    @staticmethod
    def resolve(root, path):
        """Map a URL path into the root; None for anything outside it or not a file."""
        clean = posixpath.normpath('/' + path)
        if '\0' in clean or clean.startswith('/..'):
            return None
        fs_path = os.path.join(root, clean.lstrip('/'))
        if not os.path.isfile(fs_path):
            return None
        return fs_path

    def load(self, fs_path, path):
        """The file as served, with its validators; kept in memory per version so a burst of
        Range requests for a big file costs one read and one hash."""
        st = self.server.state
        corrupt = st.args.corrupt_zip and path.endswith('.zip') and \
            fnmatch.fnmatchcase(path, st.args.fault_path)
        info = os.stat(fs_path)
        key = (fs_path, info.st_mtime_ns, info.st_size, corrupt)
        with st.lock:
            body = st.bodies.get(key)
        if body is not None:
            return body
        if corrupt:
            data = st.corrupt_zip(fs_path)
        else:
            with open(fs_path, 'rb') as f:
                data = f.read()
        body = Body(data, info.st_mtime)
        with st.lock:
            st.bodies[key] = body
        return body

    def send_file(self, fs_path, path, head):
        st = self.server.state
        a = st.args
        body = self.load(fs_path, path)
        data, size = body.data, body.size
        ctype = CONTENT_TYPES.get(os.path.splitext(fs_path)[1], 'application/octet-stream')
        range_hdr = None if a.no_range else self.headers.get('Range')
        if range_hdr and not a.ignore_if_range:
            ifr = self.headers.get('If-Range')
            if ifr is not None and ifr not in (body.etag if not a.no_etag else None,
                                               body.last_modified
                                               if not a.no_last_modified else None):
                range_hdr = None  # another version: the whole new file (RFC 9110 13.1.5)
        rng = parse_range(range_hdr, size)
        if rng == 'unsatisfiable':
            self.send_text(416, 'range not satisfiable\n', head,
                           extra=[('Content-Range', 'bytes */%d' % size)])
            return
        if rng is None:
            code, first, last = 200, 0, size - 1
        else:
            code, (first, last) = 206, rng
        fault = False
        if not head:
            fault = st.take_fault(path, first, last, rng is not None)
        kind = st.fault_kind() if fault else None
        if kind == 'fail_status':
            code = a.fail_status
            self.send_text(code, '%d %s\n' % (code, self.responses.get(code, ('',))[0]), head,
                           extra=self.retry_after())
            return
        if kind == 'no_response':
            self.finish_log(0, 0)  # now: the test reads the log before the silence ends
            time.sleep(a.stall_seconds)
            self.close_connection = True
            return
        if kind == 'fault_full':
            code, first, last = 200, 0, size - 1
        if kind == 'size_change':
            # The same version, suddenly longer or shorter: recompute the range against it.
            if a.size_change >= 0:
                data = data + b'\0' * a.size_change
            else:
                data = data[:max(0, size + a.size_change)]
            size = len(data)
            rng = parse_range(range_hdr, size)
            if rng == 'unsatisfiable':
                self.send_text(416, 'range not satisfiable\n', head,
                               extra=[('Content-Range', 'bytes */%d' % size)])
                return
            code, first, last = (200, 0, size - 1) if rng is None else (206,) + rng
        if kind == 'shift_range' and code == 206:
            first = min(first + a.shift_range, size - 1)
            last = min(last + a.shift_range, size - 1)
        if kind == 'corrupt_at':
            data = bytearray(data)
            data[a.corrupt_at] ^= 0x01
            data = bytes(data)
        length = last - first + 1
        announced = length + (a.lie_length if kind == 'lie_length' else 0)
        if kind == 'overrun':
            announced = length - a.overrun
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(max(0, announced)))
        if not a.no_range:
            self.send_header('Accept-Ranges', 'bytes')
        if not a.no_etag:
            self.send_header('ETag', body.etag)
        if not a.no_last_modified:
            self.send_header('Last-Modified', body.last_modified)
        if code == 206:
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (first, last, size))
        for k, v in self.extra_headers(path):
            self.send_header(k, v)
        self.end_headers()
        if head:
            self.finish_log(code, 0)
            return

        send_len = length if kind == 'overrun' else min(length, max(0, announced))
        drop_at = a.drop_after if kind == 'drop_after' else None
        stall_at = a.stall_after if kind == 'stall_after' else None
        sent = 0
        t0 = time.monotonic()
        try:
            while sent < send_len:
                if drop_at is not None and sent >= drop_at:
                    break
                if stall_at is not None and sent >= stall_at:
                    self.wfile.flush()
                    time.sleep(a.stall_seconds)
                    stall_at = None
                want = min(CHUNK, send_len - sent)
                if a.rate:
                    want = min(want, max(1, a.rate // 50))
                for at in (drop_at, stall_at):
                    if at is not None:
                        want = min(want, at - sent)
                self.wfile.write(data[first + sent:first + sent + want])
                sent += want
                if a.rate:
                    ahead = sent / a.rate - (time.monotonic() - t0)
                    if ahead > 0:
                        self.wfile.flush()
                        time.sleep(ahead)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            self.close_connection = True
            self.finish_log(code, sent)
            return
        if drop_at is not None and a.drop_delay:
            try:
                self.wfile.flush()
            except (ConnectionError, TimeoutError, ssl.SSLError):
                pass
            time.sleep(a.drop_delay)
        self.finish_log(code, sent)
        if drop_at is not None or (kind == 'lie_length' and announced != length):
            self.cut()

    def cut(self):
        """Close the connection now: the client sees EOF where the headers promised more."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: the sixth simultaneous connect would wait
    # for a SYN retransmission (1 s), which looks like a slow proxy to the client.
    request_queue_size = 128

    def handle_error(self, request, client_address):
        """A client that hangs up mid-body (a test aborting on purpose) is not news."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


def glob_code(value):
    glob, sep, code = value.rpartition('=')
    if not sep or not code.isdigit():
        raise argparse.ArgumentTypeError('want GLOB=CODE, got %r' % value)
    return (glob, int(code))


def glob_value(value):
    glob, sep, v = value.partition('=')
    if not sep or not glob:
        raise argparse.ArgumentTypeError('want GLOB=VALUE, got %r' % value)
    return (glob, v)


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
    p.add_argument('--no-etag', action='store_true')
    p.add_argument('--no-last-modified', action='store_true')
    p.add_argument('--ignore-if-range', action='store_true')
    p.add_argument('--alt-root', help='second version of the tree')
    p.add_argument('--alt-requests', type=int, default=1)
    p.add_argument('--corrupt-zip', action='store_true')
    p.add_argument('--auth', metavar='USER:PASS')
    p.add_argument('--auth-path', default='*')
    p.add_argument('--tls-cert')
    p.add_argument('--tls-key')
    p.add_argument('--rate', type=int, default=0, help='body bytes per second per response')
    p.add_argument('--drop-after', type=int, help='cut the connection after N body bytes')
    p.add_argument('--drop-delay', type=float, default=0.0, help='pause before the cut')
    p.add_argument('--stall-after', type=int, help='pause after N body bytes')
    p.add_argument('--stall-seconds', type=float, default=5.0)
    p.add_argument('--shift-range', type=int, help='serve Range requests N bytes off')
    p.add_argument('--fail-status', type=int, help='answer CODE instead of the file')
    p.add_argument('--fault-full', action='store_true', help='200 with the whole file')
    p.add_argument('--lie-length', type=int, help='announce Content-Length + DELTA')
    p.add_argument('--size-change', type=int, help='serve the file DELTA bytes longer')
    p.add_argument('--corrupt-at', type=int, help='flip the byte at this file offset')
    p.add_argument('--overrun', type=int, help='announce N bytes less than sent, keep alive')
    p.add_argument('--no-response', action='store_true', help='send nothing for a while')
    p.add_argument('--retry-after', help='Retry-After value for --status/--fail-status')
    p.add_argument('--redirect', type=glob_value, action='append', default=[],
                   metavar='GLOB=BASE')
    p.add_argument('--redirect-loop', type=lambda v: (v, ''), action='append', default=[],
                   metavar='GLOB')
    p.add_argument('--header-flood', type=glob_value, action='append', default=[],
                   metavar='GLOB=N')
    p.add_argument('--big-header', type=glob_value, action='append', default=[],
                   metavar='GLOB=N')
    p.add_argument('--huge-body', type=glob_value, action='append', default=[],
                   metavar='GLOB=N')
    p.add_argument('--endless', type=lambda v: (v, ''), action='append', default=[],
                   metavar='GLOB')
    p.add_argument('--fault-path', default='*', help='GLOB of paths the fault applies to')
    p.add_argument('--fault-skip', type=int, default=0)
    p.add_argument('--fault-times', type=int, default=1)
    args = p.parse_args()
    args.root = os.path.abspath(args.root)
    if args.alt_root:
        args.alt_root = os.path.abspath(args.alt_root)

    server = Server(('127.0.0.1', args.port), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.state = State(args)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
