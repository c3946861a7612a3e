#!/usr/bin/env python3
"""Userspace TCP relay that makes a loopback connection look like a long-haul link.

There is no netem on this kernel, so the link is emulated here, between the client and nginx
(both on 127.0.0.1). For every accepted connection the relay opens one to the upstream and
copies bytes both ways, and per direction:

  * one-way delay: bytes read at time t are written out at t + delay (RTT = 2 x delay);
  * connection setup: the first client bytes leave no earlier than accept + RTT + delay, as
    if the client had waited for the SYN/SYN-ACK round trip (connect() itself returns at once);
  * link bandwidth (--rate, bytes/s, shared by all connections, per direction): a FIFO
    transmitter: a chunk leaves when the link is free and occupies it size/rate seconds;
  * per-connection rate (--conn-rate, bytes/s, downstream): a second shaper in front of the
    link for each connection (what a CDN or a long-RTT TCP flow imposes on a single stream);
  * a TCP-like send window for the downstream direction: a connection may have at most cwnd
    bytes between "read from nginx" and "acknowledged" (written to the client + delay); cwnd
    starts at 10 segments and grows by every acknowledged byte (slow start, no loss), up to
    --max-window. Without it the relay would absorb whole responses at loopback speed and
    no new connection would pay TCP's ramp-up.
What it does not emulate: loss, congestion avoidance and fast recovery, the receiver's
window, Nagle/delayed ACK interplay, slow-start restart after idle. The bottleneck queue is a
plain FIFO bounded only by the windows (deep buffer, no drops).

The relay runs on the same 2 cores as the clients; its CPU use is reported by the benchmark.
Statistics (connections, bytes each way) are written as JSON to --stats on SIGUSR1 and at exit.

Usage: relay.py --upstream 127.0.0.1:PORT [--listen 127.0.0.1:0] [--delay-ms 20]
                [--rate BYTES/S] [--conn-rate BYTES/S] [--max-window BYTES]
                [--port-file FILE] [--stats FILE]
The listening port is printed on stdout (and written to --port-file). Only loopback.
"""

import argparse
import asyncio
import collections
import json
import os
import signal
import sys
import time

CHUNK = 16384
MSS = 1448
INIT_CWND = 10 * MSS


class Shaper:
    """A FIFO transmitter of `rate` bytes/s: when does a chunk finish leaving?"""

    def __init__(self, rate):
        self.rate = rate
        self.free_at = 0.0

    def send(self, t, n):
        if not self.rate:
            return t
        start = max(t, self.free_at)
        self.free_at = start + n / self.rate
        return self.free_at


class Stats:
    def __init__(self):
        self.connections = 0
        self.active = 0
        self.up_bytes = 0
        self.down_bytes = 0
        self.max_queue = 0.0

    def dump(self, path):
        if not path:
            return
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.__dict__, f)
        os.replace(tmp, path)


class Direction:
    """One direction of one relayed connection."""

    def __init__(self, relay, reader, writer, not_before, shapers, windowed, down):
        self.relay, self.reader, self.writer = relay, reader, writer
        self.not_before, self.shapers = not_before, shapers
        self.windowed, self.down = windowed, down
        self.queue = collections.deque()
        self.ready = asyncio.Event()
        self.cwnd = INIT_CWND
        self.inflight = 0
        self.window_open = asyncio.Event()
        self.window_open.set()

    def ack(self, n):
        self.inflight -= n
        self.cwnd = min(self.cwnd + n, self.relay.max_window)
        if self.inflight < self.cwnd:
            self.window_open.set()

    async def pump(self):
        loop = asyncio.get_running_loop()
        try:
            while True:
                want = CHUNK
                if self.windowed:
                    while self.inflight >= self.cwnd:
                        self.window_open.clear()
                        await self.window_open.wait()
                    want = max(1, min(CHUNK, self.cwnd - self.inflight))
                data = await self.reader.read(want)
                now = loop.time()
                t = max(now, self.not_before)
                if data:
                    for s in self.shapers:
                        t = s.send(t, len(data))
                    self.relay.stats.max_queue = max(self.relay.stats.max_queue, t - now)
                    if self.windowed:
                        self.inflight += len(data)
                self.queue.append((t + self.relay.delay, data))
                self.ready.set()
                if not data:
                    return
        except (ConnectionError, OSError):
            self.queue.append((0.0, None))
            self.ready.set()

    async def deliver(self):
        loop = asyncio.get_running_loop()
        while True:
            while not self.queue:
                self.ready.clear()
                await self.ready.wait()
            at, data = self.queue.popleft()
            wait = at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                raise ConnectionResetError('peer reset')
            if not data:
                if self.writer.can_write_eof():
                    self.writer.write_eof()
                return
            self.writer.write(data)
            await self.writer.drain()
            if self.down:
                self.relay.stats.down_bytes += len(data)
            else:
                self.relay.stats.up_bytes += len(data)
            if self.windowed:
                loop.call_later(self.relay.delay, self.ack, len(data))


