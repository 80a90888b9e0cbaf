#!/usr/bin/python3
"""esp_sim.py: an ESP8266 running esp8266-universal-io-bridge, and the
server wired to it, on loopback (stdlib only).

Command port: one command per line, answered as the firmware does (see
docs/esp8266.md for the sources): im, iw, ir, isf, icf, ub, ud, us, up, bp,
r, the empty command; anything else "WORD: command unknown".  The UART
bridge port carries the server's console: its boot log at power on, and an
echo of what is typed.

What the firmware does and this models (eriksl/esp8266-universal-io-bridge,
May 2024: io.c, io_gpio.c, dispatch.c, application.c):
- Settings are kept in flash and survive a reboot; the running state is
  loaded from them at boot.  A factory-fresh board has none: every pin
  disabled, bridge port 0.
- Setting a pin's mode (im 0 P MODE) deletes the pin's stored settings
  (its flags too) and stores the mode; the flags in RAM stay as they were
  until the next boot.  Then the pin's mode is initialised (init_pin_mode).
- Setting or clearing a flag (isf/icf) stores the flags and initialises
  the pin's mode again.
- init_pin_mode drives a digital output to its *off* level: physically low,
  high only with the invert flag.  At boot a digital output is then
  switched on if it has autostart, off otherwise (io.c io_init).
- iw/ir and the dump's state are logical: the invert flag inverts them.
- bp only stores the port: the bridge's socket is opened at boot
  (dispatch_init2), so a new port needs a reset (r: "> reset", then the
  ESP restarts; while it does, the command port takes no connection).
- ub/ud/us/up store the setting and apply it at once.

The server: the relay pin pressed (level != released level) for >= 100 ms
toggles power when released; held >= 4 s forces it off.  The sense pin
follows power; the reset pin pulsed (>= 50 ms) reboots a running server.
Polarity as wired (power_invert etc.: pressed is low).  A disabled or input
pin is not driven: the relay module's own resistor holds it released.
Every pin change is logged with time.monotonic().

Faults: drop_on_press (close the command link right after a press, with no
reply), old (pre-2018 firmware: "invalid mode" for dinput/doutput).
Events for tests: reboot() (a power blip: settings kept), factory_reset()
(a replaced, factory-fresh board).

As a script: esp_sim.py CMD_PORT [--power-pin N ...]; the test imports it
and drives Sim directly.
"""
import argparse
import socket
import sys
import threading
import time

BOOT_LOG = (b'\r\nesp-sim BIOS v1.0\r\nesp-sim server booting\r\n'
            b'esp-sim login: ')
NAMES = {'doutput': 'digital output', 'dinput': 'digital input',
         'disabled': 'disabled'}
FACTORY_UART = {'ub': '115200', 'ud': '8', 'us': '1', 'up': 'none'}


def close_listener(s):
    """Close a listening socket another thread is accept()ing on: shut
    down first, or Linux keeps it listening until that accept returns."""
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


class Pin:
    def __init__(self):
        self.mode = 'disabled'
        self.flags = set()
        self.level = 0            # physical


