/*
 * ring.h: a byte ring addressed by absolute stream position.  Writing never
 * fails: the oldest bytes are overwritten.  Readers keep their own position
 * and learn from ring_tail() what has been lost.
 */
#ifndef PMBD_RING_H
#define PMBD_RING_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	uint8_t		*buf;
	size_t		 cap;		/* a power of two */
	uint64_t	 head;		/* bytes ever written */
};

/* cap is rounded up to a power of two; 0 or -1. */
int	 ring_init(struct ring *, size_t cap);
void	 ring_free(struct ring *);
void	 ring_write(struct ring *, const uint8_t *, size_t);
/* The oldest position still held. */
uint64_t ring_tail(const struct ring *);
/* Copy up to max bytes from pos (clamped to the tail); the count. */
size_t	 ring_read(const struct ring *, uint64_t pos, uint8_t *, size_t max);

#endif
