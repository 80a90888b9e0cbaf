#!/usr/bin/python3
"""Serial-over-LAN through real clients, each on a pty like a person's
terminal: ipmitool sol activate (bridged and per port) and FreeIPMI's
ipmiconsole.  Usage: sol_clients.py PORT PORT72 PASSWORD"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

PORT, PORT72, PW = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
from tap import check, finish


class Term:
    """A program on a pty: send keys, wait for text."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(argv[0], argv)
        self.out = b''

    def send(self, data, pace=0.0):
        if isinstance(data, str):
            data = data.encode()
        if pace:
            for b in data:
                os.write(self.fd, bytes([b]))
                time.sleep(pace)    # typing at a person's pace: not a wait
        else:
            os.write(self.fd, data)

    def expect(self, pattern, timeout=10.0):
        rx = re.compile(pattern.encode() if isinstance(pattern, str)
                        else pattern)
        end = time.time() + timeout
        while True:
            m = rx.search(self.out)
            if m:
                return m
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b''
                if not chunk:
                    return rx.search(self.out)
                self.out += chunk

    def wait(self, timeout=10.0):
        """Exit status, or None if still running after timeout."""
        end = time.time() + timeout
        while time.time() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.drain()
                return os.waitstatus_to_exitcode(st)
            self.drain(0.1)
        return None

    def drain(self, t=0.0):
        r, _, _ = select.select([self.fd], [], [], t)
        if r:
            try:
                self.out += os.read(self.fd, 65536)
            except OSError:
                pass

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass


def ipmitool(*args, port=PORT):
    return ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p', str(port),
            '-U', 'admin', '-P', PW] + list(args)


def run(*args, port=PORT):
    return subprocess.run(ipmitool(*args, port=port), capture_output=True,
                          text=True, timeout=30)


USERS = {'viewer': ('viewer-pw-1', 'USER'),
         'oper': ('operator-pw-1', 'OPERATOR'),
         'admin': (PW, 'ADMINISTRATOR')}


def as_user(user, *args, port=PORT):
    pw, level = USERS[user]
    return ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p', str(port),
            '-U', user, '-P', pw, '-L', level] + list(args)


def run_as(user, *args, port=PORT):
    return subprocess.run(as_user(user, *args, port=port),
                          capture_output=True, text=True, timeout=30)


def freeipmi_as(user, *args):
    pw, level = USERS[user]
    return ['ipmiconsole', '-h', '127.0.0.1:%d' % PORT72, '-u', user, '-p',
            pw, '-l', level.lower().replace('administrator', 'admin')] + \
        list(args)


# 1. Bridged: attach to a machine that is off, power it on from another
#    client, watch it boot, log in, BREAK, leave with ~.
run('-t', '1', 'power', 'off')
t = Term(ipmitool('-t', '1', 'sol', 'activate'))
check('bridged sol activate', t.expect(r'SOL Session operational'))
check('a second activation is refused',
      'already active' in run('-t', '1', 'sol', 'activate').stderr)
r = run('-t', '1', 'power', 'on')
check('boot log through SOL', t.expect(r'pmbd sim firmware 1\.0 \(node1\)')
      is not None, r.stdout)
check('boot device shown', t.expect(r'booting from hard disk'))
check('login prompt', t.expect(r'node1 login: '))
t.send('operator\r', pace=0.01)
check('typed line echoed', t.expect(r'login: operator\r\n'))
check('getty asks for the password', t.expect(r'Password: '))
t.send('secret\r', pace=0.01)
check('the password is not echoed', t.expect(r'Login incorrect') and
      b'secret' not in t.out)
t.send('\r~B')
check('~B sends BREAK (SysRq help)', t.expect(r'sysrq: HELP'))
t.send('\r~.')
rc = t.wait(10)
check('~. ends ipmitool cleanly', rc == 0, 'exit %s' % rc)
r = run('-t', '1', 'sol', 'deactivate')
check('instance released after ~.', 'already de-activated' in
      r.stdout + r.stderr, r.stdout + r.stderr)

# 2. Output printed while nobody watched comes first on the next
#    activation (console history).
# The reset's answer is the event waited for: the sim prints its whole
# boot log into pmbd's console history before pmbd answers.
r = run('-t', '1', 'power', 'reset')
t = Term(ipmitool('-t', '1', 'sol', 'activate'))
check('missed boot log replayed on activation',
      t.expect(r'pmbd sim firmware.*\n(.|\n)*node1 login: ', 10),
      r.stdout + r.stderr)
# 3. Ironic: "sol deactivate" from another client ends the running one.
r = run('-t', '1', 'sol', 'deactivate')
check('sol deactivate from a second ipmitool', r.returncode == 0,
      r.stderr)
rc = t.wait(10)
check('the first ipmitool ends: "SOL session closed by BMC"',
      rc == 1 and b'SOL session closed by BMC' in t.out,
      'exit %s, %r' % (rc, t.out[-200:]))
