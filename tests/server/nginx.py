#!/usr/bin/env python3
"""Serve a static GOPROXY tree with nginx, for the end-to-end tests.

Two listeners on 127.0.0.1, each on a free port picked at start:
  * plain HTTP/1.1;
  * TLS with HTTP/2 (ALPN h2), using a throw-away CA and server certificate (SAN IP:127.0.0.1)
    made with the openssl CLI. Clients trust it through SSL_CERT_FILE=<ca_file>.

Everything nginx writes (conf, pid, logs, temp dirs, keys) lives in one private directory.
nginx runs in the foreground ("daemon off") as a child of coreutils `timeout`, in its own
process group, so stop() (or the end of the time limit, even if the caller is SIGKILLed)
ends it. The access log has one line per request:
  <msec> <scheme> "<request>" <status> range="<Range header>" <body bytes sent> <protocol>
  <connection serial> <requests on that connection so far>

Module paths with upper-case letters are escaped by go with '!' and sent as '%21'; nginx
decodes the URI before mapping it to a file, so '<root>/github.com/!example/...' is found.
start() checks that (with both '%21' and a literal '!') when the tree has such a path.

Library use (stdlib only):
    srv = NginxServer(root); srv.start(); ... srv.http_url, srv.https_url, srv.ca_file ...
    srv.stop()
CLI: nginx.py ROOT [--seconds N] [--upstream URL] [--keepalive-requests N]
     prints the URLs and serves until interrupted or N seconds.

Reverse-proxy mode (upstream=URL): nginx relays every request to an HTTP/1.1 server (the
fault-injecting tests/server/goproxy.py), so faults the upstream injects reach an HTTP/2
client the way a CDN forwards them: a body cut mid-way becomes RST_STREAM, and with
keepalive_requests=N a connection ends with GOAWAY after N streams.
"""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

NGINX = os.environ.get('NGINX', '/usr/sbin/nginx')

CONF = """\
worker_processes 1;
{user}
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format e2e '$msec $scheme "$request" $status range="$http_range" $body_bytes_sent '
                   '$server_protocol $connection $connection_requests';
    access_log {d}/access.log e2e;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    sendfile on;
    keepalive_requests {keepalive_requests};
    server_tokens off;
    types {{
        application/json info;
        text/plain mod list;
        application/zip zip;
    }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{http_port};
        root {root};
        {location}
    }}
    server {{
        listen 127.0.0.1:{https_port} ssl http2;
        ssl_certificate {d}/server.pem;
        ssl_certificate_key {d}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root {root};
        {location}
    }}
}}
"""

STATIC = 'location / {{ try_files $uri =404; }}'

