#!/usr/bin/python3
"""Bulk data and echo latency through SOL with ipmitool.

sol_bulk.py bulk PORT PASSWORD TTY RATE SIZE
    Start an echo on TTY (the far end of a socat pty pair whose other end
    is a pmbd serial target on PORT): everything read is written back, at
    RATE bytes/s (0: as fast as it comes).  Send SIZE random bytes through
    `ipmitool sol activate` and check that every byte comes back, in order.
sol_bulk.py latency PORT PASSWORD
    Through a UDP proxy in front of pmbd, type 200 characters into the sim
    console one at a time and time, at the proxy, each SOL packet to the
    echo that pmbd sends back: the latency pmbd adds.  No assertion on it.
"""
import os
import random
import select
import socket
import statistics
import subprocess
import sys
import termios
import threading
import time
import tty


def ipmitool(port, pw, *args):
    return ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p', str(port),
            '-U', 'admin', '-P', pw] + list(args)


def echo_far_end(path, rate, stop):
    """Echo everything back, never blocking (a blocking write here could
    deadlock with socat, which blocks on its own writes)."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    attr = termios.tcgetattr(fd)
    attr[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, attr)
    tokens, last = 0.0, time.monotonic()
    pending = b''
    while not stop.is_set():
        now = time.monotonic()
        if rate:
            tokens = min(tokens + (now - last) * rate, 256.0)
        last = now
        room = 65536 - len(pending)
        want = min(room, 4096 if not rate else int(tokens))
        r, w, _ = select.select([fd] if want > 0 else [],
                                [fd] if pending else [], [],
                                0.002 if rate else 0.05)
        if r:
            try:
                data = os.read(fd, want)
            except BlockingIOError:
                data = b''
            if rate:
                tokens -= len(data)
            pending += data
        if w and pending:
            try:
                n = os.write(fd, pending)
                pending = pending[n:]
            except BlockingIOError:
                pass
    os.close(fd)


def bulk(port, pw, path, rate, size):
    rnd = random.Random(20261121)
    # Random bytes without '~', ipmitool's escape character.
    data = bytes(b if b != 0x7e else 0x7d for b in
                 rnd.randbytes(size))
    stop = threading.Event()
    echo = threading.Thread(target=echo_far_end, args=(path, rate, stop),
                            daemon=True)
    echo.start()
    err = open(os.path.join(os.path.dirname(path), 'ipmitool.err'), 'w+')
    p = subprocess.Popen(ipmitool(port, pw, 'sol', 'activate'),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=err)
    got = bytearray()
    banner = b'[SOL Session operational.  Use ~? for help]\n'
    start = time.monotonic()
    first = [None]

    def reader():
        while True:
            chunk = p.stdout.read1(65536)
            if not chunk:
                return
            if first[0] is None:
                first[0] = time.monotonic()
            got.extend(chunk)
            if len(got) >= len(banner) + size:
                return

    rt = threading.Thread(target=reader, daemon=True)
    rt.start()
    time.sleep(1.0)             # let the session come up
    t0 = time.monotonic()
    sent_at = [None]

    def writer():
        try:
            for i in range(0, size, 4096):
                p.stdin.write(data[i:i + 4096])
                p.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass
        sent_at[0] = time.monotonic()

    wt = threading.Thread(target=writer, daemon=True)
    wt.start()
    limit = 60 + (size / rate * 1.5 if rate else 60)
    rt.join(limit)
    t1 = time.monotonic()
    t_sent = sent_at[0] or t1
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
    stop.set()
    echo.join(5)
    body = bytes(got)
    if body.startswith(banner):
        body = body[len(banner):]
    ok = body == data
    lost = size - len(body)
    diff = next((i for i in range(min(len(body), size))
                 if body[i] != data[i]), None)
    secs = t1 - t0
    print('bulk rate=%s size=%d: %s; %d bytes back in %.2f s '
          '(%.1f KiB/s each way; all sent after %.2f s)' % (
              rate or 'full', size, 'every byte back, in order' if ok else
              'MISMATCH (first difference at %s, %d missing)' % (diff, lost),
              len(body), secs, len(body) / secs / 1024, t_sent - t0))
    if not ok:
        err.seek(0)
        print('ipmitool said: %r' % err.read()[-300:])
    print('%d passed, %d failed' % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


def latency(port, pw):
    # The proxy listens on the same port at 127.0.0.2: the SOL activation
    # reply names the port the client used, and ipmitool checks it.
    cs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cs.bind(('127.0.0.2', port))
    ss = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ss.connect(('127.0.0.1', port))
    client = [None]
    t_in = {}
    samples = []
    stop = threading.Event()

    def is_sol(d):
        return len(d) > 6 and d[4] == 6 and (d[5] & 0x3f) == 1

    def pump():
        while not stop.is_set():
            r, _, _ = select.select([cs, ss], [], [], 0.05)
            for s in r:
                if s is cs:
                    d, client[0] = cs.recvfrom(65536)
                    if is_sol(d) and len(d) > 60:
                        t_in['t'] = time.monotonic()
                    ss.send(d)
                else:
                    d = ss.recv(65536)
                    # pmbd's echo: the first data packet after the ACK.
                    if is_sol(d) and 't' in t_in and len(d) > 60 and \
                            t_in.get('acked'):
                        samples.append(time.monotonic() - t_in.pop('t'))
                        t_in.pop('acked', None)
                    elif is_sol(d) and 't' in t_in:
                        t_in['acked'] = True
                    if client[0]:
                        cs.sendto(d, client[0])

    th = threading.Thread(target=pump, daemon=True)
    th.start()
    import pty
    pid, fd = pty.fork()
    if pid == 0:
        argv = ipmitool(port, pw, '-t', '1', 'sol', 'activate')
        argv[argv.index('127.0.0.1')] = '127.0.0.2'
        os.execvp('ipmitool', argv)
    buf = b''
    end = time.time() + 10
    while b'login: ' not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            buf += os.read(fd, 4096)
        else:
            os.write(fd, b'\r')
    try:
        for i in range(200):
            os.write(fd, b'abcdefghijklmnopqrstuvwxyz'[i % 26:i % 26 + 1])
            time.sleep(0.02)
            r, _, _ = select.select([fd], [], [], 0)
            if r:
                os.read(fd, 4096)
        os.write(fd, b'\r~.')
    except OSError:
        pass
    time.sleep(1)
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    os.waitpid(pid, 0)
    stop.set()
    th.join(2)
    if samples:
        ms = sorted(x * 1000 for x in samples)
        print('echo latency added by pmbd (SOL packet in -> echo out, '
              'at a proxy): n=%d median %.3f ms, p90 %.3f ms, max %.3f ms'
              % (len(ms), statistics.median(ms), ms[int(len(ms) * .9)],
                 ms[-1]))
    # Some echoes share a packet; enough samples is what is checked.
    good = len(samples) >= 100
    print('%d passed, %d failed' % (1 if good else 0, 0 if good else 1))
    return 0 if good else 1


if __name__ == '__main__':
    if sys.argv[1] == 'bulk':
        sys.exit(bulk(int(sys.argv[2]), sys.argv[3], sys.argv[4],
                      int(sys.argv[5]), int(sys.argv[6])))
    sys.exit(latency(int(sys.argv[2]), sys.argv[3]))
