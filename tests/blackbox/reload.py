#!/usr/bin/python3
"""Live reload, observed through ipmitool while an admin's SOL session on an
unchanged target (2) keeps working: add a target, change a password (the
operator's SOL session ends), remove a target, add a per-target port,
break the file.

reload.py PMBD_PID CONF PORT PASSWORD LOG NEWPORT
The shell side wrote CONF; each step rewrites it and sends SIGHUP.
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, finish, wait_until  # noqa: E402

pid, conf, port, pw, logf, newport = sys.argv[1:7]
pid = int(pid)
base = open(conf).read()


def ipmi(*args, user='admin', password=None, p=port):
    r = subprocess.run(['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p',
                        str(p), '-U', user, '-P', password or pw] +
                       (['-L', 'OPERATOR'] if user == 'oper' else []) +
                       [str(a) for a in args], capture_output=True,
                       text=True, timeout=20)
    return r.returncode, r.stdout + r.stderr


def log():
    return open(logf, errors='replace').read()


def reload(text, what):
    n = len(log())
    with open(conf, 'w') as f:
        f.write(text)
    os.kill(pid, signal.SIGHUP)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        new = log()[n:]
        if 'reload: done' in new or 'still running on the previous' in new:
            return new
        time.sleep(0.05)
    return log()[n:]


class Sol:
    def __init__(self, target, user, password):
        self.p = subprocess.Popen(
            ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p', port,
             '-U', user, '-P', password, '-t', str(target)] +
            (['-L', 'OPERATOR'] if user == 'oper' else []) + ['sol',
                                                              'activate'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        os.set_blocking(self.p.stdout.fileno(), False)
        self.got = b''

    def pump(self):
        """Take what ipmitool printed so far; True."""
        try:
            self.got += self.p.stdout.read() or b''
        except (BlockingIOError, TypeError):
            pass
        return True

    def read(self, want, secs=30):
        end = time.monotonic() + secs
        while time.monotonic() < end and want not in self.got:
            self.pump()
            time.sleep(0.05)
        return want in self.got

    def alive(self, word):
        """Type a user name at the sim's login prompt and see its echo;
        then an empty password, back to the prompt."""
        self.p.stdin.write(word.encode() + b'\r')
        self.p.stdin.flush()
        seen = self.read(word.encode())
        prompts = self.got.count(b'login: ')
        self.p.stdin.write(b'\r')
        self.p.stdin.flush()
        # Until the getty has answered the password with a new prompt.
        wait_until(lambda: self.pump() and
                   self.got.count(b'login: ') > prompts, 30)
        return seen


ipmi('-t', 1, 'power', 'on')
# Until target 1 has booted (its console types only when on).
wait_until(lambda: 'Chassis Power is on' in ipmi('-t', 1, 'power',
                                                 'status')[1], 30)
admin_sol = Sol(2, 'admin', pw)
check('SOL on target 2 (unchanged by every step) is up',
      admin_sol.alive('before'))
oper_sol = Sol(1, 'oper', 'operator-pw-1')
check("the operator's SOL on target 1 is up", oper_sol.alive('operhere'))

# 1. add a target
text = base.replace('  # EXTRA', ',\n  { address = 9; name = "added"; '
                    'driver = "sim"; }')
new = reload(text, 'add')
check('reload adds target 9', 'target added added' in new, new)
rc, out = ipmi('-t', 9, 'power', 'status')
check('ipmitool -t 9 answers after the reload', 'Chassis Power is' in out,
      out)
check('SOL on target 2 still works (1)', admin_sol.alive('after-add'))

# 2. change the operator's password
text2 = text.replace('"operator-pw-1"', '"operator-pw-2"')
new = reload(text2, 'password')
rc, out = ipmi('power', 'status', '-t', 1, user='oper',
               password='operator-pw-1')
check('the old operator password is refused', rc != 0, out)
rc, out = ipmi('-t', 1, 'power', 'status', user='oper',
               password='operator-pw-2')
check('the new one works', 'Chassis Power is' in out, out)
try:
    oper_sol.p.wait(30)
    ended = True
except subprocess.TimeoutExpired:
    ended = False
check("the operator's SOL session ended with the password change", ended,
      new)
check('SOL on target 2 still works (2)', admin_sol.alive('after-pw'))

# 3. remove a target
text3 = re.sub(r'\n  \{ address = 3;[^\n]*', '', text2)
new = reload(text3, 'remove')
check('reload removes target 3', 'target slow removed' in new, new)
rc, out = ipmi('-t', 3, 'power', 'status')
check('ipmitool -t 3 no longer answers', 'Chassis Power is' not in out, out)
check('SOL on target 2 still works (3)', admin_sol.alive('after-remove'))

# 4. a new per-target port for target 9
text4 = text3.replace('name = "added"; driver = "sim";',
                      'name = "added"; driver = "sim"; listen = '
                      '"127.0.0.1:%s";' % newport)
new = reload(text4, 'listen')
rc, out = ipmi('power', 'status', p=newport)
check('a per-target port added by reload answers', 'Chassis Power is' in out,
      out + new)
check('SOL on target 2 still works (4)', admin_sol.alive('after-listen'))

# 5. break the file
new = reload(text4 + '\nthis is not libconfig\n', 'broken')
check('a broken file is refused, with the reason',
      'still running on the previous configuration' in new and
      'pmbd.conf:' in new, new)
rc, out = ipmi('-t', 9, 'power', 'status')
check('and pmbd runs on as before', 'Chassis Power is' in out, out)
check('SOL on target 2 still works (5)', admin_sol.alive('after-broken'))
# 6. a target whose driver cannot start (no such GPIO chip): logged, the
# others go on.
text6 = text4.replace('listen = "127.0.0.1:%s";' % newport,
                      'listen = "127.0.0.1:%s"; },\n  { address = 12; '
                      'name = "nochip"; driver = "gpio"; chip = '
                      '"/dev/no-such-gpiochip"; power_line = 3;' % newport)
new = reload(text6, 'failing target')
check('a target that cannot start is logged', 'nochip' in new and
      'failed to start' in new, new)
rc, out = ipmi('-t', 9, 'power', 'status')
check('and pmbd runs on', 'Chassis Power is' in out, out)
check('SOL on target 2 still works (6)', admin_sol.alive('after-fail'))
admin_sol.p.kill()
finish()
