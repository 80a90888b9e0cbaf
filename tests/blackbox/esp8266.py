#!/usr/bin/python3
"""pmbd's esp8266 driver end to end: pmbd + esp_sim.py on loopback.

esp8266.py TOP CONF PORT PASSWORD WORKDIR C1 B1 C2 B2

The configuration (written by esp8266.sh) has two esp8266 targets:
  20 esp     command port C1, bridge B1: power_pin 0 (inverted, as on an
             ESP-01S relay), reset_pin 4, sense_pin 2 (inverted), 9600 baud;
             the simulated board starts factory fresh (no settings, no
             bridge port) as a new or replaced board does
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


def ready_count():
    return log_text().count('esp8266 127.0.0.1:%d: ready' % C1)


def setup_tests():
    """Issue 12 defects 10, 12, 13: a factory-fresh board set up on the
    first connection, then rebooted, then replaced."""
    cmds = [c for _, c in sim.commands]
    # 10: a flag change re-initialises the pin to the firmware's off level
    # (low: pressed for this inverted relay); the last write must be the
    # release, and it is read back.
    last = {}
    for i, c in enumerate(cmds):
        w = c.split()
        if len(w) >= 3 and w[0] in ('im', 'isf', 'icf', 'iw') and \
                w[2] == '0' and (w[0] != 'im' or len(w) == 4):
            last[w[0]] = i
    check('setup: after the last mode/flag change on GPIO 0 the release '
          'is written again (iw 0 0 1) and read back (ir 0 0)',
          max(last.get('im', -1), last.get('isf', -1),
              last.get('icf', -1)) < last.get('iw', -1) and
          'ir 0 0' in cmds[last.get('iw', 0):], cmds)
    check('setup: the inverted relay is released (high) once the link is '
          'ready', sim.pins[0].level == 1, sim.events[-12:])
    glitches = [(t, d) for t, d in sim.presses(0)]
    check('setup: no press from the set-up turned the server on or off; '
          'every glitch shorter than 50 ms (%s)' % ', '.join(
              '%.1f ms' % (d * 1000) for _, d in glitches),
          not sim.power and all(d < 0.05 for _, d in glitches) and
          not any('server' in e for _, e in sim.events), glitches)
    time.sleep(4.5)
    check('setup: 4.5 s later the relay is still released and the server '
          'off (no hold left behind)', sim.pins[0].level == 1 and
          not sim.power and not any('held' in e for _, e in sim.events),
          sim.events[-8:])
    # 13: bp is read at boot only: pmbd restarts the ESP once it set it.
    check('setup: UART read and the bridge port set (bp %d)' % B1,
          'ub 0' in cmds and 'up 0' in cmds and ('bp %d' % B1) in cmds and
          sim.stored['bp'] == B1, cmds)
    resets = [e for _, e in sim.events if e.startswith('restarting')]
    check('setup: the ESP restarted (r) after bp was set, with no button '
          'pressed (%s)' % resets, 'r' in cmds and resets and
          all(e.endswith('pressed: none') for e in resets), resets)
    check('setup: pmbd says why it restarted the ESP',
          'restarting the ESP (r) so that it opens it' in log_text(),
          log_text()[-400:])
    check('setup: after the restart the bridge port is open',
          wait_until(lambda: sim.bridge is not None and
                     sim.bridge.getsockname()[1] == B1, 5), sim.events[-5:])
    check('setup: and the link is ready again with nothing left to set',
          wait_until(lambda: ready_count() >= 1 and sim.commands and
                     sim.commands[-1][1].startswith('ir 0 2'), 8),
          sim.commands[-8:])
    # 12: the UART is checked on every connection: a reboot with the
    # settings kept changes nothing; a replaced (factory) board at 115200
    # is set to 9600 again, and restarted for its bridge port.
    n, t0 = ready_count(), time.monotonic()
    sim.reboot()
    check('ESP rebooted (settings kept): pmbd reconnects and reads the '
          'UART again, sets nothing, restarts nothing',
          wait_until(lambda: ready_count() > n, 10) and
          [c for t, c in sim.commands if t > t0 and c.startswith('u') and
           len(c.split()) == 2] == ['ub 0', 'ud 0', 'us 0', 'up 0'] and
          'r' not in [c for t, c in sim.commands if t > t0],
          [c for t, c in sim.commands if t > t0])
    n, t0 = ready_count(), time.monotonic()
    sim.factory_reset()
    ok = wait_until(lambda: ready_count() > n and sim.uart['ub'] == '9600'
                    and sim.bridge is not None, 15)
    after = [c for t, c in sim.commands if t > t0]
    check('ESP replaced (factory 115200, no bridge): pmbd sets ub 0 9600 '
          'and bp %d, restarts it, the bridge opens' % B1,
          ok and 'ub 0 9600' in after and 'bp %d' % B1 in after and
          'r' in after, (after, sim.uart))
    check('replaced board: its inverted relay is released, the server '
          'untouched', sim.pins[0].level == 1 and not sim.power and
          all(d < 0.05 for _, d in sim.presses(0, t0)), sim.presses(0, t0))


def overlap_tests():
    """Issue 12 defect 11: power and reset pressed at once: each
    release goes out at its own deadline."""
    lens = []
    for _ in range(3):
        t0 = time.monotonic()
        act = 'soft' if sim.power else 'on'
        th = threading.Thread(target=lambda: ipmi('-t', 20, 'power', act))
        th.start()
        wait_until(lambda: sim.pins[0].level == 0, 3)
        ipmi('-t', 20, 'power', 'reset')
        th.join(20)
        wait_until(lambda: sim.presses(0, t0) and sim.presses(4, t0), 3)
        p0, p4 = sim.presses(0, t0), sim.presses(4, t0)
        if p0 and p4:
            lens.append((p0[0][1], p4[0][1]))
        wait_until(lambda: 'is %s' % ('on' if sim.power else 'off') in
                   status(), 3)
        time.sleep(0.3)
    check('power (300 ms) and reset (200 ms) held at once: each released '
          'on time (%s)' % ', '.join('%.0f/%.0f ms' % (a * 1000, b * 1000)
                                     for a, b in lens),
          len(lens) == 3 and all(0.29 <= a <= 0.335 and 0.19 <= b <= 0.235
                                 for a, b in lens), lens)


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
    setup_tests()
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

    overlap_tests()

    t0 = time.monotonic()
    if not sim.power:
        ipmi('-t', 20, 'power', 'on')
        wait_until(lambda: 'is on' in status(), 3)
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