class Sim:
    def __init__(self, cmd_port, bridge_port=None, power_pin=0, reset_pin=4,
                 sense_pin=2, power_invert=False, reset_invert=False,
                 sense_invert=False, old=False, logfile=None,
                 reboot_s=0.3):
        self.lock = threading.RLock()
        self.cmd_port = cmd_port
        self.power_pin, self.reset_pin, self.sense_pin = (power_pin,
                                                          reset_pin,
                                                          sense_pin)
        self.inv = {power_pin: power_invert, reset_pin: reset_invert}
        self.sense_invert = sense_invert
        self.old = old
        self.reboot_s = reboot_s
        self.drop_on_press = False
        self.power = False
        self.press_start = {}
        self.forced = False
        self.events = []          # (monotonic, text)
        self.commands = []        # (monotonic, command)
        self.logfile = open(logfile, 'a') if logfile else None
        self.bridge_clients = []
        self.cmd_conns = []
        self.stopping = False
        self.booting = False
        self.bridge = None        # the bridge's listening socket
        self.boots = 0
        # Flash: what survives a reboot.  Factory fresh: nothing.
        self.stored = {'pins': {}, 'uart': {}, 'bp': 0}
        self.pins = {p: Pin() for p in range(16)}
        for p in self.pins:
            self.pins[p].level = self.idle(p)
        self.uart = dict(FACTORY_UART)
        self.update_sense()
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('127.0.0.1', cmd_port))
        s.listen(8)
        self.servers = [s]
        threading.Thread(target=self.accept, args=(s, self.cmd_client),
                         daemon=True).start()
        threading.Thread(target=self.watch, daemon=True).start()
        self.boot()

    # ---- the server behind the pins ----------------------------------
    def log(self, text):
        t = time.monotonic()
        self.events.append((t, text))
        if self.logfile:
            self.logfile.write('%.3f %s\n' % (t, text))
            self.logfile.flush()

    def released(self, pin):
        return 1 if self.inv.get(pin) else 0

    def idle(self, pin):
        """An undriven pin: a relay input is held released by its module."""
        return self.released(pin) if pin in self.inv else 0

    def pressed(self, pin):
        return self.pins[pin].level != self.released(pin)

    def update_sense(self):
        p = self.pins[self.sense_pin]
        if p.mode != 'doutput':
            p.level = int(self.power) ^ int(self.sense_invert)

    def set_power(self, on, why):
        if on == self.power:
            return
        self.power = on
        self.update_sense()
        self.log('server %s (%s)' % ('on' if on else 'off', why))
        if on:
            self.console(BOOT_LOG)

    def drive(self, pin, level):
        """The pin's physical level changes (output driven or released)."""
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

    def pressed_since(self, pin, since=0):
        """Every 'pin P pressed-level' change after since (a press or a
        glitch toward one)."""
        want = 'pin %d %d' % (pin, 1 - self.released(pin))
        return [t for t, x in self.events if t >= since and x == want]

    # ---- the firmware's pins (io.c, io_gpio.c) -------------------------
    def init_pin_mode(self, n):
        """io_gpio.c init_pin_mode: an output goes to its off level."""
        p = self.pins[n]
        if p.mode == 'doutput':
            self.drive(n, 1 if 'invert' in p.flags else 0)
        else:
            self.drive(n, self.idle(n))
            if n == self.sense_pin:
                self.update_sense()

    def read(self, n):
        p = self.pins[n]
        return p.level ^ (1 if 'invert' in p.flags else 0)

    def write(self, n, value):
        p = self.pins[n]
        self.drive(n, (1 if value else 0) ^ (1 if 'invert' in p.flags
                                              else 0))

    # ---- boot and flash ---------------------------------------------
    def boot(self):
        """Load the stored settings, set up the pins, open the sockets."""
        with self.lock:
            self.boots += 1
            for n, p in self.pins.items():
                st = self.stored['pins'].get(n, {})
                p.mode = st.get('mode', 'disabled')
                p.flags = set(st.get('flags', ()))
                if p.mode != 'doutput':
                    self.init_pin_mode(n)
                    continue
                # init_pin_mode (off level), then io_init's autostart
                # trigger, microseconds apart: a relay does not follow;
                # logged, not counted as a press.
                inv = 1 if 'invert' in p.flags else 0
                final = (1 if 'autostart' in p.flags else 0) ^ inv
                if inv != final and n in self.inv and \
                        inv != self.released(n):
                    self.log('boot glitch %d' % n)
                self.drive(n, final)
            self.uart = dict(FACTORY_UART, **self.stored['uart'])
            bp = int(self.stored['bp'])
            if bp:
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('127.0.0.1', bp))
                s.listen(8)
                self.bridge = s
                threading.Thread(target=self.accept,
                                 args=(s, self.bridge_client),
                                 daemon=True).start()
            self.booting = False
            self.log('boot %d: bridge port %d, uart %s' % (
                self.boots, bp, ' '.join(self.uart[k] for k in
                                         ('ub', 'ud', 'us', 'up'))))

    def restart(self):
        """Every connection and socket closed, pins undriven, then boot."""
        with self.lock:
            self.booting = True
            self.log('restarting, pressed: %s' % (' '.join(
                str(n) for n in sorted(self.inv) if self.pressed(n)) or
                'none'))
            self.drop_links()
            for c in list(self.bridge_clients):
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            if self.bridge is not None:
                close_listener(self.bridge)
                self.bridge = None
            for n in self.pins:            # reset: every pad an input
                self.drive(n, self.idle(n))
            self.update_sense()
        threading.Timer(self.reboot_s, self.boot).start()

    def reboot(self):
        self.restart()

    def factory_reset(self):
        with self.lock:
            self.stored = {'pins': {}, 'uart': {}, 'bp': 0}
        self.restart()

    # ---- the command port ---------------------------------------------
    def accept(self, s, fn):
        while not self.stopping:
            try:
                c, _ = s.accept()
            except OSError:
                return
            if self.booting:
                c.close()
                continue
            threading.Thread(target=fn, args=(c,), daemon=True).start()

    def dump(self, n):
        p = self.pins[n]
        mode = NAMES[p.mode]
        flags = ' '.join(sorted(p.flags))
        line = '  pin: %2d, mode: %-20s [hw: %-20s] flags: [%s], ' % (
            n, mode, mode, flags)
        if p.mode == 'doutput':
            line += 'output, state: %s' % ('on' if self.read(n) else 'off')
        elif p.mode == 'dinput':
            line += 'state: %s' % ('on' if self.read(n) else 'off')
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
            if a[2] not in NAMES or self.old:
                return ('invalid mode, available modes: disabled inputd '
                        'counter outputd timer\n' if not self.old else
                        'invalid mode\n')
            # config_delete("io.0.P."), store the mode; RAM flags stay
            self.stored['pins'][n] = {'mode': a[2], 'flags': set()}
            self.pins[n].mode = a[2]
            self.log('mode %d %s' % (n, a[2]))
            self.init_pin_mode(n)
            return self.dump(n)
        if c in ('iw', 'ir') and len(a) >= 2 and a[0] == '0':
            n = int(a[1])
            p = self.pins[n]
            if c == 'iw':
                if p.mode != 'doutput':
                    return '%s: cannot write to gpio %d\n' % (
                        NAMES[p.mode], n)
                self.write(n, int(a[2]) if len(a) > 2 else 0)
            return '%s: [%d]\n' % (NAMES[p.mode], self.read(n))
        if c in ('isf', 'icf') and len(a) == 3 and a[0] == '0':
            n = int(a[1])
            p = self.pins[n]
            if a[2] not in ('autostart', 'invert', 'pullup'):
                return 'io-flag <io> <pin> <flag>\n'
            if p.mode == 'disabled':
                return 'cannot enable this flag\n'
            (p.flags.add if c == 'isf' else p.flags.discard)(a[2])
            st = self.stored['pins'].setdefault(n, {'mode': p.mode,
                                                    'flags': set()})
            st['flags'] = set(p.flags)
            self.log('flags %d %s' % (n, ' '.join(sorted(p.flags))))
            self.init_pin_mode(n)
            return 'flags for pin 0/%d:%s\n' % (n, ' '.join(
                sorted(p.flags)))
        fmt = {'ub': '> baudrate[0]: %s\n', 'ud': 'data bits[0]: %s\n',
               'us': '> stop bits[0]: %s\n', 'up': 'parity[0]: %s\n'}
        if c in fmt and a and a[0] == '0':
            if len(a) > 1:
                self.uart[c] = a[1]
                self.stored['uart'][c] = a[1]
                self.log('uart %s %s' % (c, a[1]))
            return fmt[c] % self.uart[c]
        if c == 'bp':
            if a:
                self.stored['bp'] = int(a[0])
                self.log('uart bp %s' % a[0])
            return '> port: %d\n' % self.stored['bp']
        if c == 'r' and not a:
            return '> reset\n'
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
                    if reply == '> reset\n':
                        self.restart()
                        raise ConnectionResetError
        except (OSError, ValueError, IndexError):
            pass
        self.log('command link closed')
        if c in self.cmd_conns:
            self.cmd_conns.remove(c)
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
            close_listener(s)
        if self.bridge is not None:
            close_listener(self.bridge)
        self.drop_links()
        for c in list(self.bridge_clients):
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('cmd_port', type=int)
    ap.add_argument('--power-pin', type=int, default=0)
    ap.add_argument('--reset-pin', type=int, default=4)
    ap.add_argument('--sense-pin', type=int, default=2)
    ap.add_argument('--power-invert', action='store_true')
    ap.add_argument('--sense-invert', action='store_true')
    ap.add_argument('--old', action='store_true')
    ap.add_argument('--log')
    o = ap.parse_args()
    Sim(o.cmd_port, None, o.power_pin, o.reset_pin, o.sense_pin,
        o.power_invert, False, o.sense_invert, o.old, o.log or '/dev/stdout')
    while True:
        time.sleep(3600)


if __name__ == '__main__':
    sys.exit(main())
