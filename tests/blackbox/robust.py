#!/usr/bin/python3
"""Hostile traffic for the black-box tests (loopback only).

robust.py proxy LISTEN_PORT PMBD_PORT DUP OUTFILE -- CMD...
    Run CMD (an ipmitool pointed at LISTEN_PORT) through a UDP proxy to
    pmbd.  With DUP=1 every in-session client packet is sent twice (a
    replay).  Writes "in_session_replies N" and the client's packets (hex)
    to OUTFILE.
robust.py garbage PMBD_PORT CAPTURE COUNT
    Send COUNT malformed datagrams: truncations, bit flips and random
    bytes built from the captured client packets.
robust.py flood PMBD_PORT SECONDS
    Send Open Session requests as fast as possible from 127.0.0.2.
"""
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

HOST = '127.0.0.1'


def proxy(listen_port, pmbd_port, dup, outfile, cmd):
    cs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    cs.bind((HOST, listen_port))
    ss = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ss.connect((HOST, pmbd_port))
    client = None
    replies = 0
    captured = []
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    while True:
        r, _, _ = select.select([cs, ss], [], [], 0.05)
        for s in r:
            if s is cs:
                data, client = cs.recvfrom(65536)
                captured.append(data)
                ss.send(data)
                # RMCP+ with the authenticated bit: in session.
                if dup and len(data) > 5 and data[4] == 6 and data[5] & 0x40:
                    ss.send(data)
            else:
                data = ss.recv(65536)
                if len(data) > 5 and data[4] == 6 and data[5] & 0x40:
                    replies += 1
                if client:
                    cs.sendto(data, client)
        if proc.poll() is not None and not r:
            break
    out = proc.stdout.read().decode()
    with open(outfile, 'w') as f:
        f.write('in_session_replies %d\n' % replies)
        for c in captured:
            f.write(c.hex() + '\n')
    sys.stdout.write(out)
    return proc.returncode


def garbage(pmbd_port, capture, count):
    pkts = [bytes.fromhex(l.strip()) for l in open(capture)
            if l.strip() and not l.startswith('in_session')]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rnd = random.Random(1234)
    sent = 0
    for p in pkts:                      # every truncation of every packet
        for n in range(len(p)):
            s.sendto(p[:n], (HOST, pmbd_port))
            sent += 1
    while sent < count:
        p = bytearray(rnd.choice(pkts))
        kind = rnd.randrange(4)
        if kind == 0:                   # flip bits
            for _ in range(rnd.randrange(1, 4)):
                i = rnd.randrange(len(p))
                p[i] ^= 1 << rnd.randrange(8)
        elif kind == 1:                 # wrong lengths
            if len(p) > 16:
                p[14] = rnd.randrange(256)
                p[15] = rnd.randrange(256)
        elif kind == 2:                 # random junk with an RMCP header
            p = bytearray(b'\x06\x00\xff\x07' +
                          os.urandom(rnd.randrange(0, 300)))
        else:                           # oversized
            p = p + os.urandom(rnd.randrange(1, 2000))
        s.sendto(bytes(p), (HOST, pmbd_port))
        sent += 1
        if sent % 500 == 0:
            time.sleep(0.01)
    print('sent %d malformed datagrams' % sent)


def flood(pmbd_port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.2', 0))
    s.setblocking(False)
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        sid = random.getrandbits(32) | 1
        body = struct.pack('<BBHI', 0, 0, 0, sid)
        body += bytes([0, 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 8, 4, 0, 0, 0,
                       2, 0, 0, 8, 1, 0, 0, 0])
        pkt = b'\x06\x00\xff\x07\x06\x10' + b'\0' * 8 + \
            struct.pack('<H', len(body)) + body
        try:
            s.sendto(pkt, (HOST, pmbd_port))
            n += 1
            if n == 1:                  # the caller waits for this line
                print('flooding', file=sys.stderr, flush=True)
        except BlockingIOError:
            time.sleep(0.0005)
        try:
            while True:
                s.recv(4096)
        except BlockingIOError:
            pass
        if n % 200 == 0:
            time.sleep(0.001)           # bounded rate, a few thousand/s
    print('flood: %d open session requests in %ds' % (n, seconds))


if __name__ == '__main__':
    if sys.argv[1] == 'proxy':
        i = sys.argv.index('--')
        sys.exit(proxy(int(sys.argv[2]), int(sys.argv[3]),
                       sys.argv[4] == '1', sys.argv[5], sys.argv[i + 1:]))
    elif sys.argv[1] == 'garbage':
        garbage(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == 'flood':
        flood(int(sys.argv[2]), float(sys.argv[3]))
