#!/usr/bin/python3
"""Byte-exact Serial-over-LAN streams through real clients.

sol_stream.py SPEC.json

SPEC: {"password": PW, "streams": [STREAM, ...], "seed": N}
STREAM: {"name": str, "client": "ipmitool" | "pyghmi", "port": UDP port,
         "target": IPMB address to bridge to, or null (the target's own
         port), "tty": the far end of the target's pty pair,
         "rate": bytes/s the far end (the server's UART) moves each way,
         "size": bytes each way, "bursty": true|false,
         "steal_at": seconds, or null}

For each stream the far end of the pty plays the server: it writes its own
seeded random stream M at `rate` and reads what arrives; with `bursty` it
reads in random bursts with random pauses (seeded; the seed is printed
with any failure), catching up after each pause, as a UART's consumer
that is sometimes busy would.  The client sends its own stream U (no '~',
ipmitool's escape) and prints what it receives.  Checked, byte for byte:
the far end received exactly U (the input path) and the client printed
exactly M (the output path): nothing lost, doubled or reordered, and on
failure which side differs and where.

With steal_at, another ipmitool runs `sol deactivate` (as admin) at that
time: the first client must end ("closed by BMC"), a new client then
activates and sends a second stream U2.  Then what the two clients printed,
joined, must be exactly M's beginning (the new one gets the unread
history, nothing twice), and the far end must have received a prefix of U
followed by exactly U2.
"""
import json
import os
import random
import select
import subprocess
import sys
import termios
import threading
import time
import tty

from tap import check, finish

BANNER = b'[SOL Session operational.  Use ~? for help]\n'


def stream_bytes(seed, size):
    r = random.Random(seed)
    return bytes(b if b != 0x7e else 0x7d for b in r.randbytes(size))


class FarEnd:
    """The server's side of the pty: writes M at rate, reads what comes."""

    def __init__(self, path, rate, m, bursty, seed):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        attr = termios.tcgetattr(self.fd)
        attr[3] &= ~termios.ECHO
        termios.tcsetattr(self.fd, termios.TCSANOW, attr)
        self.rate, self.m, self.bursty = rate, m, bursty
        self.rnd = random.Random(seed)
        self.sent = 0
        self.got = bytearray()
        self.wtokens = self.rtokens = 0.0
        self.last = time.monotonic()
        self.pause_until = 0.0
        self.burst_until = 0.0
        # The server prints once a client is there to see it: what it
        # prints before goes to pmbd's history ring, which keeps only
        # the newest 64 KiB.
        self.live = False

    def wants(self, now):
        """(read?, write?) for select."""
        rd = now >= self.pause_until and self.rtokens >= 1
        wr = self.live and self.sent < len(self.m) and self.wtokens >= 1
        return rd, wr

    def tick(self, now):
        dt = now - self.last
        self.last = now
        if not self.rate:                   # full speed: no limit
            self.wtokens = self.rtokens = 65536.0
        else:
            self.wtokens = min(self.wtokens + dt * self.rate, 512.0)
            # The reader catches up after a pause: a second's worth.
            self.rtokens = min(self.rtokens + dt * self.rate,
                               self.rate * 1.0)
        if self.bursty and now >= self.burst_until and \
                now >= self.pause_until:
            if self.rnd.random() < 0.5:
                self.pause_until = now + self.rnd.uniform(0.05, 0.7)
            self.burst_until = self.pause_until + self.rnd.uniform(0.01, 0.2)

    def read(self):
        try:
            d = os.read(self.fd, int(min(self.rtokens, 65536)))
        except (BlockingIOError, OSError):
            return
        self.rtokens -= len(d)
        self.got += d

    def write(self):
        n = int(min(self.wtokens, len(self.m) - self.sent))
        try:
            n = os.write(self.fd, self.m[self.sent:self.sent + n])
        except BlockingIOError:
            return
        self.wtokens -= n
        self.sent += n


