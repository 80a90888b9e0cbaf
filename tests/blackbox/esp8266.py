#!/usr/bin/python3
"""pmbd's esp8266 driver end to end: pmbd + esp_sim.py on loopback.

esp8266.py TOP CONF PORT PASSWORD WORKDIR C1 B1 C2 B2

The configuration (written by esp8266.sh) has two esp8266 targets:
  20 esp     command port C1, bridge B1: power_pin 0 (inverted, as on an
             ESP-01S relay), reset_pin 4, sense_pin 2 (inverted)
  21 espold  command port C2, bridge B2: a simulator speaking pre-2018
             firmware (pin modes inputd/outputd)
Press lengths come from the simulator's pin log (time.monotonic()).
"""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, finish, wait_until  # noqa: E402
from esp_sim import Sim  # noqa: E402

TOP, CONF, PORT, PW, WORK = sys.argv[1:6]
C1, B1, C2, B2 = (int(x) for x in sys.argv[6:10])
PMBD = os.path.join(TOP, 'build', 'pmbd')
PMBD_LOG = os.path.join(WORK, 'pmbd.log')


def ipmi(*args, timeout=20):
    cmd = ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p', PORT,
           '-U', 'admin', '-P', PW] + [str(a) for a in args]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return -1, 'timeout'


def log_text():
    try:
        with open(PMBD_LOG) as f:
            return f.read()
    except OSError:
        return ''


def near(x, want, lo=0.9, hi=1.6):
    return want * lo <= x <= want * hi + 0.15


sim = Sim(C1, B1, power_pin=0, reset_pin=4, sense_pin=2, power_invert=True,
          sense_invert=True, logfile=os.path.join(WORK, 'esp-sim.log'))
old = Sim(C2, B2, old=True)
pmbd = subprocess.Popen([PMBD, '-f', '-v', '-c', CONF],
                        stdout=open(PMBD_LOG, 'a'), stderr=subprocess.STDOUT)


def alive():
    return pmbd.poll() is None


def status(t=20):
    return ipmi('-t', t, 'power', 'status')[1]