# Reverse proxy in front of an HTTP/1.1 upstream (tests/server/goproxy.py), as a CDN sits in
# front of proxy.golang.org.  proxy_buffering off relays the body as it arrives, so an upstream
# that cuts a body mid-way makes nginx end the response mid-way too: over HTTP/2 it resets the
# stream (RST_STREAM), over HTTP/1.1 it closes the connection.  The client's Range and
# If-Range reach the upstream unchanged (nginx forwards request headers by default) and the
# upstream's 206 answers come back as they are (nginx's range filter only handles 200s).
PROXY = """location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_read_timeout 120s;
        }}"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(cmd, cwd=None, timeout=60):
    subprocess.run(cmd, cwd=cwd, check=True, timeout=timeout,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_certs(d):
    """Self-signed CA + server certificate for IP:127.0.0.1 (EC P-256: fast to make)."""
    with open(os.path.join(d, 'server.ext'), 'w') as f:
        f.write('basicConstraints=critical,CA:FALSE\n'
                'keyUsage=critical,digitalSignature,keyEncipherment\n'
                'extendedKeyUsage=serverAuth\n'
                'subjectAltName=IP:127.0.0.1\n')
    run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
         '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
         '-subj', '/CN=gmfetch e2e test CA',
         '-addext', 'basicConstraints=critical,CA:TRUE',
         '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], cwd=d)
    run(['openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
         '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], cwd=d)
    run(['openssl', 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
         '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext'], cwd=d)


class NginxServer:
    """upstream: None serves root as static files; "http://127.0.0.1:<port>" makes nginx a
    reverse proxy (see PROXY) in front of that server instead, root then only being nginx's
    document root.  keepalive_requests: requests per connection (nginx 1.22 applies it to
    HTTP/2 connections too: after that many streams it sends GOAWAY)."""

    def __init__(self, root, workdir=None, max_seconds=1200, upstream=None,
                 keepalive_requests=10000):
        self.root = os.path.abspath(root)
        self.max_seconds = max_seconds
        self.upstream = upstream
        self.keepalive_requests = keepalive_requests
        self._own_dir = workdir is None
        self.dir = workdir or tempfile.mkdtemp(prefix='gmfetch-nginx-')
        self.proc = None
        self.http_url = self.https_url = None
        self.ca_file = os.path.join(self.dir, 'ca.pem')
        self.access_log = os.path.join(self.dir, 'access.log')
        self.error_log = os.path.join(self.dir, 'error.log')

    def start(self):
        os.makedirs(os.path.join(self.dir, 'tmp'), exist_ok=True)
        make_certs(self.dir)
        last = ''
        for _ in range(5):  # a picked port can be taken before nginx binds it: retry
            try:
                self._start_once()
                if not self.upstream:
                    self._check_bang()
                return self
            except RuntimeError as e:
                last = str(e)
                self._kill()
        raise RuntimeError('nginx did not start: ' + last)

    def _start_once(self):
        hp, sp = free_port(), free_port()
        user = 'user root root;' if os.geteuid() == 0 else ''
        conf = os.path.join(self.dir, 'nginx.conf')
        with open(conf, 'w') as f:
            location = (PROXY.format(upstream=self.upstream) if self.upstream
                        else STATIC.format())
            f.write(CONF.format(user=user, d=self.dir, root=self.root, http_port=hp,
                                https_port=sp, location=location,
                                keepalive_requests=self.keepalive_requests))
        for name in ('access.log', 'error.log', 'nginx.pid'):
            try:
                os.unlink(os.path.join(self.dir, name))
            except FileNotFoundError:
                pass
        # `timeout` bounds nginx's life even if this process dies without cleaning up.
        self.proc = subprocess.Popen(
            ['timeout', '-k', '5', str(self.max_seconds), NGINX, '-p', self.dir, '-c', conf,
             '-e', self.error_log],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, 'stderr.log'), 'wb'), start_new_session=True)
        self.http_url = 'http://127.0.0.1:%d' % hp
        self.https_url = 'https://127.0.0.1:%d' % sp
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self._logs())
            if self._listening(hp) and self._listening(sp):
                return
            time.sleep(0.05)
        raise RuntimeError('timed out waiting for nginx\n' + self._logs())

    @staticmethod
    def _listening(port):
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1):
                return True
        except OSError:
            return False

    def _logs(self):
        out = []
        for name in ('stderr.log', 'error.log'):
            try:
                with open(os.path.join(self.dir, name), errors='replace') as f:
                    out.append(f.read())
            except OSError:
                pass
        return '\n'.join(out)

    def get(self, path, https=False, timeout=10):
        """GET base+path; returns (status, body). path must be already URL-escaped."""
        url = (self.https_url if https else self.http_url) + path
        ctx = ssl.create_default_context(cafile=self.ca_file) if https else None
        try:
            with urllib.request.urlopen(url, timeout=timeout, context=ctx) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, b''

    def _check_bang(self):
        """Find one on-disk name with '!' and fetch it as %21 and as '!', over both listeners."""
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = os.path.relpath(dirpath, self.root)
            if '!' not in rel or not filenames:
                continue
            disk = '/' + rel + '/' + sorted(filenames)[0]
            with open(os.path.join(self.root, disk[1:]), 'rb') as f:
                want = f.read()
            for path in (disk.replace('!', '%21'), disk):
                for https in (False, True):
                    status, body = self.get(path, https=https)
                    if status != 200 or body != want:
                        raise RuntimeError('GET %s (https=%s): %s' % (path, https, status))
            return

    def log_lines(self):
        try:
            with open(self.access_log, errors='replace') as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def _kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.proc = None

    def stop(self, keep_dir=False):
        self._kill()
        if self._own_dir and not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('root')
    ap.add_argument('--seconds', type=int, default=600)
    ap.add_argument('--upstream', help='reverse-proxy to this http://host:port instead')
    ap.add_argument('--keepalive-requests', type=int, default=10000)
    a = ap.parse_args(argv)
    srv = NginxServer(a.root, max_seconds=a.seconds + 10, upstream=a.upstream,
                      keepalive_requests=a.keepalive_requests).start()
    print('GOPROXY=%s' % srv.http_url)
    print('GOPROXY=%s SSL_CERT_FILE=%s' % (srv.https_url, srv.ca_file))
    print('access log: %s' % srv.access_log, flush=True)
    try:
        srv.proc.wait(timeout=a.seconds)
    except (KeyboardInterrupt, subprocess.TimeoutExpired):
        pass
    finally:
        srv.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
