/* ring.c: a byte ring addressed by absolute stream position. */
#include <stdlib.h>
#include <string.h>

#include "ring.h"

int
ring_init(struct ring *r, size_t cap)
{
	size_t n = 16;

	while (n < cap)
		n <<= 1;
	memset(r, 0, sizeof(*r));
	if ((r->buf = malloc(n)) == NULL)
		return -1;
	r->cap = n;
	return 0;
}

void
ring_free(struct ring *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

void
ring_write(struct ring *r, const uint8_t *p, size_t n)
{
	if (n > r->cap) {		/* only the last cap bytes survive */
		r->head += n - r->cap;
		p += n - r->cap;
		n = r->cap;
	}
	while (n > 0) {
		size_t off = (size_t)(r->head & (r->cap - 1));
		size_t k = r->cap - off < n ? r->cap - off : n;

		memcpy(r->buf + off, p, k);
		r->head += k;
		p += k;
		n -= k;
	}
}

uint64_t
ring_tail(const struct ring *r)
{
	return r->head > r->cap ? r->head - r->cap : 0;
}

size_t
ring_read(const struct ring *r, uint64_t pos, uint8_t *out, size_t max)
{
	size_t n, done = 0;

	if (pos < ring_tail(r))
		pos = ring_tail(r);
	if (pos >= r->head)
		return 0;
	n = r->head - pos < max ? (size_t)(r->head - pos) : max;
	while (done < n) {
		size_t off = (size_t)((pos + done) & (r->cap - 1));
		size_t k = r->cap - off < n - done ? r->cap - off : n - done;

		memcpy(out + done, r->buf + off, k);
		done += k;
	}
	return n;
}
