#!/usr/bin/python3
"""pmbd and systemd without systemd: a fake NOTIFY_SOCKET receives READY=1,
STATUS= and WATCHDOG=1 (WATCHDOG_USEC set); SIGHUP gives RELOADING=1 then
READY=1; SIGTERM gives STOPPING=1.

notify.py PMBD CONF WORKDIR
"""
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, finish  # noqa: E402

pmbd, conf, work = sys.argv[1:4]
path = os.path.join(work, 'notify.sock')
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.2)
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC='1000000')
log = open(os.path.join(work, 'notify-pmbd.log'), 'w')
p = subprocess.Popen([pmbd, '-f', '-c', conf], env=env, stdout=log,
                     stderr=log)
msgs = []


def collect(secs, until=None):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        msgs.append((time.monotonic(), m))
        if until and until in m:
            return True
    return False


collect(30, 'READY=1')
ready = [m for _, m in msgs if 'READY=1' in m]
check('READY=1 once listening', len(ready) == 1, msgs)
check('with a STATUS= summary',
      ready and 'STATUS=' in ready[0] and 'targets' in ready[0], ready)
collect(2.5)    # a measuring period: how many WATCHDOG=1 in 2.5 s
dogs = [t for t, m in msgs if 'WATCHDOG=1' in m]
check('WATCHDOG=1 from the loop, about every 0.5 s (%d in 2.5 s)' %
      len(dogs), len(dogs) >= 3)
n = len(msgs)
p.send_signal(signal.SIGHUP)
collect(30, 'READY=1')
after = [m for _, m in msgs[n:]]
rel = [i for i, m in enumerate(after) if 'RELOADING=1' in m]
rdy = [i for i, m in enumerate(after) if 'READY=1' in m]
check('SIGHUP: RELOADING=1, then READY=1', rel and rdy and rel[0] < rdy[0],
      after)
n = len(msgs)
p.send_signal(signal.SIGTERM)
p.wait(30)
collect(30, 'STOPPING=1')
check('SIGTERM: STOPPING=1', any('STOPPING=1' in m for _, m in msgs[n:]),
      msgs[n:])
finish()
