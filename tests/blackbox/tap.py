"""tap.py: the ok / not ok lines the black-box Python tests print."""
import sys
import time

passed = failed = 0


def check(name, cond, detail=''):
    global passed, failed
    if cond:
        passed += 1
        print('ok - ' + name)
    else:
        failed += 1
        print('not ok - %s %s' % (name, detail))


def finish():
    print('%d passed, %d failed' % (passed, failed))
    sys.exit(1 if failed else 0)


def wait_until(cond, secs):
    """Poll cond every 50 ms for up to secs; its last value."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()
