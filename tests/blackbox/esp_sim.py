#!/usr/bin/python3
"""esp_sim.py: an ESP8266 running esp8266-universal-io-bridge, and the
server wired to it, on loopback (stdlib only).

Command port: one command per line, answered as the firmware does (see
docs/esp8266.md for the sources): im, iw, ir, isf, icf, ub, ud, us, up, bp,
the empty command; anything else "WORD: command unknown".  The UART bridge
port carries the server's console: its boot log at power on, and an echo
of what is typed.

The server: the relay pin pressed (level != released level) for >= 100 ms
toggles power when released; held >= 4 s forces it off.  The sense pin
follows power; the reset pin pulsed (>= 50 ms) reboots a running server.
Inversion as configured.  Every pin change is logged with time.monotonic().

Faults: drop_on_press (close the command link right after a press, with no
reply), old (pre-2018 firmware: "invalid mode" for dinput/doutput).

As a script: esp_sim.py CMD_PORT BRIDGE_PORT [--power-pin N ...]; the test
imports it and drives Sim directly.
"""
import argparse
import socket
import sys
import threading
import time

BOOT_LOG = (b'\r\nesp-sim BIOS v1.0\r\nesp-sim server booting\r\n'
            b'esp-sim login: ')


class Pin:
    def __init__(self):
        self.mode = 'disabled'
        self.flags = set()
        self.level = 0


