/* clock.h: the one monotonic clock, in milliseconds.  The protocol core
 * and the drivers never read it: `now` comes in with every call and
 * callback; only the loop's edge (main.c, net.c) asks. */
#ifndef PMBD_CLOCK_H
#define PMBD_CLOCK_H

#include <stdint.h>

uint64_t clock_ms(void);

#endif
