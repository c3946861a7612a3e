"""nginx for the benchmark: tests/server/nginx.py (reused as is) with a benchmark config.

Differences from the test config (why this subclass exists instead of an edit there):
  * the access log also records bytes sent with headers, the connection serial number and
    the request time, so the benchmark can count requests, bytes and connections per run;
  * `max_ranges 0` for the norange profile (nginx then ignores Range and sends 200 + body);
  * HTTP/2 stream and connection windows left at nginx's defaults, keepalive as in the tests.
Profiles that add latency or bandwidth limits put bench/relay.py in front of it (see
bench/profiles.md in RESULTS.md).
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'tests', 'server'))
import nginx  # noqa: E402  (tests/server/nginx.py)

CONF = """\
worker_processes 1;
{user}
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    log_format bench '$msec $scheme "$request" $status $body_bytes_sent $bytes_sent '
                     '$connection $server_protocol $request_time range="$http_range"';
    access_log {d}/access.log bench;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 75s;
    server_tokens off;
    {extra}
    types {{
        application/json info;
        text/plain mod list;
        application/zip zip;
    }}
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{http_port};
        root {root};
        location / {{ try_files $uri =404; }}
    }}
    server {{
        listen 127.0.0.1:{https_port} ssl http2;
        ssl_certificate {d}/server.pem;
        ssl_certificate_key {d}/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:1m;
        root {root};
        location / {{ try_files $uri =404; }}
    }}
}}
"""


class BenchNginx(nginx.NginxServer):
    def __init__(self, root, extra='', **kw):
        super().__init__(root, **kw)
        self.extra = extra
        self.http_port = self.https_port = None

    def _start_once(self):
        hp, sp = nginx.free_port(), nginx.free_port()
        user = 'user root root;' if os.geteuid() == 0 else ''
        conf = os.path.join(self.dir, 'nginx.conf')
        with open(conf, 'w') as f:
            f.write(CONF.format(user=user, d=self.dir, root=self.root, http_port=hp,
                                https_port=sp, extra=self.extra))
        for name in ('access.log', 'error.log', 'nginx.pid'):
            try:
                os.unlink(os.path.join(self.dir, name))
            except FileNotFoundError:
                pass
        self.proc = subprocess.Popen(
            ['timeout', '-k', '5', str(self.max_seconds), nginx.NGINX, '-p', self.dir, '-c',
             conf, '-e', self.error_log],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, 'stderr.log'), 'wb'), start_new_session=True)
        self.http_port, self.https_port = hp, sp
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

    def log_size(self):
        try:
            return os.path.getsize(self.access_log)
        except FileNotFoundError:
            return 0

    def log_since(self, offset):
        """Parsed access-log lines written after byte offset."""
        out = []
        try:
            with open(self.access_log, 'rb') as f:
                f.seek(offset)
                data = f.read().decode(errors='replace')
        except FileNotFoundError:
            return out
        for line in data.splitlines():
            q1 = line.find('"')
            q2 = line.find('"', q1 + 1)
            head = line[:q1].split()
            tail = line[q2 + 1:].split()
            if len(head) < 2 or len(tail) < 6:
                continue
            out.append({'msec': float(head[0]), 'scheme': head[1],
                        'request': line[q1 + 1:q2], 'status': int(tail[0]),
                        'body': int(tail[1]), 'bytes': int(tail[2]), 'conn': int(tail[3]),
                        'proto': tail[4], 'rtime': float(tail[5]),
                        'range': 'range="-"' not in line and 'range=""' not in line})
        return out
