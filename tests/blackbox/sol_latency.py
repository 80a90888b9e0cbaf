#!/usr/bin/python3
"""Echo latency through SOL with ipmitool (bulk data: sol_stream.py).

sol_latency.py PORT PASSWORD
    Through a UDP proxy in front of pmbd, type 200 characters into the sim
    console one at a time and time, at the proxy, each SOL packet to the
    echo that pmbd sends back: the latency pmbd adds.  No assertion on it.
"""
import os
import select
import socket
import statistics
import sys
import threading
import time
import tty


def ipmitool(port, pw, *args):
    return ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p', str(port),
            '-U', 'admin', '-P', pw] + list(args)


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
    sys.exit(latency(int(sys.argv[1]), sys.argv[2]))