class Sim:
    def __init__(self, cmd_port, bridge_port, power_pin=0, reset_pin=4,
                 sense_pin=2, power_invert=False, reset_invert=False,
                 sense_invert=False, old=False, logfile=None):
        self.lock = threading.RLock()
        self.pins = {p: Pin() for p in range(16)}
        self.power_pin, self.reset_pin, self.sense_pin = (power_pin,
                                                          reset_pin,
                                                          sense_pin)
        self.inv = {power_pin: power_invert, reset_pin: reset_invert}
        self.sense_invert = sense_invert
        self.old = old
        self.drop_on_press = False
        self.power = False
        self.press_start = {}
        self.forced = False
        self.events = []          # (monotonic, text)
        self.commands = []        # (monotonic, command)
        self.uart = {'ub': '115200', 'ud': '8', 'us': '1', 'up': 'none',
                     'bp': '0'}
        self.logfile = open(logfile, 'a') if logfile else None
        self.bridge_clients = []
        self.cmd_conns = []
        self.stopping = False
        # The buttons start released (the wiring's pull-ups/downs).
        for p in (power_pin, reset_pin):
            self.pins[p].level = self.released(p)
        self.update_sense()
        self.servers = []
        for port, fn in ((cmd_port, self.cmd_client),
                         (bridge_port, self.bridge_client)):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('127.0.0.1', port))
            s.listen(8)
            self.servers.append(s)
            threading.Thread(target=self.accept, args=(s, fn),
                             daemon=True).start()
        threading.Thread(target=self.watch, daemon=True).start()

    # ---- the server behind the pins ----------------------------------
    def log(self, text):
        t = time.monotonic()
        self.events.append((t, text))
        if self.logfile:
            self.logfile.write('%.3f %s\n' % (t, text))
            self.logfile.flush()

    def released(self, pin):
        return 1 if self.inv.get(pin) else 0

    def pressed(self, pin):
        return self.pins[pin].level != self.released(pin)

    def update_sense(self):
        self.pins[self.sense_pin].level = int(self.power) ^ int(
            self.sense_invert)

    def set_power(self, on, why):
        if on == self.power:
            return
        self.power = on
        self.update_sense()
        self.log('server %s (%s)' % ('on' if on else 'off', why))
        if on:
            self.console(BOOT_LOG)

    def write_pin(self, pin, level):
        p = self.pins[pin]
        was = self.pressed(pin) if pin in self.inv else None
        if p.level == level:
            return
        p.level = level
        self.log('pin %d %d' % (pin, level))
        if pin not in self.inv:
            return
        now = time.monotonic()
        if self.pressed(pin) and not was:
            self.press_start[pin] = now
            if pin == self.power_pin:
                self.forced = False
        elif was and not self.pressed(pin):
            dur = now - self.press_start.pop(pin, now)
            self.log('press %d %.3f' % (pin, dur))
            if pin == self.power_pin and not self.forced and dur >= 0.1:
                self.set_power(not self.power, 'button %.0f ms' %
                               (dur * 1000))
            if pin == self.reset_pin and dur >= 0.05 and self.power:
                self.log('server reset')
                self.console(BOOT_LOG)

    def watch(self):
        while not self.stopping:
            time.sleep(0.02)
            with self.lock:
                t0 = self.press_start.get(self.power_pin)
                if (t0 is not None and not self.forced and
                        time.monotonic() - t0 >= 4.0):
                    self.forced = True
                    self.set_power(False, 'held 4 s')

    def presses(self, pin, since=0):
        return [(t, float(x.split()[2])) for t, x in self.events
                if t >= since and x.startswith('press %d ' % pin)]

    # ---- the command port ---------------------------------------------
    def accept(self, s, fn):
        while not self.stopping:
            try:
                c, _ = s.accept()
            except OSError:
                return
            threading.Thread(target=fn, args=(c,), daemon=True).start()

    def dump(self, n):
        p = self.pins[n]
        names = {'doutput': 'digital output', 'dinput': 'digital input',
                 'disabled': 'disabled'}
        mode = names[p.mode]
        flags = ' '.join(sorted(p.flags))
        line = '  pin: %2d, mode: %-20s [hw: %-20s] flags: [%s], ' % (
            n, mode, mode, flags)
        if p.mode == 'doutput':
            line += 'output, state: %s' % ('on' if p.level else 'off')
        elif p.mode == 'dinput':
            line += 'state: %s' % ('on' if p.level else 'off')
        line += ', max value: 1, info: gpio %d' % n
        return '* io[0]: internal@00\n' + line + '\n'

    def command(self, line):
        w = line.split()
        if not w:
            return '> empty command\n'
        c, a = w[0], w[1:]
        if c == 'im' and len(a) >= 2 and a[0] == '0':
            n = int(a[1])
            if len(a) == 2:
                return self.dump(n)
            if a[2] not in ('doutput', 'dinput', 'disabled') or self.old:
                return ('invalid mode, available modes: disabled inputd '
                        'counter outputd timer\n' if not self.old else
                        'invalid mode\n')
            self.pins[n].mode = a[2]
            self.pins[n].flags = set()
            if a[2] == 'doutput':
                self.write_pin(n, 1 if 'autostart' in self.pins[n].flags
                               else 0)
            self.log('mode %d %s' % (n, a[2]))
            return self.dump(n)
        if c in ('iw', 'ir') and len(a) >= 2 and a[0] == '0':
            n = int(a[1])
            p = self.pins[n]
            name = {'doutput': 'digital output', 'dinput': 'digital input',
                    'disabled': 'disabled'}[p.mode]
            if c == 'iw':
                if p.mode != 'doutput':
                    return '%s: cannot write to gpio %d\n' % (name, n)
                self.write_pin(n, int(a[2]) if len(a) > 2 else 0)
            return '%s: [%d]\n' % (name, p.level)
        if c in ('isf', 'icf') and len(a) == 3 and a[0] == '0':
            n = int(a[1])
            if a[2] not in ('autostart', 'invert', 'pullup'):
                return 'io-flag <io> <pin> <flag>\n'
            (self.pins[n].flags.add if c == 'isf' else
             self.pins[n].flags.discard)(a[2])
            return 'flags for pin 0/%d:%s\n' % (n, ' '.join(
                sorted(self.pins[n].flags)))
        fmt = {'ub': '> baudrate[0]: %s\n', 'ud': 'data bits[0]: %s\n',
               'us': '> stop bits[0]: %s\n', 'up': 'parity[0]: %s\n'}
        if c in fmt and a and a[0] == '0':
            if len(a) > 1:
                self.uart[c] = a[1]
                self.log('uart %s %s' % (c, a[1]))
            return fmt[c] % self.uart[c]
        if c == 'bp':
            if a:
                self.uart['bp'] = a[0]
                self.log('uart bp %s' % a[0])
            return '> port: %s\n' % self.uart['bp']
        return '%s: command unknown\n' % c

    def cmd_client(self, c):
        self.cmd_conns.append(c)
        self.log('command link connected')
        buf = b''
        try:
            while True:
                d = c.recv(1024)
                if not d:
                    break
                buf += d
                while b'\n' in buf:
                    raw, buf = buf.split(b'\n', 1)
                    line = raw.decode('latin-1').rstrip('\r')
                    with self.lock:
                        self.commands.append((time.monotonic(), line))
                        w = line.split()
                        press = (self.drop_on_press and len(w) == 4 and
                                 w[0] == 'iw' and int(w[2]) ==
                                 self.power_pin and int(w[3]) !=
                                 self.released(self.power_pin))
                        reply = self.command(line)
                        if press:
                            self.drop_on_press = False
                            self.log('dropping the command link mid-press')
                            raise ConnectionResetError
                    c.sendall(reply.encode())
        except (OSError, ValueError, IndexError):
            pass
        self.log('command link closed')
        try:
            c.close()
        except OSError:
            pass

    def drop_links(self):
        for c in list(self.cmd_conns):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    # ---- the UART bridge -------------------------------------------------
    def console(self, data):
        for c in list(self.bridge_clients):
            try:
                c.sendall(data)
            except OSError:
                pass

    def bridge_client(self, c):
        self.bridge_clients.append(c)
        self.log('bridge connected')
        try:
            while True:
                d = c.recv(1024)
                if not d:
                    break
                c.sendall(d.replace(b'\r', b'\r\n'))   # the getty echoes
        except OSError:
            pass
        self.bridge_clients.remove(c)
        self.log('bridge closed')

    def close(self):
        self.stopping = True
        for s in self.servers:
            s.close()
        self.drop_links()
        for c in list(self.bridge_clients):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd_port', type=int)
    ap.add_argument('bridge_port', type=int)
    ap.add_argument('--power-pin', type=int, default=0)
    ap.add_argument('--reset-pin', type=int, default=4)
    ap.add_argument('--sense-pin', type=int, default=2)
    ap.add_argument('--power-invert', action='store_true')
    ap.add_argument('--sense-invert', action='store_true')
    ap.add_argument('--old', action='store_true')
    ap.add_argument('--log')
    o = ap.parse_args()
    Sim(o.cmd_port, o.bridge_port, o.power_pin, o.reset_pin, o.sense_pin,
        o.power_invert, False, o.sense_invert, o.old, o.log or '/dev/stdout')
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    sys.exit(main())