try:
    check('pmbd starts', wait_until(lambda: 'ready' in log_text(), 5),
          log_text()[-300:])
    check('the command link is set up',
          wait_until(lambda: 'esp8266 127.0.0.1:%d: ready' % C1 in
                     log_text(), 10), log_text()[-500:])
    cmds = [c for _, c in sim.commands]
    check('setup: pin modes checked and set (im 0 0 doutput, im 0 2 dinput)',
          'im 0 0' in cmds and 'im 0 0 doutput' in cmds and
          'im 0 2 dinput' in cmds and 'im 0 4 doutput' in cmds, cmds[:20])
    check('setup: an inverted relay gets autostart (released high at boot)',
          'isf 0 0 autostart' in cmds and 'autostart' in sim.pins[0].flags,
          cmds)
    check('setup: released level written (iw 0 0 1) and confirmed',
          'iw 0 0 1' in cmds and sim.pins[0].level == 1, cmds)
    check('setup: UART read and the bridge port set (bp %d)' % B1,
          'ub 0' in cmds and 'up 0' in cmds and ('bp %d' % B1) in cmds and
          sim.uart['bp'] == str(B1), cmds)
    check('status: off (sense pin, inverted)',
          wait_until(lambda: 'is off' in status(), 5), status())

    t0 = time.monotonic()
    rc, out = ipmi('-t', 20, 'power', 'on')
    check('power on answers', rc == 0 and 'Up/On' in out, out)
    check('power on: the server is on',
          wait_until(lambda: sim.power, 3), sim.events[-5:])
    pr = sim.presses(0, t0)
    check('power on: one press of ~300 ms', len(pr) == 1 and
          near(pr[0][1], 0.3), pr)
    check('status: on', wait_until(lambda: 'is on' in status(), 3),
          status())
    rc, out = ipmi('-t', 20, 'power', 'on')
    check('power on when on: nothing pressed', rc == 0 and
          len(sim.presses(0, t0)) == 1, sim.presses(0, t0))

    # SOL: the boot log (history) and an echo through the UART bridge
    p = subprocess.Popen(['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1',
                          '-p', PORT, '-U', 'admin', '-P', PW, '-t', '20',
                          'sol', 'activate'], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    os.set_blocking(p.stdout.fileno(), False)
    got = b''

    def read_for(secs, want):
        global got
        end = time.monotonic() + secs
        while time.monotonic() < end and want not in got:
            try:
                got += p.stdout.read() or b''
            except (BlockingIOError, TypeError):
                pass
            time.sleep(0.05)
        return want in got

    check('sol activate: the boot log through the UART bridge',
          read_for(5, b'esp-sim server booting'), got[-200:])
    p.stdin.write(b'typed through the esp\r')
    p.stdin.flush()
    check('sol: the server echoes what is typed',
          read_for(5, b'typed through the esp'), got[-200:])
    t0 = time.monotonic()
    rc, out = ipmi('-t', 20, 'power', 'reset')
    check('power reset answers', rc == 0 and 'Reset' in out, out)
    wait_until(lambda: sim.presses(4, t0), 3)
    pr = sim.presses(4, t0)
    check('power reset: a ~200 ms pulse on the reset pin', len(pr) == 1 and
          near(pr[0][1], 0.2), pr)
    got = b''
    check('sol: the reboot shows live', read_for(5, b'esp-sim BIOS'),
          got[-200:])
    p.stdin.write(b'\r~.')
    p.stdin.flush()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
    ipmi('-t', 20, 'sol', 'deactivate')

    t0 = time.monotonic()
    rc, out = ipmi('-t', 20, 'power', 'soft')
    check('power soft answers', rc == 0, out)
    check('power soft: a short press, the server off',
          wait_until(lambda: not sim.power, 3) and
          len(sim.presses(0, t0)) == 1 and
          near(sim.presses(0, t0)[0][1], 0.3), sim.presses(0, t0))
    wait_until(lambda: 'is off' in status(), 3)
    rc, out = ipmi('-t', 20, 'power', 'soft')
    check('power soft when off: refused (D5h), nothing pressed',
          rc != 0 and len(sim.presses(0, t0)) == 1, out)

    t0 = time.monotonic()
    rc, out = ipmi('-t', 20, 'power', 'cycle')
    check('power cycle when off: a press, the server on',
          rc == 0 and wait_until(lambda: sim.power, 3) and
          len(sim.presses(0, t0)) == 1, (out, sim.presses(0, t0)))
    wait_until(lambda: 'is on' in status(), 3)

    t0 = time.monotonic()
    rc, out = ipmi('-t', 20, 'power', 'off')
    check('power off answers at the press', rc == 0 and 'Down/Off' in out
          and time.monotonic() - t0 < 4, out)
    check('power off: held ~5 s, forced off at 4 s',
          wait_until(lambda: len(sim.presses(0, t0)) == 1, 8) and
          near(sim.presses(0, t0)[0][1], 5.0, 0.98, 1.1) and not sim.power,
          sim.presses(0, t0))
    check('status: off after the hold',
          wait_until(lambda: 'is off' in status(), 3), status())

    t0 = time.monotonic()
    ipmi('-t', 20, 'power', 'on')
    wait_until(lambda: 'is on' in status(), 3)
    t1 = time.monotonic()
    rc, out = ipmi('-t', 20, 'power', 'cycle')
    check('power cycle when on: hold, then press once off, on again',
          rc == 0 and wait_until(lambda: len(sim.presses(0, t1)) == 2 and
                                 sim.power, 15) and
          near(sim.presses(0, t1)[0][1], 5.0, 0.98, 1.1) and
          near(sim.presses(0, t1)[1][1], 0.3), sim.presses(0, t1))
    wait_until(lambda: 'is on' in status(), 3)

    # The link drops mid-press: the release must reach the ESP afterwards.
    sim.drop_on_press = True
    t0 = time.monotonic()
    rc, out = ipmi('-t', 20, 'power', 'soft')
    check('dropped mid-press: the IPMI request fails (no confirmation)',
          rc != 0, out)
    ok = wait_until(lambda: len(sim.presses(0, t0)) == 1, 5)
    pr = sim.presses(0, t0)
    rel = [t for t, e in sim.events if t >= t0 and e == 'pin 0 1']
    drop = [t for t, e in sim.events if t >= t0 and 'mid-press' in e]
    check('dropped mid-press: the pin is released after the reconnect',
          ok and sim.pins[0].level == 1 and rel and drop and
          rel[0] > drop[0], (pr, sim.events[-8:]))
    if ok and pr:
        print('# press cut by the drop lasted %.3f s (drop to release '
              '%.3f s)' % (pr[0][1], rel[0] - drop[0]))
    check('dropped mid-press: released within 2.5 s of the drop',
          ok and drop and rel and rel[0] - drop[0] < 2.5, pr)
    after = [c for t, c in sim.commands if drop and t > drop[0]]
    check('after the reconnect the pin is checked, then released first',
          after[:2] == ['im 0 0', 'iw 0 0 1'], after[:6])
    check('pmbd logs the dropped link',
          'closed by the ESP' in log_text(), log_text()[-400:])

    # The ESP closes an idle link (its 30 s timeout): pmbd reconnects.
    n = log_text().count('esp8266 127.0.0.1:%d: ready' % C1)
    sim.drop_links()
    check('link closed by the ESP: reconnected and set up again',
          wait_until(lambda: log_text().count(
              'esp8266 127.0.0.1:%d: ready' % C1) > n, 8), log_text()[-300:])

    # Old firmware: clear log line, clear IPMI code, pmbd stays up.
    check('old firmware: the log says what is wrong',
          wait_until(lambda: '2018 or later' in log_text(), 8),
          log_text()[-400:])
    rc, out = ipmi('-t', 21, 'power', 'on')
    check('old firmware: power on fails with D3h (destination unavailable)',
          rc != 0 and 'navailable' in out, out)
    check('old firmware: nothing was pressed', old.presses(0) == [] and
          all(e != 'pin 0 1' for _, e in old.events), old.events[-5:])
    rc, out = ipmi('-t', 21, 'power', 'status')
    check('old firmware: status is D5h, not a guess', rc != 0, out)
    check('pmbd is still up', alive() and
          'Chassis Power is' in status(), status())

    # A cycle asked while the power button is held is refused, and stays
    # refused: nothing is pressed after the hold.
    ipmi('-t', 20, 'power', 'on')
    wait_until(lambda: 'is on' in status(), 5)
    t0 = time.monotonic()
    th = threading.Thread(target=lambda: ipmi('-t', 20, 'power', 'off'))
    th.start()
    wait_until(lambda: sim.pins[0].level == 0, 3)
    time.sleep(0.5)
    rc, out = ipmi('-t', 20, 'power', 'cycle')
    th.join(20)
    wait_until(lambda: sim.pins[0].level == 1, 8)
    time.sleep(3)
    check('a cycle refused while the button is held presses nothing later',
          rc != 0 and len(sim.presses(0, t0)) == 1, (out, sim.presses(0, t0)))

    # pmbd stops mid-hold: it sends the release on its way out.
    ipmi('-t', 20, 'power', 'on')
    wait_until(lambda: 'is on' in status(), 5)
    t0 = time.monotonic()
    ipmi('-t', 20, 'power', 'off')
    pressed = wait_until(lambda: sim.pins[0].level == 0, 3)
    time.sleep(0.5)
    pmbd.terminate()
    pmbd.wait(10)
    t_stop = time.monotonic()
    released = wait_until(lambda: sim.pins[0].level == 1, 2)
    check('pmbd stopped mid-hold: the ESP gets the release on its way out',
          pressed and released, (sim.events[-6:], time.monotonic() - t_stop))
finally:
    pmbd.terminate()
    try:
        pmbd.wait(10)
    except subprocess.TimeoutExpired:
        pmbd.kill()
    sim.close()
    old.close()
finish()