class Ipmitool:
    """ipmitool sol activate with pipes: U into stdin, stdout kept."""

    def __init__(self, s, pw, u):
        argv = ['ipmitool', '-I', 'lanplus', '-H', '127.0.0.1', '-p',
                str(s['port']), '-U', 'admin', '-P', pw]
        if s.get('target'):
            argv += ['-t', str(s['target'])]
        self.argv = argv
        self.err = open(os.devnull, 'w')
        # Unbuffered, so that its banner shows when the session is up.
        self.p = subprocess.Popen(['stdbuf', '-o0'] + argv +
                                  ['sol', 'activate'],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            os.set_blocking(f.fileno(), False)
        self.u, self.fed = u, 0
        self.raw = bytearray()
        self.stderr = bytearray()
        self.started = time.monotonic()
        self.closed_in = False

    def fds(self, now):
        rd = [self.p.stdout.fileno(), self.p.stderr.fileno()]
        # Typing starts once the session is up, as a person would.
        wr = [self.p.stdin.fileno()] if not self.closed_in and \
            self.fed < len(self.u) and self.ready() else []
        return rd, wr

    def io(self, rd, wr):
        if self.p.stdout.fileno() in rd:
            try:
                d = os.read(self.p.stdout.fileno(), 65536)
                self.raw += d
            except BlockingIOError:
                pass
        if self.p.stderr.fileno() in rd:
            try:
                self.stderr += os.read(self.p.stderr.fileno(), 65536)
            except BlockingIOError:
                pass
        if wr and self.p.stdin.fileno() in wr:
            try:
                self.fed += os.write(self.p.stdin.fileno(),
                                     self.u[self.fed:self.fed + 4096])
            except (BlockingIOError, BrokenPipeError):
                pass

    def printed(self):
        b = bytes(self.raw)
        return b[len(BANNER):] if b.startswith(BANNER) else b

    def ready(self):
        return bytes(self.raw).startswith(BANNER)

    def stop(self):
        """End as a user would: EOF on stdin makes it deactivate."""
        if not self.closed_in:
            self.closed_in = True
            try:
                self.p.stdin.close()
            except OSError:
                pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


class Pyghmi:
    """pyghmi's Console, driven from the one pyghmi thread."""

    def __init__(self, s, pw, u):
        from pyghmi.ipmi import console
        self.u, self.fed = u, 0
        self.got = bytearray()
        self.errors = []
        self.con = console.Console('127.0.0.1', 'admin', pw,
                                   iohandler=self.handler, port=s['port'])

    def handler(self, data):
        if isinstance(data, dict):
            self.errors.append(data)
        else:
            self.got += data if isinstance(data, bytes) else data.encode()

    def pump(self):
        """At most one packet waiting behind the one in flight, as fast
        typing would give.  (Handed a big buffer, pyghmi sends packet
        after packet from inside its own wait for the previous ACK; when
        that nesting outlasts the outer packet's 0.5 s retry, the outer
        frame resends its own, long delivered, packet under the number of
        the next: pyghmi itself then duplicates and drops data, whatever
        the BMC does.  With one waiting, the nesting is one deep and done
        before the outer frame looks again.)"""
        if not self.con.connected or self.con.pendingoutput or \
                self.fed >= len(self.u):
            return
        chunk = self.u[self.fed:self.fed + self.con.maxoutcount]
        self.fed += len(chunk)
        self.con.send_data(chunk)

    def printed(self):
        return bytes(self.got)

    def ready(self):
        return self.con.connected


def bridge_pyghmi(targets):
    """pyghmi's Console knows no bridging: send its SOL commands (Activate,
    Deactivate, Payload Instance Info) through Send Message to the target
    given for its session's port (one bridged console per port)."""
    from pyghmi.ipmi.private import session
    orig = session.Session.raw_command

    def raw_command(self, netfn, command, *a, **kw):
        t = targets.get(self.port)
        if t and netfn == 6 and command in (0x48, 0x49, 0x4b) and \
                not kw.get('bridge_request'):
            kw['bridge_request'] = {'addr': t, 'channel': 0}
        return orig(self, netfn, command, *a, **kw)
    session.Session.raw_command = raw_command


def quiet_pyghmi():
    """pyghmi's Console registers a Get Payload Instance Info keepalive
    that runs every 24-29 s whatever the traffic.  While that IPMI command
    is outstanding its session queues SOL packets (Session.send_payload,
    'pendingpayloads') and releases them one per IPMI response; a SOL
    retry queued there goes out a keepalive later, under a sequence
    number that by then means new characters, and pmbd (any BMC) takes
    old characters as new.  SOL traffic keeps the session alive, so the
    test turns that keepalive off: what it checks is pmbd, not pyghmi."""
    from pyghmi.ipmi.private import session
    session.Session.register_keepalive = lambda self, cmd, callback: None
    session.Session.unregister_keepalive = lambda self, regid: None


def trace_pyghmi(path):
    """SOL_STREAM_PYGHMI_TRACE=FILE: every SOL packet pyghmi sends, with
    the depth of the stack that sends it."""
    import inspect
    from pyghmi.ipmi import console
    orig = console.Console.send_payload
    out = open(path, 'w')

    def send_payload(self, payload, payload_type=1, *a, **kw):
        if payload_type == 1 and len(payload) > 4:
            out.write('%.3f port %d seq %d len %d %s depth %d\n' % (
                time.monotonic(), self.port, payload[0], len(payload) - 4,
                bytes(payload[4:8]).hex(), len(inspect.stack())))
            out.flush()
        return orig(self, payload, payload_type, *a, **kw)
    console.Console.send_payload = send_payload


def main():
    if os.environ.get('SOL_STREAM_PYGHMI_TRACE'):
        trace_pyghmi(os.environ['SOL_STREAM_PYGHMI_TRACE'])
    spec = json.load(open(sys.argv[1]))
    pw = spec['password']
    base = spec.get('seed', 20261204)
    streams = []
    ghmi_targets = {s['port']: s['target'] for s in spec['streams']
                    if s['client'] == 'pyghmi' and s.get('target')}
    bridge_pyghmi(ghmi_targets)
    quiet_pyghmi()
    from pyghmi.ipmi.private import session as psession
    for i, s in enumerate(spec['streams']):
        seed = base * 1000 + i
        st = {'spec': s, 'seed': seed, 'u': stream_bytes(seed, s['size']),
              'm': stream_bytes(seed + 500, s['size']),
              'u2': stream_bytes(seed + 900, s['size'] // 2)}
        st['far'] = FarEnd(s['tty'], s['rate'], st['m'], s.get('bursty'),
                           seed + 700)
        st['clients'] = []
        st['stolen'] = False
        streams.append(st)
    t0 = time.monotonic()
    ghmi = []
    for st in streams:
        s = st['spec']
        if s['client'] == 'ipmitool':
            st['clients'].append(Ipmitool(s, pw, st['u']))
        else:
            c = Pyghmi(s, pw, st['u'])
            st['clients'].append(c)
            ghmi.append(c)
    stop = threading.Event()

    def ghmi_loop():
        """pyghmi runs in one thread of its own (its event loop is not for
        concurrent callers); send_data blocks until the packet's ACK."""
        while not stop.is_set():
            for c in ghmi:
                try:
                    c.pump()
                except Exception as e:      # a broken session: reported
                    c.errors.append({'error': repr(e)})
            psession.Session.wait_for_rsp(0.01)
    if ghmi:
        threading.Thread(target=ghmi_loop, daemon=True).start()
    limit = max(s['spec']['size'] / (s['spec']['rate'] or 20000)
                for s in streams) * 1.6 + 60
    while time.monotonic() - t0 < limit:
        now = time.monotonic()
        rds, wrs, owners = [], [], {}
        for st in streams:
            f = st['far']
            f.tick(now)
            if not f.live and st['clients'] and st['clients'][-1].ready():
                f.live = True
            rd, wr = f.wants(now)
            if rd:
                rds.append(f.fd)
            if wr:
                wrs.append(f.fd)
            owners[f.fd] = f
            for c in st['clients']:
                if isinstance(c, Ipmitool) and c.p.poll() is None:
                    r, w = c.fds(now)
                    rds += r
                    wrs += w
                    for fd in r + w:
                        owners[fd] = c
            steal = st['spec'].get('steal_at')
            if steal and not st['stolen'] and now - t0 >= steal:
                st['stolen'] = True
                s = st['spec']
                argv = st['clients'][0].argv + ['sol', 'deactivate']
                st['steal_out'] = subprocess.run(
                    argv, capture_output=True, timeout=30)
                st['steal_at_bytes'] = len(st['far'].got)
        r, w, _ = select.select(rds, wrs, [], 0.005)
        for fd in set(r) | set(w):
            o = owners[fd]
            if isinstance(o, FarEnd):
                if fd in r:
                    o.read()
                if fd in w:
                    o.write()
            else:
                o.io(r, w)
        for st in streams:
            if st['stolen'] and len(st['clients']) == 1:
                c = st['clients'][0]
                if c.p.poll() is not None:       # ended: "closed by BMC"
                    c.io([c.p.stdout.fileno(), c.p.stderr.fileno()], [])
                    st['clients'].append(Ipmitool(st['spec'], pw, st['u2']))
        done = True
        for st in streams:
            got = bytes(st['far'].got)
            printed = sum(len(c.printed()) for c in st['clients'])
            if st['spec'].get('steal_at'):
                in_done = st['stolen'] and len(st['clients']) > 1 and \
                    got.endswith(st['u2'])
            else:
                in_done = len(got) >= len(st['u'])
            if not in_done or printed < len(st['m']):
                done = False
            elif 'done_at' not in st:
                st['done_at'] = now - t0
        if done:
            break
    elapsed = time.monotonic() - t0
    stop.set()
    for st in streams:
        s = st['spec']
        far = bytes(st['far'].got)
        outs = [c.printed() for c in st['clients']]
        name = '%s (%s, %s, %d KiB each way at %s%s%s)' % (
            s['name'], s['client'], 'bridged -t %d' % s['target'] if
            s.get('target') else 'own port', s['size'] // 1024,
            '%d B/s' % s['rate'] if s['rate'] else 'full speed',
            ', bursty reader' if s.get('bursty') else '',
            ', stolen at %ss' % s['steal_at'] if s.get('steal_at') else '')
        detail = 'seed %d; ' % st['seed']
        if st['stolen']:
            o1, o2 = outs[0], b''.join(outs[1:])
            joined = o1 + o2
            out_ok = joined == st['m'][:len(joined)] and \
                len(joined) == len(st['m'])
            # Input: a prefix of U, then exactly U2.
            k = far.find(st['u2'][:64])
            in_ok = k >= 0 and far[:k] == st['u'][:k] and \
                far[k:] == st['u2']
            ended = b'closed by BMC' in bytes(st['clients'][0].stderr)
            detail += ('first client printed %d, second %d (joined %s M); '
                       'far end got %d bytes of U then %s; first client '
                       '%s' % (len(o1), len(o2),
                               'is exactly' if out_ok else 'is NOT',
                               k, 'exactly U2' if in_ok else 'NOT U2',
                               'told "closed by BMC"' if ended else
                               'NOT told'))
            print('# %s: %s' % (s['name'], detail))
            check(name + ': output, joined across the steal, exact',
                  out_ok, detail)
            check(name + ': input, exact across the steal', in_ok, detail)
            check(name + ': the first client was told', ended, detail)
        else:
            out = outs[0]
            u = st['u']
            out_ok = out == st['m']
            in_ok = far == u
            d_out = next((i for i in range(min(len(out), len(st['m'])))
                          if out[i] != st['m'][i]), None)
            d_in = next((i for i in range(min(len(far), len(u)))
                         if far[i] != u[i]), None)
            detail += ('output: %d of %d printed, first difference at %s; '
                       'input: %d of %d on the line, first difference at '
                       '%s' % (len(out), len(st['m']), d_out, len(far),
                               len(u), d_in))
            errs = getattr(st['clients'][0], 'errors', None)
            if errs:
                detail += '; client errors %r' % errs[:3]
            c0 = st['clients'][0]
            if isinstance(c0, Ipmitool):
                detail += '; ipmitool said %r' % bytes(c0.stderr)[-200:]
            dump = os.environ.get('SOL_STREAM_DUMP')
            if dump and not (out_ok and in_ok):
                for tag, data in (('far', far), ('u', u), ('out', out),
                                  ('m', st['m'])):
                    with open(os.path.join(dump, '%s.%s' % (s['name'], tag)),
                              'wb') as f:
                        f.write(data)
            check(name + ': output (server to client) byte-exact', out_ok,
                  detail)
            check(name + ': input (client to server) byte-exact', in_ok,
                  detail)
        if 'done_at' in st:
            print('# %s: done in %.1f s (%.1f KiB/s each way)' % (
                s['name'], st['done_at'],
                s['size'] / 1024 / max(st['done_at'] - 1.0, 0.1)))
    print('# %d stream(s) done in %.1f s' % (len(streams), elapsed))
    for st in streams:
        for c in st['clients']:
            if isinstance(c, Ipmitool):
                c.stop()
            else:
                try:
                    c.con.close()
                except Exception:
                    pass
    finish()


if __name__ == '__main__':
    main()
