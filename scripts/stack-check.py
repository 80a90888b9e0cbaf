#!/usr/bin/python3
"""stack-check.py: the node firmware's deepest stack path, from GCC's
-fcallgraph-info=su files (one .ci per object: each function's frame and
its calls), checked against the main stack's size.

    stack-check.py BUILD_DIR STACK_BYTES

Follows direct calls from main() and from every interrupt handler (they
run on the same stack: the deepest one is added on top).  An indirect call
counts as the deepest of the functions listed in INDIRECT (the link's ops,
mbedTLS's callbacks: what this firmware calls through pointers).  A
function without frame information (assembly, the ROM, libgcc) counts as
0 bytes; recursion is cut.  Prints the deepest path; exits 1 when it and
IRQ_MARGIN do not fit in STACK_BYTES.
"""
import glob
import os
import re
import sys

IRQ_MARGIN = 64 * 4          # nested exception frames, stacked registers
# Indirect calls, by the caller's file: what this firmware calls through
# pointers there (the node's link ops, mbedTLS's I/O, RNG and entropy
# callbacks, the board's alarm callbacks).  Other indirect calls count 0.
INDIRECT = {
    'node.c': ('tls_open', 'tls_poll', 'tls_send', 'tls_recv', 'tls_close'),
    'ssl_': ('bio_send', 'bio_recv', 'mbedtls_ctr_drbg_random'),
    'ctr_drbg.c': ('mbedtls_entropy_func',),
    'entropy.c': ('entropy_board', 'mbedtls_hardware_poll'),
    'board_pico.c': ('line_alarm', 'revert_alarm'),
}
IRQS = ('uart_irq', 'alarm_pool_irq_handler', 'hardware_alarm_irq_handler',
        'low_priority_irq_handler', 'gpio_irq_handler',
        'cyw43_gpio_irq_handler', 'dcd_int_handler')
STOP = ('panic', 'hard_assertion_failure')   # they do not come back

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"\\]+)(?:\\n[^"]*?)?'
                  r'(?:\\n(\d+) bytes[^"]*)?"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


def name(title):
    return title.rsplit(':', 1)[-1]


def file_of(title):
    return os.path.basename(title.rsplit(':', 1)[0]) if ':' in title else ''


def main():
    build, limit = sys.argv[1], int(sys.argv[2], 0)
    frame, calls, by_name = {}, {}, {}
    for path in glob.glob(os.path.join(build, '**', '*.ci'), recursive=True):
        with open(path, errors='replace') as f:
            for line in f:
                m = NODE.match(line)
                if m and m.group(3) is not None:
                    frame[m.group(1)] = int(m.group(3))
                    by_name.setdefault(name(m.group(1)), m.group(1))
                    continue
                m = EDGE.match(line)
                if m:
                    calls.setdefault(m.group(1), set()).add(m.group(2))
    memo = {}

    def resolve(t):
        return t if t in frame else by_name.get(name(t))

    def deepest(t, seen):
        t = resolve(t)
        if t is None or t in seen:
            return 0, []
        if t in memo:
            return memo[t]
        seen = seen | {t}
        best, path = 0, []
        if name(t) in STOP:
            return 0, []
        for c in calls.get(t, ()):
            targets = (c,)
            if c == '__indirect_call':
                targets = next((v for k, v in INDIRECT.items() if k in file_of(t) or (k.endswith('_') and name(t).startswith(k)) or k in name(t)),
                               ())
            for u in targets:
                d, p = deepest(u, seen)
                if d > best:
                    best, path = d, p
        memo[t] = (frame[t] + best, [(name(t), frame[t])] + path)
        return memo[t]

    if resolve('main') is None:
        print('stack-check: no call graph (main) under %s' % build)
        return 1
    total, path = deepest('main', frozenset())
    irq, ipath = max((deepest(i, frozenset()) for i in IRQS),
                     key=lambda x: x[0])
    need = total + irq + IRQ_MARGIN
    print('stack: deepest path %d bytes: %s' % (total, ' > '.join(
        '%s %d' % p for p in path)))
    print('stack: plus the deepest interrupt %d bytes (%s) and %d for '
          'exception frames: %d of %d bytes' % (
              irq, ' > '.join('%s %d' % p for p in ipath), IRQ_MARGIN,
              need, limit))
    if need > limit:
        print('stack-check: the main stack is too small')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