class Relay:
    def __init__(self, a):
        self.upstream = a.upstream.rsplit(':', 1)
        self.delay = a.delay_ms / 1000.0
        self.max_window = a.max_window
        self.conn_rate = a.conn_rate
        self.link_down = Shaper(a.rate)
        self.link_up = Shaper(a.rate)
        self.stats = Stats()

    async def handle(self, creader, cwriter):
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        self.stats.connections += 1
        self.stats.active += 1
        swriter = None
        try:
            sreader, swriter = await asyncio.open_connection(self.upstream[0],
                                                             int(self.upstream[1]))
            for w in (cwriter, swriter):
                sock = w.get_extra_info('socket')
                if sock is not None:
                    import socket
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rtt = 2 * self.delay
            up = Direction(self, creader, swriter, t0 + rtt, [self.link_up], False, False)
            shapers = ([Shaper(self.conn_rate)] if self.conn_rate else []) + [self.link_down]
            down = Direction(self, sreader, cwriter, 0.0, shapers, True, True)
            tasks = [asyncio.ensure_future(x) for x in
                     (up.pump(), up.deliver(), down.pump(), down.deliver())]
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for t in pending:
                if any(d.exception() for d in done if not d.cancelled()):
                    t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        except (ConnectionError, OSError):
            pass
        finally:
            self.stats.active -= 1
            for w in (cwriter, swriter):
                if w is not None:
                    try:
                        w.close()
                    except Exception:
                        pass


async def main_async(a):
    relay = Relay(a)
    host, port = a.listen.rsplit(':', 1)
    if host not in ('127.0.0.1', 'localhost', '::1'):
        raise SystemExit('relay: listen address must be loopback')
    if relay.upstream[0] not in ('127.0.0.1', 'localhost', '::1'):
        raise SystemExit('relay: upstream must be loopback')
    server = await asyncio.start_server(relay.handle, host, int(port), backlog=512)
    real_port = server.sockets[0].getsockname()[1]
    if a.port_file:
        with open(a.port_file + '.tmp', 'w') as f:
            f.write('%d\n' % real_port)
        os.replace(a.port_file + '.tmp', a.port_file)
    print(real_port, flush=True)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, relay.stats.dump, a.stats)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=a.seconds)
    except asyncio.TimeoutError:
        pass
    server.close()
    relay.stats.dump(a.stats)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--listen', default='127.0.0.1:0')
    ap.add_argument('--upstream', required=True)
    ap.add_argument('--delay-ms', type=float, default=20.0, help='one-way delay')
    ap.add_argument('--rate', type=float, default=0, help='link bytes/s per direction')
    ap.add_argument('--conn-rate', type=float, default=0, help='bytes/s per connection')
    ap.add_argument('--max-window', type=int, default=4 << 20)
    ap.add_argument('--port-file')
    ap.add_argument('--stats')
    ap.add_argument('--seconds', type=float, default=3600, help='exit after this long')
    a = ap.parse_args(argv)
    asyncio.run(main_async(a))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