t = Term(ipmitool('-t', '1', 'sol', 'activate'))
check('activate again after the takeover',
      t.expect(r'SOL Session operational'))
t.send('\r')
check('and it works', t.expect(r'node1 login: '))
t.send('~.')
t.wait(10)

# 4. Per-target port, no bridging.
run('power', 'on', port=PORT72)
t = Term(ipmitool('sol', 'activate', port=PORT72))
check('per-port sol activate', t.expect(r'SOL Session operational'))
check('per-port boot log', t.expect(r'node72 login: '))
t.send('abc\x7f\x7fx\r', pace=0.01)
check('erase works like a terminal', t.expect(r'login: abc\x08 \x08\x08 \x08x'))
t.send('~.')
check('per-port ~.', t.wait(10) == 0)

# 5. FreeIPMI ipmiconsole on the per-target port.
t = Term(['ipmiconsole', '-h', '127.0.0.1:%d' % PORT72, '-u', 'admin',
          '-p', PW])
check('ipmiconsole connects', t.expect(r'\[SOL established\]'), repr(t.out[-300:]))
t.send('\r')
check('ipmiconsole: prompt', t.expect(r'node72 login: '))
t.send('freeipmi\r', pace=0.01)
check('ipmiconsole: echo', t.expect(r'login: freeipmi\r\nPassword: '))
t.send('&.')
rc = t.wait(10)
check('ipmiconsole: &. ends it', rc == 0, 'exit %s' % rc)
# ipmiconsole takes over a console in use (it deactivates the other).
t = Term(ipmitool('sol', 'activate', port=PORT72))
t.expect(r'SOL Session operational')
f = Term(['ipmiconsole', '-h', '127.0.0.1:%d' % PORT72, '-u', 'admin',
          '-p', PW])
check('ipmiconsole steals an active console',
      f.expect(r'\[SOL established\]'))
check('the stolen ipmitool ends', t.wait(10) == 1)
f.send('&.')
f.wait(10)
for x in (t, f):
    x.kill()

# 6. Roles: SOL needs OPERATOR (a console types, BREAK included); only an
#    administrator or the session itself ends a running one.
r = run_as('viewer', 'sol', 'activate', port=PORT72)
check('ipmitool: a user (read-only) cannot activate SOL',
      r.returncode != 0 and 'privilege' in r.stderr.lower(), r.stderr)
f = Term(freeipmi_as('viewer'))
rc = f.wait(15)
check('ipmiconsole: a user cannot activate SOL',
      b'privilege level insufficient' in f.out and
      b'SOL established' not in f.out, 'exit %s %r' % (rc, f.out[-200:]))
f.kill()
t = Term(as_user('oper', 'sol', 'activate', port=PORT72))
check('ipmitool: an operator activates SOL',
      t.expect(r'SOL Session operational'), repr(t.out[-200:]))
t.send('\r')
check('an operator types into the console', t.expect(r'node72 login: '))
r = run_as('viewer', 'sol', 'deactivate', port=PORT72)
check('ipmitool: a user cannot end it', r.returncode != 0 and
      'privilege' in (r.stdout + r.stderr).lower(), r.stdout + r.stderr)
r = run_as('oper', 'sol', 'deactivate', port=PORT72)
check('ipmitool: another operator session cannot end it',
      r.returncode != 0 and 'privilege' in (r.stdout + r.stderr).lower(),
      r.stdout + r.stderr)
# (ipmiconsole --deactivate says nothing and exits 0 either way: what
# counts is that the console is still there.)
f = Term(freeipmi_as('oper', '--deactivate'))
f.wait(15)
f.kill()
t.out = b''
t.send('\r')
check('ipmiconsole --deactivate: an operator cannot end it',
      t.expect(r'node72 login: ') is not None and t.wait(0.5) is None,
      repr(t.out[-200:]))
f = Term(freeipmi_as('admin', '--deactivate'))
rc = f.wait(15)
check('ipmiconsole --deactivate: an administrator ends it', rc == 0,
      'exit %s %r' % (rc, f.out[-200:]))
rc = t.wait(10)
check('the operator\'s ipmitool is told: "SOL session closed by BMC"',
      rc == 1 and b'SOL session closed by BMC' in t.out,
      'exit %s, %r' % (rc, t.out[-200:]))
f = Term(freeipmi_as('oper'))
check('ipmiconsole: an operator activates SOL', f.expect(
    r'\[SOL established\]'), repr(f.out[-200:]))
f.send('&.')
check('and ends its own session (&.)', f.wait(10) == 0)
t = Term(as_user('oper', 'sol', 'activate', port=PORT72))
check('the instance is free again', t.expect(r'SOL Session operational'))
t.send('\r~.')
check('the owner ends its own with ~.', t.wait(10) == 0)
t.kill()

finish()
