#!/usr/bin/env python3
"""pico_tls.py: the daemon side of the node link over real TLS, without the
firmware: openssl s_client is the node's TLS stack, this script speaks the
frames (docs/node-protocol.md) and ipmitool asks pmbd.

usage: pico_tls.py PMBD NODE_PORT IPMI_PORT
Starts PMBD with a config of its own on 127.0.0.1 and prints TAP lines
(run by pico_tls.sh).
"""
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time

PMBD, NODE_PORT, IPMI_PORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
results = []


def ok(cond, what):
    results.append(bool(cond))
    print("%s - %s" % ("ok" if cond else "not ok", what), flush=True)


def frame(typ, seq, payload=b""):
    return struct.pack("<HBBI", 6 + len(payload), 1, typ, seq) + payload


def text(s):
    return s.encode().ljust(32, b"\0")


def hello(name, boot_id, rx_next=0, tx_base=0, power=0):
    p = struct.pack("<B", 1) + text("test-rig") + text("0.0-test") + text(name)
    p += struct.pack("<IBI", 0x2f, 0, boot_id)
    p += bytes([0, 1, 2, 3, 4, 5, 0, 0])
    p += struct.pack("<HHHBII", 0, 0, 0, power, rx_next, tx_base)
    return frame(0x01, 0, p)


class Node:
    def __init__(self, name, key=KEY):
        self.p = subprocess.Popen(
            ["openssl", "s_client", "-connect", "127.0.0.1:%d" % NODE_PORT,
             "-psk_identity", name, "-psk", key, "-tls1_2", "-cipher",
             "PSK-AES128-GCM-SHA256", "-quiet", "-nocommands"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.buf = b""

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def recv(self, timeout=30.0):
        """One frame (type, seq, payload), or None."""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 2:
                n = struct.unpack("<H", self.buf[:2])[0] + 2
                if len(self.buf) >= n:
                    f, self.buf = self.buf[:n], self.buf[n:]
                    _, _, typ, seq = struct.unpack("<HBBI", f[:8])
                    return typ, seq, f[8:]
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            d = os.read(self.p.stdout.fileno(), 4096)
            if not d:
                return None
            self.buf += d

    def recv_type(self, typ, timeout=30.0):
        end = time.time() + timeout
        while time.time() < end:
            f = self.recv(end - time.time())
            if f is None:
                return None
            if f[0] == typ:
                return f
        return None

    def close(self):
        self.p.kill()
        self.p.wait()


def ipmi(*args):
    cmd = ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p",
           str(IPMI_PORT), "-U", "admin", "-P", "Good-Pass-42", "-t", "3"]
    return subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_until(cond, secs=30):
    """Poll cond every 50 ms for up to secs; its last value."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def main():
    d = tempfile.mkdtemp(prefix="pico-tls-")
    conf = os.path.join(d, "pmbd.conf")
    with open(conf, "w") as f:
        f.write('listen = [ "127.0.0.1:%d" ];\n' % IPMI_PORT)
        f.write('node_listen = "127.0.0.1:%d";\n' % NODE_PORT)
        f.write('state_dir = "%s";\n' % d)
        f.write('users = ( { name = "admin"; password = "Good-Pass-42"; } );\n')
        f.write('targets = ( { address = 3; name = "srv3"; driver = "pico";'
                ' node = "n3"; psk = "%s"; reset_ms = 200; } );\n' % KEY)
    log = open(os.path.join(d, "log"), "w")
    pmbd = subprocess.Popen([PMBD, "-f", "-v", "-c", conf], stdout=log,
                            stderr=subprocess.STDOUT)
    logf = os.path.join(d, "log")
    ok(wait_until(lambda: " ready: " in open(logf).read()), "pmbd starts")
    try:
        run()
    finally:
        pmbd.terminate()
        pmbd.wait()
        log.close()
        text_log = open(os.path.join(d, "log")).read()
        ok(KEY not in text_log, "the key never reaches the log")
        ok("link up (fw 0.0-test, board test-rig" in text_log,
           "link up is logged with fw and board")
        ok('unknown node "nobody"' in text_log,
           "an unknown identity is logged")
        shutil.rmtree(d)
    print("%d passed, %d failed" % (results.count(True),
                                     results.count(False)))
    sys.exit(0 if all(results) else 1)


def run():
    # Unknown identity and wrong key: no frame, the link is refused.
    n = Node("nobody")
    n.send(hello("nobody", 1))
    ok(n.recv(2) is None, "an unknown node gets no frame")
    n.close()
    n = Node("n3", KEY.replace("00", "01", 1))
    n.send(hello("n3", 1))
    ok(n.recv(2) is None, "a wrong key gets no frame")
    n.close()
    out = ipmi("power", "status").communicate()[0]
    ok("not supported in present state" in out, "offline: power status D5h")

    n = Node("n3")
    n.send(hello("n3", 42, rx_next=100, tx_base=7))
    f = n.recv_type(0x02)
    ok(f is not None, "HELLO -> WELCOME over TLS")
    if f is None:
        return
    (proto, did, hb, dead, crx, win, press, hold,
     reset) = struct.unpack("<BIHHIHHHH", f[2])
    ok(proto == 1 and hb == 1000 and dead == 3500, "WELCOME timings")
    ok(crx == 0xffffffff and reset == 200 and press == 0,
       "WELCOME resume point and overrides")
    f = n.recv_type(0x31)
    ok(f is not None, "sensors asked for")
    n.send(frame(0x32, f[1], struct.pack("<hHbIIBI", 2650, 5020, -61, 10,
                                          1000, 0, 0)))
    # Power on: POWER, then our RESULT completes the IPMI request.
    p = ipmi("power", "on")
    f = n.recv_type(0x10)
    ok(f is not None and f[2] == b"\x01", "power on -> POWER on")
    if f is not None:
        n.send(frame(0x04, f[1], struct.pack("<BBBI", 0, 1, 0, 300)))
    out = p.communicate()[0]
    ok("Up/On" in out, "ipmitool power on succeeds: " + out.strip())
    n.send(frame(0x12, 0, bytes([1, 0])))
    res = {}

    def status_on():
        res["out"] = ipmi("power", "status").communicate()[0]
        return "Chassis Power is on" in res["out"]
    on = wait_until(status_on)
    ok(on, "STATE on -> power status on" + ("" if on else
                                            ": " + res["out"].strip()))
    # Soft off of an off machine: status 5 -> D5h.
    p = ipmi("power", "soft")
    f = n.recv_type(0x10)
    if f is not None:
        n.send(frame(0x04, f[1], struct.pack("<BBBI", 5, 0, 1, 0)))
    out = p.communicate()[0]
    ok("not supported in present state" in out, "NP_E_STATE -> D5h")
    out = ipmi("sdr", "list").communicate()[0]
    ok("27 degrees C" in out and "5.02 Volts" in out and "-61 " in out,
       "sensors from SENSORS: " + " / ".join(out.strip().splitlines()))
    # Console: the machine prints, pmbd acknowledges and opens a window.
    n.send(frame(0x20, 0, struct.pack("<I", 7) + b"boot log\r\n"))
    f = n.recv_type(0x21)
    ok(f is not None and struct.unpack("<IH", f[2])[0] == 17,
       "CON_DATA -> CON_ACK next")
    n.close()
    # Until pmbd has seen the link go: power status is D5h again.
    wait_until(lambda: "not supported in present state" in
               ipmi("power", "status").communicate()[0])
    out = ipmi("power", "on").communicate()[0]
    ok("not supported in present state" in out,
       "link gone: power on answered at once with D5h")


main()
