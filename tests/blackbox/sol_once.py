#!/usr/bin/python3
"""One short SOL exchange through ipmitool and a pty's far end.

sol_once.py PORT PASSWORD TTY TARGET|- PRINTED [TYPED]

Starts `ipmitool sol activate` (bridged to TARGET, or on PORT itself for
-), waits for its banner, has the server print PRINTED on TTY (the far
end of the target's pty pair) and, if given, types TYPED; waits (at most
15 s for each) until ipmitool shows PRINTED and TYPED reaches the far end.
Prints "out=True|False in=True|False" and ends ipmitool with EOF.
"""
import os
import subprocess
import sys
import time
import tty

port, pw, path, target, printed = sys.argv[1:6]
typed = sys.argv[6].encode() if len(sys.argv) > 6 else b''
fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
tty.setraw(fd)
argv = ['stdbuf', '-o0', 'ipmitool', '-I', 'lanplus', '-H', '127.0.0.1',
        '-p', port, '-U', 'admin', '-P', pw]
if target != '-':
    argv += ['-t', target]
p = subprocess.Popen(argv + ['sol', 'activate'], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
os.set_blocking(p.stdout.fileno(), False)
got = far = b''


def pump():
    global got, far
    try:
        got += os.read(p.stdout.fileno(), 65536)
    except BlockingIOError:
        pass
    try:
        far += os.read(fd, 65536)
    except BlockingIOError:
        pass


def until(cond, secs=15.0):
    end = time.monotonic() + secs
    while time.monotonic() < end and not cond():
        pump()
        time.sleep(0.02)
    return cond()


until(lambda: b'SOL Session operational' in got)
os.write(fd, printed.encode() + b'\r\n')
if typed:
    p.stdin.write(typed)
    p.stdin.flush()
until(lambda: printed.encode() in got and typed in far)
print('out=%s in=%s' % (printed.encode() in got, typed in far))
p.stdin.close()
try:
    p.wait(10)
except subprocess.TimeoutExpired:
    p.kill()
