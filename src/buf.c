/* buf.c: bounds-checked cursor; the only pointer arithmetic on wire bytes. */
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, const uint8_t *p, size_t len)
{
	b->p = p;
	b->len = p != NULL ? len : 0;
	b->off = 0;
	b->err = 0;
}

size_t
buf_left(const struct buf *b)
{
	return b->err ? 0 : b->len - b->off;
}

const uint8_t *
buf_take(struct buf *b, size_t n)
{
	const uint8_t *p;

	if (b->err || n > b->len - b->off) {
		b->err = 1;
		return NULL;
	}
	p = b->p + b->off;
	b->off += n;
	return p;
}

uint8_t
buf_u8(struct buf *b)
{
	const uint8_t *p = buf_take(b, 1);

	return p != NULL ? p[0] : 0;
}

uint16_t
buf_le16(struct buf *b)
{
	const uint8_t *p = buf_take(b, 2);

	return p != NULL ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint32_t
buf_le32(struct buf *b)
{
	const uint8_t *p = buf_take(b, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
buf_copy(struct buf *b, void *dst, size_t n)
{
	const uint8_t *p = buf_take(b, n);

	if (p != NULL)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

void
buf_skip(struct buf *b, size_t n)
{
	(void)buf_take(b, n);
}

void
buf_rest(struct buf *b, struct buf *sub)
{
	size_t n = buf_left(b);

	buf_init(sub, b->err ? NULL : b->p + b->off, n);
	sub->err = b->err;
	b->off += n;
}

int
buf_end(const struct buf *b)
{
	return (b->err || b->off != b->len) ? -1 : 0;
}

void
wbuf_init(struct wbuf *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = p != NULL ? cap : 0;
	w->len = 0;
	w->err = 0;
}

size_t
wbuf_left(const struct wbuf *w)
{
	return w->err ? 0 : w->cap - w->len;
}

uint8_t *
wbuf_reserve(struct wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->len) {
		w->err = 1;
		return NULL;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

void
wbuf_u8(struct wbuf *w, uint8_t v)
{
	uint8_t *p = wbuf_reserve(w, 1);

	if (p != NULL)
		p[0] = v;
}

void
wbuf_le16(struct wbuf *w, uint16_t v)
{
	uint8_t *p = wbuf_reserve(w, 2);

	if (p != NULL) {
		p[0] = v & 0xff;
		p[1] = v >> 8;
	}
}

void
wbuf_le32(struct wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_reserve(w, 4);

	if (p != NULL) {
		p[0] = v & 0xff;
		p[1] = (v >> 8) & 0xff;
		p[2] = (v >> 16) & 0xff;
		p[3] = v >> 24;
	}
}

void
wbuf_put(struct wbuf *w, const void *src, size_t n)
{
	uint8_t *p = wbuf_reserve(w, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

void
wbuf_fill(struct wbuf *w, uint8_t v, size_t n)
{
	uint8_t *p = wbuf_reserve(w, n);

	if (p != NULL)
		memset(p, v, n);
}

uint32_t
buf_fnv32(const uint8_t *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;

	while (n-- > 0)
		h = (h ^ *p++) * 0x01000193u;
	return h;
}

uint64_t
buf_fnv64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n-- > 0)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

uint8_t
buf_cksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n-- > 0)
		s += *p++;
	return (uint8_t)-s;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

int
buf_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (s[2 * n] != '\0') {
		int hi = hexval(s[2 * n]), lo = hexval(s[2 * n + 1]);

		if (hi < 0 || lo < 0 || n == max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return (int)n;
}
